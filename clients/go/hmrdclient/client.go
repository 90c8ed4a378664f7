package hmrdclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"

	"github.com/hmrd/hmrd/internal/transport/rpcauth"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// ProtocolVersion is the hmrd protocol version this client speaks.
const ProtocolVersion = 1

// Default reconnect backoff of subscriptions
// (docs/design.md#limits-and-defaults).
const (
	DefaultMinBackoff = 50 * time.Millisecond
	DefaultMaxBackoff = 2 * time.Second
)

// Client is a connection to one hmrd daemon. It is safe for concurrent use.
type Client struct {
	cc       *grpc.ClientConn
	ep       endpoint
	hot      hmrdv1.HotServiceClient
	projects hmrdv1.ProjectServiceClient
	admin    hmrdv1.AdminServiceClient
	bundler  hmrdv1.BundlerServiceClient
	opts     options
}

type options struct {
	dialTimeout time.Duration
	minBackoff  time.Duration
	maxBackoff  time.Duration
	clientInfo  *hmrdv1.ClientInfo
	grpcOpts    []grpc.DialOption
	tls         *TLS
	token       string
	tokenFile   string
}

// Option configures Dial.
type Option func(*options)

// WithDialTimeout bounds Dial's check that a daemon listens (default 2s).
func WithDialTimeout(d time.Duration) Option { return func(o *options) { o.dialTimeout = d } }

// WithBackoff sets the reconnect backoff of subscriptions: the first retry
// waits about first, each further one twice as long, up to limit
// (defaults DefaultMinBackoff and DefaultMaxBackoff).
func WithBackoff(first, limit time.Duration) Option {
	return func(o *options) { o.minBackoff, o.maxBackoff = first, limit }
}

// WithClientInfo sets how subscriptions describe themselves in
// `hmrd status` when SubscribeOptions.Client is nil.
func WithClientInfo(ci *hmrdv1.ClientInfo) Option { return func(o *options) { o.clientInfo = ci } }

// WithGRPCOptions adds gRPC dial options (interceptors, for instance).
func WithGRPCOptions(opts ...grpc.DialOption) Option {
	return func(o *options) { o.grpcOpts = append(o.grpcOpts, opts...) }
}

// Dial connects to the daemon at target: "" for DefaultSocket(), a socket
// path or "unix://PATH", or "HOST:PORT" for TCP. TCP is plaintext unless
// TLS is configured (WithTLS, or HMRD_TLS_CA / HMRD_TLS_FINGERPRINT); a
// daemon on an address other than loopback serves only TLS and wants its
// token (WithToken, WithTokenFile or HMRD_TOKEN), so Dial refuses such a
// target without TLS. It fails fast with an error wrapping ErrNoDaemon (a
// *NoDaemonError) when nothing listens there.
func Dial(ctx context.Context, target string, opts ...Option) (*Client, error) {
	o := options{
		dialTimeout: 2 * time.Second,
		minBackoff:  DefaultMinBackoff,
		maxBackoff:  DefaultMaxBackoff,
		clientInfo:  &hmrdv1.ClientInfo{Name: "hmrdclient", Kind: "go"},
	}
	for _, opt := range opts {
		opt(&o)
	}
	if o.dialTimeout <= 0 {
		o.dialTimeout = 2 * time.Second
	}
	if o.minBackoff <= 0 {
		o.minBackoff = DefaultMinBackoff
	}
	if o.maxBackoff < o.minBackoff {
		o.maxBackoff = o.minBackoff
	}
	ep, err := parseTarget(target)
	if err != nil {
		return nil, err
	}
	creds, token, err := o.security(ep)
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, o.dialTimeout)
	err = probe(pctx, ep)
	cancel()
	if err != nil {
		return nil, err
	}

	dial := func(ctx context.Context, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, ep.network, ep.address)
	}
	gopts := []grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		grpc.WithContextDialer(dial),
		// gRPC's own reconnect backoff (1s..120s by default) would hide a
		// restarted daemon from us for minutes; keep it within our 2s.
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: o.minBackoff, Multiplier: 2, Jitter: 0.2, MaxDelay: o.maxBackoff},
			MinConnectTimeout: 5 * time.Second,
		}),
		// Notice a dead peer on an idle stream; the daemon permits pings
		// every 10s or more (docs/design.md#limits-and-defaults).
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 30 * time.Second, Timeout: 10 * time.Second}),
		// Static flow-control windows: with the default dynamic window,
		// grpc-go estimates bandwidth by sending a ping with almost every
		// data frame it receives, and the daemon answers each: on an
		// event stream of small messages that is a write on both sides
		// per signal for nothing. 1 MiB per stream and 4 MiB per
		// connection keep a local socket's throughput for large replies
		// (GetGraph of a big project).
		grpc.WithInitialWindowSize(1 << 20),
		grpc.WithInitialConnWindowSize(4 << 20),
	}
	if ep.network == "unix" {
		// The :authority would otherwise be the socket path.
		gopts = append(gopts, grpc.WithAuthority("localhost"))
	}
	if token != "" {
		gopts = append(gopts, grpc.WithPerRPCCredentials(rpcauth.BearerToken(token)))
	}
	gopts = append(gopts, o.grpcOpts...)
	cc, err := grpc.NewClient("passthrough:///"+ep.address, gopts...)
	if err != nil {
		return nil, fmt.Errorf("hmrd dial %s: %w", ep, err)
	}
	cc.Connect()
	return &Client{
		cc:       cc,
		ep:       ep,
		hot:      hmrdv1.NewHotServiceClient(cc),
		projects: hmrdv1.NewProjectServiceClient(cc),
		admin:    hmrdv1.NewAdminServiceClient(cc),
		bundler:  hmrdv1.NewBundlerServiceClient(cc),
		opts:     o,
	}, nil
}

