// A module that keeps a connection across hot updates. import.meta.hot.data
// is one object per module, shared by each new instance of it, so the
// connection opened by the first instance is the one every later instance
// uses. It is closed only when nothing imports this module any more.
// (The "connection" stands in for a database or cache client.)

function open() {
  const id = Math.random().toString(16).slice(2, 10);
  let queries = 0;
  console.log(`db: connection ${id} opened`);
  return {
    id,
    query: () => ++queries,
    close: () => console.log(`db: connection ${id} closed`),
  };
}

const data = import.meta.hot ? import.meta.hot.data : {};
export const conn = (data.conn ??= open());

import.meta.hot?.prune(() => conn.close());
