import { Title } from './Title.tsx';

const app: HTMLElement = document.getElementById('app')!;
app.replaceChildren(Title({ who: 'tsx' }));
import.meta.hot?.accept();