// probe checks that something accepts connections at ep, so Dial can say
// "no daemon" at once. The connection is closed before any gRPC preface,
// which a gRPC server drops silently.
func probe(ctx context.Context, ep endpoint) error {
	if ep.network == "unix" {
		fi, err := os.Stat(ep.address)
		if errors.Is(err, fs.ErrNotExist) {
			return &NoDaemonError{Addr: ep.address, Err: err}
		}
		if err != nil {
			return fmt.Errorf("hmrd socket %s: %w", ep.address, err)
		}
		if fi.Mode()&fs.ModeSocket == 0 {
			return fmt.Errorf("hmrd socket %s: not a socket", ep.address)
		}
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, ep.network, ep.address)
	if err != nil {
		var nerr net.Error
		switch {
		case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ENOENT):
			// Refused on a unix socket: a stale file left by a killed daemon.
			return &NoDaemonError{Addr: ep.address, Err: err}
		case errors.As(err, &nerr) && nerr.Timeout(), errors.Is(err, context.DeadlineExceeded):
			return &NoDaemonError{Addr: ep.address, Err: err}
		case ctx.Err() != nil:
			return fmt.Errorf("hmrd dial %s: %w", ep.address, ctx.Err())
		}
		return fmt.Errorf("hmrd dial %s: %w", ep.address, err)
	}
	return c.Close()
}

// Addr is the daemon's address: the socket path or host:port.
func (c *Client) Addr() string { return c.ep.address }

// Network is "unix" or "tcp".
func (c *Client) Network() string { return c.ep.network }

// Conn is the underlying gRPC connection, for services this package does
// not wrap (health, reflection).
func (c *Client) Conn() *grpc.ClientConn { return c.cc }

// Close closes the connection; subscriptions on it end.
func (c *Client) Close() error {
	if err := c.cc.Close(); err != nil {
		return fmt.Errorf("hmrd close %s: %w", c.ep, err)
	}
	return nil
}

// Methods take a request's fields as arguments when it has one or two, and
// the request message otherwise. An empty project means "the only one",
// which the daemon accepts when it has exactly one project.

// Invalidate is import.meta.hot.invalidate(): propagation re-runs from the
// importers of req.Module. The response's Seq is 0 when nothing was
// signalled.
func (c *Client) Invalidate(ctx context.Context, req *hmrdv1.InvalidateRequest) (*hmrdv1.InvalidateResponse, error) {
	resp, err := c.hot.Invalidate(ctx, req)
	return resp, rpcError(ctx, "invalidate "+req.GetModule(), err)
}

