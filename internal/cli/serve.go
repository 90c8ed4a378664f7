package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
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
		e.connFlags(fs)
		httpAddr := fs.String("http", "127.0.0.1:5173", "dev server `address`, or \"off\"")
		logLevel := fs.String("log-level", "info", "log `level`: debug, info, warn or error")
		var entries, conditions, allowHosts, allowOrigins stringList
		fs.Var(&entries, "entry", "an extra entry `module` for every project (repeatable)")
		fs.Var(&conditions, "condition", "an extra package.json exports `condition`, e.g. development (repeatable)")
		fs.Var(&allowHosts, "allow-host", "an extra `host` name the dev server answers, e.g. a LAN name (repeatable)")
		fs.Var(&allowOrigins, "allow-origin", "an extra exact `origin` allowed to open the WebSocket bridge (repeatable)")
		return func(ctx context.Context, args []string) error {
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
