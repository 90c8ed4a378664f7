// A tiny classic-JSX factory that builds DOM nodes.
export function h(tag: string, props: Record<string, string> | null, ...children: (Node | string)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) el.setAttribute(name, value);
  el.append(...children);
  return el;
}
