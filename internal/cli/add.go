package cli

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/hmrd/hmrd/clients/go/hmrdclient"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

var addCmd = &command{
	name:    "add",
	args:    "DIR",
	summary: "watch a directory as a new project",
	setup: func(fs *flag.FlagSet, e *env) func(context.Context, []string) error {
		e.connFlags(fs)
		name := fs.String("name", "", "project `name` (default the directory's base name)")
		var entries stringList
		fs.Var(&entries, "entry", "an extra entry `module` (repeatable), for runtimes without an HTML page")
		return func(ctx context.Context, args []string) error {
			if err := wantArgs(args, 1, "DIR"); err != nil {
				return err
			}
			// The daemon resolves relative roots against its own working
			// directory, which is not ours.
			root, err := filepath.Abs(args[0])
			if err != nil {
				return fmt.Errorf("add %s: %w", args[0], err)
			}
			return e.withClient(ctx, func(ctx context.Context, c *hmrdclient.Client) error {
				p, err := c.AddProject(ctx, &hmrdv1.AddProjectRequest{Root: root, Name: *name, Entries: entries})
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(e.stdout, "added project %s (%s): %d modules, %d live, %d entries\n",
					p.GetName(), p.GetRoot(), p.GetModules(), p.GetLiveModules(), p.GetEntries())
				if err == nil && p.GetHttpUrl() != "" {
					_, err = fmt.Fprintf(e.stdout, "serving it at %s\n", p.GetHttpUrl())
				}
				return err
			})
		}
	},
}
