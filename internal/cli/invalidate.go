package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/hmrd/hmrd/clients/go/hmrdclient"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

var invalidateCmd = &command{
	name:    "invalidate",
	args:    "MODULE",
	summary: "re-run propagation from a module's importers, as import.meta.hot.invalidate() does",
	setup: func(fs *flag.FlagSet, e *env) func(context.Context, []string) error {
		e.connFlags(fs)
		project := projectFlag(fs)
		message := fs.String("message", "", "why, as passed to invalidate(message)")
		return func(ctx context.Context, args []string) error {
			if err := wantArgs(args, 1, "MODULE"); err != nil {
				return err
			}
			module := args[0]
			return e.withClient(ctx, func(ctx context.Context, c *hmrdclient.Client) error {
				r, err := c.Invalidate(ctx, &hmrdv1.InvalidateRequest{Project: *project, Module: module, Message: *message})
				if err != nil {
					return err
				}
				if r.GetSeq() == 0 {
					_, err = fmt.Fprintf(e.stdout, "invalidate %s: nothing signalled (already invalidated, or the module was not hot-updated)\n", module)
				} else {
					_, err = fmt.Fprintf(e.stdout, "invalidated %s: signal seq %d\n", module, r.GetSeq())
				}
				return err
			})
		}
	},
}
