// Package rpcauth is what lets the daemon's gRPC API be reached from
// another machine (docs/operations.md#remote-access,
// docs/decisions/0012-remote-access.md): TLS with a certificate the daemon
// generates and keeps in its state directory (or one it is given), and a
// bearer token, also kept there, that every RPC must carry.
//
// The server half is Token (read or create the token file), Certificate
// (read or create the key pair), ServerCredentials and the interceptors;
// the client half is ClientTLS (trust a CA file or pin a fingerprint) and
// BearerToken (per-RPC credentials that only travel over TLS).
//
// The unix socket and loopback TCP do not use any of this: the socket is
// private to the user by its file mode, and loopback is the local machine.
package rpcauth
