package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/hmrd/hmrd/clients/go/hmrdclient"
)

var removeCmd = &command{
	name:    "remove",
	args:    "PROJECT",
	summary: "stop watching a project (its subscribers' streams end)",
	setup: func(fs *flag.FlagSet, e *env) func(context.Context, []string) error {
		e.connFlags(fs)
		return func(ctx context.Context, args []string) error {
			if err := wantArgs(args, 1, "PROJECT"); err != nil {
				return err
			}
			return e.withClient(ctx, func(ctx context.Context, c *hmrdclient.Client) error {
				if err := c.RemoveProject(ctx, args[0]); err != nil {
					return err
				}
				_, err := fmt.Fprintf(e.stdout, "removed project %s\n", args[0])
				return err
			})
		}
	},
}
