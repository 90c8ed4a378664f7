// @hmrd/client: the Node.js client of the hmrd daemon (hmrd.v1 over gRPC).
// The HMR runtime is @hmrd/client/register (register.js).

export { connect, Client, PROTOCOL_VERSION, DEFAULT_MIN_BACKOFF, DEFAULT_MAX_BACKOFF } from './lib/client.js';
export { Subscription, ClosedError, RESYNC } from './lib/subscribe.js';
export { Registration } from './lib/register.js';
export { HmrdError, NoDaemonError } from './lib/errors.js';
export { defaultSocket, parseTarget } from './lib/target.js';
export { PROTO_FILE } from './lib/proto.js';
