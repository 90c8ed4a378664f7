package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"

	"github.com/hmrd/hmrd/daemon"
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
		httpAddr := fs.String("http", "127.0.0.1:5173", "dev server `address`, or \"off\"")
		logLevel := fs.String("log-level", "info", "log `level`: debug, info, warn or error")
		var entries, conditions, allowHosts, allowOrigins stringList
		fs.Var(&entries, "entry", "an extra entry `module` for every project (repeatable)")
		fs.Var(&conditions, "condition", "an extra package.json exports `condition`, e.g. development (repeatable)")
		fs.Var(&allowHosts, "allow-host", "an extra `host` name the dev server answers, e.g. a LAN name (repeatable)")
		fs.Var(&allowOrigins, "allow-origin", "an extra exact `origin` allowed to open the WebSocket bridge (repeatable)")
		return func(ctx context.Context, args []string) error {
			for name, v := range map[string]string{"--token": e.token, "--token-file": e.tokenFile, "--tls-ca": e.tlsCA, "--tls-fingerprint": e.tlsPin} {
				if v != "" {
					return usagef("%s is for clients of a remote daemon; serve keeps its token and certificate in --state-dir", name)
				}
			}
			var level slog.Level
			if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
				return usagef("--log-level %q: want debug, info, warn or error", *logLevel)
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
			d, err := daemon.New(daemon.Config{
				Roots:        roots,
				Entries:      entries,
				Conditions:   conditions,
				Socket:       e.socket, // "" is the daemon's default, the client's default too
				GRPCAddr:     e.grpcAddr,
				GRPCSecure:   *grpcSecure,
				TLSCert:      *tlsCert,
				TLSKey:       *tlsKey,
				StateDir:     *stateDir,
				HTTPAddr:     *httpAddr,
				AllowHosts:   allowHosts,
				AllowOrigins: allowOrigins,
				Version:      Version,
				Logger:       slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level})),
			})
			if err != nil {
				return err
			}
			go func() {
				select {
				case <-d.Ready():
					if u := d.HTTPURL(); u != "" {
						fmt.Fprintf(e.stderr, "hmrd: serving %s at %s\n", roots[0], u)
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
