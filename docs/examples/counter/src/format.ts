// How the count reads. This module knows nothing about HMR: counter.ts
// accepts its updates and re-renders with the new formatCount.
export function formatCount(count: number): string {
  return count === 1 ? 'clicked once' : `clicked ${count} times`;
}
