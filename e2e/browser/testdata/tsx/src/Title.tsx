/** @jsx h */
import { h } from './h.ts';

export function Title({ who }: { who: string }): HTMLElement {
  return <h1 id="title">Title v1 from {who}</h1>;
}
