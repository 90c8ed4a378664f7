package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hmrd/hmrd/clients/go/hmrdclient"
	"github.com/hmrd/hmrd/daemon"
	"github.com/hmrd/hmrd/internal/fswatch"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// serve is the one command that does not go through the Go client: it is
// the daemon, run in the foreground until SIGINT/SIGTERM (main cancels ctx).
var serveCmd = &command{
	name:    "serve",
	args:    "[DIR...]",
	summary: "run the daemon in the foreground, watching each DIR (default .) as a project",
	setup: func(fs *flag.FlagSet, e *env) func(context.Context, []string) error {
		e.listenFlags(fs, "also serve gRPC on TCP at `host:port`; an address other machines can reach requires TLS and the token (docs/operations.md#remote-access)")
		grpcSecure := fs.Bool("grpc-secure", false, "require TLS and the token on --grpc even on a loopback address")
		tlsCert := fs.String("tls-cert", "", "PEM certificate `file` for --grpc (default: a self-signed one generated in the state directory)")
		tlsKey := fs.String("tls-key", "", "PEM key `file` of --tls-cert")
		stateDir := fs.String("state-dir", "", "`directory` for the gRPC token and generated TLS key pair (default $XDG_STATE_HOME/hmrd, else ~/.local/state/hmrd)")
		httpAddr := fs.String("http", "127.0.0.1:5173", "dev server `address` of the first DIR (the next DIRs take the next ports), or \"off\"")
		strictPort := fs.Bool("strict-port", false, "fail if the --http port is in use instead of moving to the next free one")
		logLevel := fs.String("log-level", "info", "log `level`: debug, info, warn or error")
		maxWatches := fs.Int("max-watches", 0, "watch at most `n` directories per project and poll the rest (0: as many as fs.inotify.max_user_watches allows)")
		pollInterval := fs.Duration("poll-interval", 0, "how often directories beyond the watch limit are polled (default 2s)")
		var entries, conditions, allowHosts, allowOrigins stringList
		fs.Var(&entries, "entry", "an extra entry `module` for every project (repeatable)")
		fs.Var(&conditions, "condition", "an extra package.json exports `condition`, e.g. development (repeatable)")
		fs.Var(&allowHosts, "allow-host", "an extra `host` name the dev server answers, e.g. a LAN name (repeatable)")
		fs.Var(&allowOrigins, "allow-origin", "an extra exact `origin` allowed to open the WebSocket bridge (repeatable)")
		history := fs.Int("history", daemon.DefaultHistory, "`events` of history per project, for subscribers that resume")
		historyBytes := byteSize(daemon.DefaultHistoryBytes)
		fs.Var(&historyBytes, "history-bytes", "`size` of history per project: 16MiB, 512KiB or a number of bytes")
		queueSize := fs.Int("queue-size", daemon.DefaultQueueSize, "`events` queued for a subscriber before it is cut off")
		queueBytes := byteSize(daemon.DefaultQueueBytes)
		fs.Var(&queueBytes, "queue-bytes", "`size` of the events queued for a subscriber before it is cut off")
		gateTimeout := fs.Duration("gate-timeout", daemon.DefaultGateTimeout, "how long a rebuild gate may hold a batch's signals before they go out without it, a `duration` (at most 1m)")
		parseErrorHold := fs.Duration("parse-error-hold", daemon.DefaultParseErrorHold, "how long a save that does not parse waits for the rest of the save before its error goes out, a `duration` (at most 5s)")
		lagTimeout := fs.Duration("lag-timeout", daemon.DefaultLagTimeout, "how long a signal may wait for a subscriber before it is cut off, a `duration` (0: no limit)")
		maxCustom := byteSize(daemon.DefaultMaxCustomBytes)
		fs.Var(&maxCustom, "max-custom-bytes", "largest custom event data accepted, a `size` of at most 4MiB less 64KiB")
		return func(ctx context.Context, args []string) error {
			for name, v := range map[string]string{"--token": e.token, "--token-file": e.tokenFile, "--tls-ca": e.tlsCA, "--tls-fingerprint": e.tlsPin} {
				if v != "" {
					return usagef("%s is for clients of a remote daemon; serve keeps its token and certificate in --state-dir", name)
				}
			}
			if *maxWatches < 0 || *pollInterval < 0 {
				return usagef("--max-watches and --poll-interval must not be negative")
			}
			var level slog.Level
			if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
				return usagef("--log-level %q: want debug, info, warn or error", *logLevel)
			}
			if *parseErrorHold <= 0 || *parseErrorHold > daemon.MaxParseErrorHold {
				return usagef("--parse-error-hold must be more than 0 and at most %s", daemon.MaxParseErrorHold)
			}
			if *gateTimeout <= 0 || *gateTimeout > daemon.MaxGateTimeout {
				return usagef("--gate-timeout must be more than 0 and at most %s", daemon.MaxGateTimeout)
			}
			if *history <= 0 || *queueSize <= 0 || *lagTimeout < 0 {
				return usagef("--history and --queue-size must be positive, --lag-timeout 0 or more")
			}
			lag := *lagTimeout
			if lag == 0 {
				lag = -1 // the daemon's "no limit"
			}
			dirs := args
			if len(dirs) == 0 {
				dirs = []string{"."}
			}
			roots := make([]string, 0, len(dirs))
			for _, dir := range dirs {
				abs, err := filepath.Abs(dir)
				if err != nil {
					return fmt.Errorf("serve %s: %w", dir, err)
				}
				roots = append(roots, abs)
			}
			if e.grpcAddr == "" && daemonListening(e.socket) {
				// The daemon owns the engine a dev server asks, so the
				// running one serves these projects too.
				explicit := false
				fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "http" })
				dev := &hmrdv1.DevServerOptions{StrictPort: *strictPort}
				if explicit || *httpAddr == "off" {
					dev.Addr = *httpAddr
				}
				return e.serveInRunning(ctx, roots, dev)
			}
			d, err := daemon.New(daemon.Config{
				Roots:          roots,
				Entries:        entries,
				Conditions:     conditions,
				Socket:         e.socket, // "" is the daemon's default, the client's default too
				GRPCAddr:       e.grpcAddr,
				GRPCSecure:     *grpcSecure,
				TLSCert:        *tlsCert,
				TLSKey:         *tlsKey,
				StateDir:       *stateDir,
				HTTPAddr:       *httpAddr,
				StrictPort:     *strictPort,
				AllowHosts:     allowHosts,
				AllowOrigins:   allowOrigins,
				History:        *history,
				HistoryBytes:   int(historyBytes),
				QueueSize:      *queueSize,
				QueueBytes:     int(queueBytes),
				LagTimeout:     lag,
				GateTimeout:    *gateTimeout,
				ParseErrorHold: *parseErrorHold,
				MaxCustomBytes: int(maxCustom),
				Watch:          fswatch.Options{MaxWatches: *maxWatches, PollInterval: *pollInterval},
				Version:        Version,
				Logger:         slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level})),
			})
			if err != nil {
				return err
			}
			go func() {
				select {
				case <-d.Ready():
					for _, ds := range d.DevServers() {
						for _, port := range ds.BusyPorts {
							fmt.Fprintf(e.stderr, "hmrd: port %d is in use, trying another one...\n", port)
						}
						fmt.Fprintf(e.stderr, "hmrd: serving %s at %s\n", ds.Root, ds.URL)
					}
					if ra, ok := d.RemoteAccess(); ok {
						printRemoteAccess(e.stderr, ra)
					}
				case <-ctx.Done():
				}
			}()
			if err := d.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				return err
			}
			return nil
		}
	},
}

