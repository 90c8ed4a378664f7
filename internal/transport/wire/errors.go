package wire

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"

	"github.com/hmrd/hmrd/internal/broadcast"
	"github.com/hmrd/hmrd/internal/control"
)

// Code maps the daemon's errors to gRPC status codes, for every transport:
// the gRPC server returns it as the call's status, the WebSocket bridge
// names it in a Refused answer, so one request is refused alike on both.
func Code(err error) codes.Code {
	var inv *control.InvalidArgumentError
	var nf *control.NotFoundError
	switch {
	case err == nil:
		return codes.OK
	case errors.As(err, &inv):
		return codes.InvalidArgument
	case errors.As(err, &nf):
		return codes.NotFound
	case errors.Is(err, control.ErrUnimplemented):
		return codes.Unimplemented
	case errors.Is(err, control.ErrUnknownProject), errors.Is(err, broadcast.ErrUnknownProject):
		return codes.NotFound
	case errors.Is(err, broadcast.ErrSlowConsumer):
		// The subscriber may resume: the message names the seq to resume from.
		return codes.ResourceExhausted
	case errors.Is(err, broadcast.ErrProjectRemoved):
		return codes.NotFound
	case errors.Is(err, broadcast.ErrClosed):
		return codes.Unavailable
	case errors.Is(err, context.Canceled):
		return codes.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return codes.DeadlineExceeded
	}
	return codes.Internal
}

// CodeName is a code's canonical name as in google.rpc.Code and gRPC's
// documentation ("NOT_FOUND"), which non-Go clients know it by.
func CodeName(c codes.Code) string {
	if name, ok := codeNames[c]; ok {
		return name
	}
	return "UNKNOWN"
}

var codeNames = map[codes.Code]string{
	codes.OK: "OK", codes.Canceled: "CANCELLED", codes.Unknown: "UNKNOWN",
	codes.InvalidArgument: "INVALID_ARGUMENT", codes.DeadlineExceeded: "DEADLINE_EXCEEDED",
	codes.NotFound: "NOT_FOUND", codes.AlreadyExists: "ALREADY_EXISTS",
	codes.PermissionDenied: "PERMISSION_DENIED", codes.ResourceExhausted: "RESOURCE_EXHAUSTED",
	codes.FailedPrecondition: "FAILED_PRECONDITION", codes.Aborted: "ABORTED",
	codes.OutOfRange: "OUT_OF_RANGE", codes.Unimplemented: "UNIMPLEMENTED",
	codes.Internal: "INTERNAL", codes.Unavailable: "UNAVAILABLE", codes.DataLoss: "DATA_LOSS",
	codes.Unauthenticated: "UNAUTHENTICATED",
}
