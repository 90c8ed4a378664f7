// The request handler: edit it and save while the server runs.
import { conn } from './db.mjs';

export const EDIT = 'edit 0';

export function handle(req, res) {
  const n = conn.query();
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ edit: EDIT, pid: process.pid, conn: conn.id, queries: n }) + '\n');
}