// printRemoteAccess tells the person starting the daemon what remote
// clients need: the certificate's fingerprint and where the token is (the
// token itself is never printed).
func printRemoteAccess(w io.Writer, ra daemon.RemoteAccess) {
	_, port, _ := net.SplitHostPort(ra.Addr)
	fmt.Fprintf(w, "hmrd: gRPC at %s requires TLS and a token\n", ra.Addr)
	fmt.Fprintf(w, "hmrd:   certificate fingerprint %s (%s)\n", ra.Fingerprint, ra.CertFile)
	fmt.Fprintf(w, "hmrd:   token in %s (copy it to the client; keep it private)\n", ra.TokenFile)
	fmt.Fprintf(w, "hmrd:   connect with: hmrd --grpc HOST:%s --tls-fingerprint %s --token-file FILE status\n", port, ra.Fingerprint)
}

// byteSize is a flag of a size in bytes, written as a number of bytes or
// with a binary unit: 512KiB, 16MiB, 1GiB. It must be positive.
type byteSize int

var sizeUnits = []struct {
	suffix string
	n      int
}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}

func (b *byteSize) String() string {
	for _, u := range sizeUnits {
		if int(*b) >= u.n && int(*b)%u.n == 0 {
			return strconv.Itoa(int(*b)/u.n) + u.suffix
		}
	}
	return strconv.Itoa(int(*b))
}

