package rpcserver

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hmrd/hmrd/internal/broadcast"
	"github.com/hmrd/hmrd/internal/control"
)

// toStatus maps the daemon's errors to gRPC status codes; the message stays
// the daemon's sentence, which clients show as is.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	var (
		inv   *control.InvalidArgumentError
		limit *control.LimitError
	)
	code := codes.Internal
	switch {
	case errors.As(err, &inv), errors.As(err, &limit):
		code = codes.InvalidArgument
	case errors.Is(err, control.ErrUnknownProject), errors.Is(err, broadcast.ErrUnknownProject):
		code = codes.NotFound
	case errors.Is(err, broadcast.ErrSlowConsumer):
		// The subscriber may resume: the message names the seq to resume from.
		code = codes.ResourceExhausted
	case errors.Is(err, broadcast.ErrProjectRemoved):
		code = codes.NotFound
	case errors.Is(err, broadcast.ErrClosed):
		code = codes.Unavailable
	case errors.Is(err, context.Canceled):
		code = codes.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		code = codes.DeadlineExceeded
	}
	return status.Error(code, err.Error())
}
