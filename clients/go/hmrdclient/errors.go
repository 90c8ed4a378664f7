package hmrdclient

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Sentinel errors to test with errors.Is. Errors from RPCs are *Error
// values that match the sentinel of their status code.
var (
	// ErrNoDaemon: nothing answers at the address (no socket, a stale
	// socket, a refused connection), or the daemon went away.
	ErrNoDaemon = errors.New("no hmrd daemon")
	// ErrNotFound: the project or module is unknown to the daemon.
	ErrNotFound = errors.New("not found")
	// ErrInvalidArgument: the daemon rejected the request, e.g. a project
	// name is required because the daemon has several projects.
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrAlreadyExists: e.g. a project with that name or root exists.
	ErrAlreadyExists = errors.New("already exists")
	// ErrFailedPrecondition: e.g. no common protocol version.
	ErrFailedPrecondition = errors.New("failed precondition")
	// ErrUnimplemented: the daemon does not offer this RPC (an older one).
	ErrUnimplemented = errors.New("unimplemented")
	// ErrUnauthenticated: the daemon wants its token (it listens on an
	// address other machines can reach) and got none, or a wrong one.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrClosed: the Subscription or Client was closed by its owner.
	ErrClosed = errors.New("hmrd client closed")
)

// Error is a failed RPC: which operation, the gRPC status code, and the
// daemon's message. The daemon words its messages for people, so
// Error() shows it as is after the operation's name.
type Error struct {
	Op      string // "explain", "subscribe", ...
	Code    codes.Code
	Message string
}

func (e *Error) Error() string {
	if e.Code == codes.Unavailable {
		return fmt.Sprintf("%s: daemon unavailable: %s", e.Op, e.Message)
	}
	// The daemon often says itself what failed ("add project /x: the name
	// is taken"); saying it twice reads badly.
	if verb, _, _ := strings.Cut(e.Op, " "); verb != "" && strings.HasPrefix(e.Message, verb) {
		return e.Message
	}
	return e.Op + ": " + e.Message
}

// GRPCStatus lets status.FromError and status.Code see through an Error.
func (e *Error) GRPCStatus() *status.Status { return status.New(e.Code, e.Message) }

// Is matches the sentinel of the status code.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNoDaemon:
		return e.Code == codes.Unavailable
	case ErrNotFound:
		return e.Code == codes.NotFound
	case ErrInvalidArgument:
		return e.Code == codes.InvalidArgument
	case ErrAlreadyExists:
		return e.Code == codes.AlreadyExists
	case ErrFailedPrecondition:
		return e.Code == codes.FailedPrecondition
	case ErrUnimplemented:
		return e.Code == codes.Unimplemented
	case ErrUnauthenticated:
		return e.Code == codes.Unauthenticated
	}
	return false
}

// rpcError converts an error of a gRPC call into an *Error, or into the
// context's error when the caller's context ended (so callers can test for
// context.Canceled without knowing gRPC).
func rpcError(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%s: %w", op, ctxErr)
	}
	st, ok := status.FromError(err)
	if !ok {
		return fmt.Errorf("%s: %w", op, err)
	}
	return &Error{Op: op, Code: st.Code(), Message: st.Message()}
}

// NoDaemonError says that nothing answers at Addr. It matches ErrNoDaemon.
type NoDaemonError struct {
	Addr string // socket path or host:port
	Err  error  // what the probe saw, e.g. "no such file or directory"
}

func (e *NoDaemonError) Error() string {
	return fmt.Sprintf("no hmrd daemon at %s (start one with `hmrd serve`)", e.Addr)
}

// Unwrap gives both ErrNoDaemon and the probe's cause to errors.Is.
func (e *NoDaemonError) Unwrap() []error { return []error{ErrNoDaemon, e.Err} }