// ReportLoaded tells the daemon that a runtime loaded these lazily imported
// modules, so their edits propagate.
func (c *Client) ReportLoaded(ctx context.Context, project string, modules ...string) (*hmrdv1.ReportLoadedResponse, error) {
	resp, err := c.hot.ReportLoaded(ctx, &hmrdv1.ReportLoadedRequest{Project: project, Modules: modules})
	return resp, rpcError(ctx, "report loaded", err)
}

// SendCustom publishes a custom event (data is JSON text, "" for null) to
// the project's subscribers.
func (c *Client) SendCustom(ctx context.Context, project, event, data string) (*hmrdv1.SendCustomResponse, error) {
	resp, err := c.hot.SendCustom(ctx, &hmrdv1.SendCustomRequest{Project: project, Event: event, Data: data})
	return resp, rpcError(ctx, "send custom "+event, err)
}

// Explain says what an edit of module (a module ID or a file path) would
// signal now, and why.
func (c *Client) Explain(ctx context.Context, project, module string) (*hmrdv1.ExplainResponse, error) {
	resp, err := c.projects.Explain(ctx, &hmrdv1.ExplainRequest{Project: project, Module: module})
	return resp, rpcError(ctx, "explain "+module, err)
}

// Compile compiles one TypeScript or JSX source of the project (the file's
// absolute path and the source as read from it) to a JavaScript module,
// with the settings the daemon scans it with. A syntax error is
// resp.Error, not err.
func (c *Client) Compile(ctx context.Context, project, file string, source []byte) (*hmrdv1.CompileResponse, error) {
	resp, err := c.projects.Compile(ctx, &hmrdv1.CompileRequest{Project: project, File: file, Source: source})
	return resp, rpcError(ctx, "compile "+file, err)
}

// GetGraph returns a snapshot of the project's module graph. It reads the
// snapshot in parts (StreamGraph), so a graph of any size arrives within
// the default message limits; a daemon without StreamGraph is asked with
// the one-message GetGraph.
func (c *Client) GetGraph(ctx context.Context, project string) (*hmrdv1.GetGraphResponse, error) {
	resp, err := c.streamGraph(ctx, project)
	if status.Code(err) == codes.Unimplemented {
		resp, err = c.projects.GetGraph(ctx, &hmrdv1.GetGraphRequest{Project: project})
	}
	return resp, rpcError(ctx, "graph", err)
}

func (c *Client) streamGraph(ctx context.Context, project string) (*hmrdv1.GetGraphResponse, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.projects.StreamGraph(ctx, &hmrdv1.StreamGraphRequest{Project: project})
	if err != nil {
		return nil, err
	}
	var out *hmrdv1.GetGraphResponse
	for {
		part, err := stream.Recv()
		if err == io.EOF {
			if out == nil {
				return nil, status.Error(codes.DataLoss, "graph stream ended before its first part")
			}
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = &hmrdv1.GetGraphResponse{Root: part.GetRoot(), HeadSeq: part.GetHeadSeq()}
		}
		out.Modules = append(out.Modules, part.GetModules()...)
	}
}

// AddProject starts watching req.Root (best absolute: a relative root is
// taken relative to the daemon's working directory).
func (c *Client) AddProject(ctx context.Context, req *hmrdv1.AddProjectRequest) (*hmrdv1.Project, error) {
	resp, err := c.projects.AddProject(ctx, req)
	if err != nil {
		return nil, rpcError(ctx, "add project "+req.GetRoot(), err)
	}
	return resp.GetProject(), nil
}

// RemoveProject stops watching a project; its subscribers' streams end.
func (c *Client) RemoveProject(ctx context.Context, project string) error {
	_, err := c.projects.RemoveProject(ctx, &hmrdv1.RemoveProjectRequest{Project: project})
	return rpcError(ctx, "remove project "+project, err)
}

// ListProjects lists the daemon's projects.
func (c *Client) ListProjects(ctx context.Context) ([]*hmrdv1.Project, error) {
	resp, err := c.projects.ListProjects(ctx, &hmrdv1.ListProjectsRequest{})
	if err != nil {
		return nil, rpcError(ctx, "list projects", err)
	}
	return resp.GetProjects(), nil
}

// Status reports the daemon, its projects and its subscribers.
func (c *Client) Status(ctx context.Context) (*hmrdv1.StatusResponse, error) {
	resp, err := c.admin.Status(ctx, &hmrdv1.StatusRequest{})
	return resp, rpcError(ctx, "status", err)
}
