export default 'page a v1';
export const url = import.meta.url;
