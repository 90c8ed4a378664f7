// Package hmrdclient is the Go client of the hmrd daemon: it dials the
// daemon (unix socket or TCP), wraps the control RPCs (invalidate, explain,
// graph, projects, status) and subscribes to a project's signal stream with
// automatic reconnect and resume. The hmrd CLI is built on it.
//
// # Dialing
//
// Dial fails fast: when nothing listens at the address it returns an error
// wrapping ErrNoDaemon at once, instead of letting the first RPC wait for a
// daemon that will not come. After a successful Dial the connection heals
// itself (gRPC redials in the background); RPCs made while the daemon is
// away fail with an error that also matches ErrNoDaemon.
//
// # Remote daemons
//
// A daemon listening on an address other machines can reach serves only
// TLS and only RPCs that carry its token (docs/operations.md#remote-access).
// Dial such a daemon with WithTLS (pin the certificate fingerprint `hmrd
// serve` prints, or trust its certificate file) and WithToken or
// WithTokenFile; or set HMRD_TLS_FINGERPRINT or HMRD_TLS_CA, and
// HMRD_TOKEN. The token is only ever sent over TLS. The unix socket and
// loopback TCP need neither.
//
// # Subscriptions
//
// A Subscription remembers the (epoch, seq) of the last signal it handed to
// the caller. When the stream breaks (the daemon restarts, cuts the
// subscriber off as a slow consumer, or the network drops) it redials with
// exponential backoff (50ms doubling to 2s, with jitter, until the context
// ends) and resubscribes from that point. The daemon then replays what was
// missed, or, when its history no longer reaches back that far or the epoch
// changed, sends one FullReload with cause RESYNC and goes on live.
//
// Ordering: Next returns events in the order the daemon sent them, the
// Hello of every (re)connection included, so callers see each new epoch.
// Signals already delivered are never delivered twice, even if a daemon
// replays them. Heartbeats are passed through; callers filter them.
//
// Backpressure: the subscription reads from the stream only as fast as the
// caller calls Next (there is no unbounded buffer in between). A caller
// that stops calling Next is eventually cut off by the daemon and, once it
// calls Next again, resumes where it stopped.
//
// Concurrency: a Client is safe for concurrent use. A Subscription's Next
// may be called from one goroutine at a time; State, Position and Close
// from any goroutine. The OnState callback runs on the subscription's own
// goroutine and must not block for long.
package hmrdclient
