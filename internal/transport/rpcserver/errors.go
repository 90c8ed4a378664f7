package rpcserver

import (
	"google.golang.org/grpc/status"

	"github.com/hmrd/hmrd/internal/transport/wire"
)

// toStatus maps the daemon's errors to gRPC status codes; the message stays
// the daemon's sentence, which clients show as is.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	return status.Error(wire.Code(err), err.Error())
}
