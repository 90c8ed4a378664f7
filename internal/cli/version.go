package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"runtime"
	"time"

	"github.com/hmrd/hmrd/clients/go/hmrdclient"
)

var versionCmd = &command{
	name:    "version",
	summary: "print the client's version, and the daemon's if one answers",
	setup: func(fs *flag.FlagSet, e *env) func(context.Context, []string) error {
		e.connFlags(fs)
		return func(ctx context.Context, args []string) error {
			if err := wantArgs(args, 0, "version"); err != nil {
				return err
			}
			w := &errWriter{w: e.stdout}
			fmt.Fprintf(w, "hmrd %s (%s, %s/%s, protocol %d)\n", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH, hmrdclient.ProtocolVersion)
			// The daemon's version is extra information: its absence is
			// reported, never an error of this command.
			ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			err := e.withClient(ctx, func(ctx context.Context, c *hmrdclient.Client) error {
				st, err := c.Status(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(w, "daemon %s at %s (protocol %d, epoch %s)\n", st.GetDaemonVersion(), e.addr(), st.GetProtocolVersion(), st.GetEpoch())
				return nil
			})
			var ue *usageError
			switch {
			case errors.As(err, &ue):
				return err
			case errors.Is(err, hmrdclient.ErrNoDaemon):
				fmt.Fprintf(w, "daemon: none running at %s\n", e.addr())
			case err != nil:
				fmt.Fprintf(w, "daemon: %v\n", err)
			}
			return w.err
		}
	},
}