func (b *byteSize) Set(s string) error {
	num, unit := s, 1
	for _, u := range sizeUnits {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			num, unit = strings.TrimSpace(rest), u.n
			break
		}
	}
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 || n > math.MaxInt/unit {
		return fmt.Errorf("want a positive size such as 16MiB, 512KiB or 1048576")
	}
	*b = byteSize(n * unit)
	return nil
}

// daemonListening reports whether a daemon accepts connections on the
// unix socket (the default one for "").
func daemonListening(socket string) bool {
	if socket == "" {
		socket = daemon.DefaultSocket()
	}
	c, err := net.DialTimeout("unix", socket, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// serveInRunning adds each root to the running daemon, which serves it on
// its own port, prints the URLs, and stays in the foreground: on SIGINT the
// projects it added are removed again, as stopping `hmrd serve` stops
// serving; when the daemon stops, it ends with an error. A root the daemon
// already watches is only shown.
func (e *env) serveInRunning(ctx context.Context, roots []string, dev *hmrdv1.DevServerOptions) error {
	c, err := e.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	var added []string
	defer func() {
		// ctx is cancelled by now: removing gets its own few seconds.
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, name := range added {
			if err := c.RemoveProject(rctx, name); err != nil {
				fmt.Fprintf(e.stderr, "hmrd: remove project %s: %v\n", name, err)
			}
		}
	}()
	for _, root := range roots {
		p, err := c.AddProject(ctx, &hmrdv1.AddProjectRequest{Root: root, DevServer: dev})
		if status.Code(err) == codes.InvalidArgument && strings.Contains(err.Error(), "already watched") {
			if p, err = findProject(ctx, c, root); err != nil {
				return err
			}
		} else if err != nil {
			return err
		} else {
			added = append(added, p.GetName())
		}
		if _, want, err := net.SplitHostPort(dev.GetAddr()); err == nil && p.GetHttpUrl() != "" && !strings.Contains(p.GetHttpUrl(), ":"+want+"/") && want != "0" {
			fmt.Fprintf(e.stderr, "hmrd: port %s is in use, trying another one...\n", want)
		}
		if u := p.GetHttpUrl(); u != "" {
			fmt.Fprintf(e.stderr, "hmrd: serving %s at %s (daemon at %s, project %s)\n", p.GetRoot(), u, e.addr(), p.GetName())
		} else {
			fmt.Fprintf(e.stderr, "hmrd: watching %s in the daemon at %s (project %s; no dev server)\n", p.GetRoot(), e.addr(), p.GetName())
		}
	}
	return waitDaemon(ctx, c)
}

// waitDaemon returns nil once ctx is done (SIGINT), or an error when the
// daemon stops first: its health stream turns NOT_SERVING or ends.
func waitDaemon(ctx context.Context, c *hmrdclient.Client) error {
	w, err := healthpb.NewHealthClient(c.Conn()).Watch(ctx, &healthpb.HealthCheckRequest{})
	for err == nil {
		var resp *healthpb.HealthCheckResponse
		if resp, err = w.Recv(); err == nil && resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			err = errors.New(resp.GetStatus().String())
		}
	}
	if ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("serve: the daemon at %s stopped (%v); its projects are no longer served", c.Addr(), err)
}

// findProject returns the project of the daemon whose root is root.
func findProject(ctx context.Context, c *hmrdclient.Client, root string) (*hmrdv1.Project, error) {
	ps, err := c.ListProjects(ctx)
	if err != nil {
		return nil, err
	}
	real, _ := filepath.EvalSymlinks(root)
	for _, p := range ps {
		if p.GetRoot() == root || p.GetRoot() == real {
			return p, nil
		}
	}
	return nil, fmt.Errorf("serve %s: the daemon watches it, but it is not among its projects", root)
}
