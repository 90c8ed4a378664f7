package rpcserver

import (
	"context"
	"sync"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// healthServer is grpc-go's health service with one change: Shutdown also
// ends open Watch streams. grpc-go's Shutdown only sends them NOT_SERVING
// and leaves them open, and a Watch ends only when its client goes away,
// so GracefulStop would wait on every watcher for the daemon's whole grace
// period.
type healthServer struct {
	*health.Server
	stop     chan struct{}
	stopOnce sync.Once
}

func newHealthServer() *healthServer {
	return &healthServer{Server: health.NewServer(), stop: make(chan struct{})}
}

// Shutdown marks every service NOT_SERVING, then ends the Watch streams,
// each after it has sent NOT_SERVING.
func (h *healthServer) Shutdown() {
	h.Server.Shutdown()
	h.stopOnce.Do(func() { close(h.stop) })
}

// Watch runs grpc-go's Watch on a stream whose context also ends at
// Shutdown.
func (h *healthServer) Watch(req *healthpb.HealthCheckRequest, stream healthpb.Health_WatchServer) error {
	ctx, cancel := context.WithCancel(stream.Context())
	defer cancel()
	go func() {
		select {
		case <-h.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	ws := &watchStream{Health_WatchServer: stream, ctx: ctx, last: -1}
	err := h.Server.Watch(req, ws)
	select {
	case <-h.stop:
	default:
		return err
	}
	if stream.Context().Err() != nil {
		return err // the client left on its own
	}
	// The inner Watch may have seen the end of its context before the
	// NOT_SERVING update: the watcher must still learn it.
	if ws.last != healthpb.HealthCheckResponse_NOT_SERVING {
		if err := stream.Send(&healthpb.HealthCheckResponse{Status: healthpb.HealthCheckResponse_NOT_SERVING}); err != nil {
			return err
		}
	}
	return status.Error(codes.Unavailable, "hmrd is shutting down")
}

// watchStream is a Watch stream with a context that ends at Shutdown; it
// remembers the last status sent. Only the inner Watch calls Send, from
// one goroutine.
type watchStream struct {
	healthpb.Health_WatchServer
	ctx  context.Context
	last healthpb.HealthCheckResponse_ServingStatus
}

func (s *watchStream) Context() context.Context { return s.ctx }

func (s *watchStream) Send(m *healthpb.HealthCheckResponse) error {
	err := s.Health_WatchServer.Send(m)
	if err == nil {
		s.last = m.GetStatus()
	}
	return err
}
