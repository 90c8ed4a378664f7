// Package rpcserver is the gRPC adapter of the daemon: it converts between
// proto/hmrd/v1 messages and the daemon's control.Service and maps errors
// to status codes. It holds no HMR logic (docs/design.md#shape): every
// decision is the engine's, every sequence number the hub's.
package rpcserver

import (
	"log/slog"
	"net"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"

	"github.com/hmrd/hmrd/internal/control"
	"github.com/hmrd/hmrd/internal/transport/ratelog"
	"github.com/hmrd/hmrd/internal/transport/rpcauth"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// Options tune the server; zero values take the defaults of
// docs/design.md#limits-and-defaults.
type Options struct {
	// MaxRecvMsgSize bounds a request (default 4 MiB).
	MaxRecvMsgSize int
	// MaxConcurrentStreams per connection (default 256).
	MaxConcurrentStreams uint32
	// KeepaliveTime / KeepaliveTimeout ping idle connections (30s / 10s).
	KeepaliveTime, KeepaliveTimeout time.Duration
	// Creds are the transport credentials (TLS for a listener other
	// machines can reach, rpcauth.ServerCredentials); nil is plaintext,
	// for the unix socket and loopback.
	Creds credentials.TransportCredentials
	// Token, when set, must come with every RPC as "authorization: Bearer
	// <token>" (rpcauth); the RPC is refused UNAUTHENTICATED otherwise.
	Token string
	// Logger receives refused RPCs, rate-limited (default: discarded).
	Logger *slog.Logger
	// UnaryInterceptor and StreamInterceptor, if set, run around every
	// unary and streaming call (after the token check). The daemon sets
	// none; tests use them to see requests as they arrived on the wire,
	// fields the control surface does not take included (hmrdtest).
	UnaryInterceptor  grpc.UnaryServerInterceptor
	StreamInterceptor grpc.StreamServerInterceptor
}

// Server is a gRPC server exposing the hmrd services, health and
// reflection.
type Server struct {
	g        *grpc.Server
	health   *healthServer
	refusals *ratelog.Limiter
}

// New registers the hmrd.v1 services over svc.
func New(svc control.Service, o Options) *Server {
	if o.MaxRecvMsgSize == 0 {
		o.MaxRecvMsgSize = 4 << 20
	}
	if o.MaxConcurrentStreams == 0 {
		o.MaxConcurrentStreams = 256
	}
	if o.KeepaliveTime == 0 {
		o.KeepaliveTime = 30 * time.Second
	}
	if o.KeepaliveTimeout == 0 {
		o.KeepaliveTimeout = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	refusals := ratelog.New(o.Logger, ratelog.DefaultInterval)
	opts := []grpc.ServerOption{
		grpc.MaxRecvMsgSize(o.MaxRecvMsgSize),
		grpc.MaxConcurrentStreams(o.MaxConcurrentStreams),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: o.KeepaliveTime, Timeout: o.KeepaliveTimeout}),
		// Subscribers idle for long stretches and clients ping to detect a
		// dead daemon: allow it, but not more often than every 10 s.
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
	}
	if o.Creds != nil {
		opts = append(opts, grpc.Creds(o.Creds))
	}
	var unary []grpc.UnaryServerInterceptor
	var stream []grpc.StreamServerInterceptor
	if o.Token != "" {
		// Every service registered below, health and reflection included,
		// goes through these first: nothing is served without the token.
		refused := func(method, peer string, err error) {
			refusals.Warn("grpc refused", "method", method, "peer", peer, "err", err)
		}
		unary = append(unary, rpcauth.UnaryInterceptor(o.Token, refused))
		stream = append(stream, rpcauth.StreamInterceptor(o.Token, refused))
	}
	if o.UnaryInterceptor != nil {
		unary = append(unary, o.UnaryInterceptor)
	}
	if o.StreamInterceptor != nil {
		stream = append(stream, o.StreamInterceptor)
	}
	if len(unary) > 0 {
		opts = append(opts, grpc.ChainUnaryInterceptor(unary...))
	}
	if len(stream) > 0 {
		opts = append(opts, grpc.ChainStreamInterceptor(stream...))
	}
	g := grpc.NewServer(opts...)
	hmrdv1.RegisterHotServiceServer(g, &hotServer{svc: svc})
	hmrdv1.RegisterProjectServiceServer(g, &projectServer{svc: svc})
	hmrdv1.RegisterAdminServiceServer(g, &adminServer{svc: svc})
	hmrdv1.RegisterBundlerServiceServer(g, &bundlerServer{svc: svc})
	hs := newHealthServer()
	for _, name := range []string{"", hmrdv1.HotService_ServiceDesc.ServiceName, hmrdv1.ProjectService_ServiceDesc.ServiceName, hmrdv1.AdminService_ServiceDesc.ServiceName} {
		hs.SetServingStatus(name, healthpb.HealthCheckResponse_SERVING)
	}
	healthpb.RegisterHealthServer(g, hs)
	reflection.Register(g)
	return &Server{g: g, health: hs, refusals: refusals}
}

// Serve accepts connections on l until Stop or GracefulStop.
func (s *Server) Serve(l net.Listener) error { return s.g.Serve(l) }

// GracefulStop marks the server NOT_SERVING and ends health Watch streams,
// stops accepting, and waits for in-flight calls and streams to end.
func (s *Server) GracefulStop() {
	s.health.Shutdown()
	s.g.GracefulStop()
	s.refusals.Close()
}

// Stop cuts every connection at once.
func (s *Server) Stop() {
	s.health.Shutdown()
	s.g.Stop()
	s.refusals.Close()
}
