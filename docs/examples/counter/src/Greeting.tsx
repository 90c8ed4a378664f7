/** @jsx h */
// A TSX component with classic JSX and no React: the pragma above makes
// esbuild compile <p>…</p> to h('p', null, …), and h is the tiny function
// below that builds real DOM nodes.

type Child = Node | string | number | null | undefined | false;

function h(tag: string, props: Record<string, string> | null, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) el.setAttribute(name, value);
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function Greeting({ name }: { name: string }): HTMLElement {
  return (
    <header class="greeting">
      <h1>Hello from {name}!</h1>
      <p>
        Edit <code>src/Greeting.tsx</code> and save: this text changes, the count stays.
      </p>
    </header>
  );
}
