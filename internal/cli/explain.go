package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hmrd/hmrd/clients/go/hmrdclient"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

var explainCmd = &command{
	name:    "explain",
	args:    "FILE|MODULE",
	summary: "say what an edit of a file would signal now, and why",
	setup: func(fs *flag.FlagSet, e *env) func(context.Context, []string) error {
		e.connFlags(fs)
		project := projectFlag(fs)
		asJSON := fs.Bool("json", false, "print the ExplainResponse as protojson")
		return func(ctx context.Context, args []string) error {
			if err := wantArgs(args, 1, "FILE or MODULE"); err != nil {
				return err
			}
			module := moduleArg(args[0])
			return e.withClient(ctx, func(ctx context.Context, c *hmrdclient.Client) error {
				r, err := c.Explain(ctx, *project, module)
				if err != nil {
					return err
				}
				if *asJSON {
					return writeJSON(e.stdout, r)
				}
				if !r.GetFound() {
					if r.GetNote() != "" {
						return fmt.Errorf("explain %s: %s", module, r.GetNote())
					}
					return fmt.Errorf("explain %s: not in the module graph", module)
				}
				return writeExplain(e.stdout, r)
			})
		}
	},
}

// moduleArg makes a file path the user typed relative to their working
// directory absolute, since the daemon reads relative paths as relative to
// the project root. Module IDs ("/src/a.js") and paths that name no file
// here go as typed.
func moduleArg(arg string) string {
	if strings.HasPrefix(arg, "/") {
		return arg
	}
	if fi, err := os.Stat(arg); err == nil && !fi.IsDir() {
		if abs, err := filepath.Abs(arg); err == nil {
			return abs
		}
	}
	return arg
}

func writeExplain(out io.Writer, r *hmrdv1.ExplainResponse) error {
	w := &errWriter{w: out}
	row := func(label, value string) { fmt.Fprintf(w, "%-10s %s\n", label, value) }
	row("module", r.GetModule())
	if r.GetFile() != "" {
		row("file", r.GetFile())
	}
	if r.GetKind() != "" {
		row("kind", r.GetKind())
	}
	row("state", moduleState(r))
	if len(r.GetImporters()) == 0 {
		row("importers", "none")
	} else {
		row("importers", strings.Join(r.GetImporters(), ", "))
	}
	switch fr := r.GetFullReload(); {
	case len(r.GetUpdates()) > 0:
		n := len(r.GetUpdates())
		row("outcome", fmt.Sprintf("hot update, %d boundar%s", n, plural(n, "y", "ies")))
		for _, mu := range r.GetUpdates() {
			row("", hmrdclient.DescribeModuleUpdate(mu))
		}
	case fr != nil:
		row("outcome", "full reload"+prefixed(" ", causeName(fr.GetCause())))
		row("reason", fr.GetReason())
		if len(fr.GetChain()) > 0 {
			row("chain", strings.Join(fr.GetChain(), hmrdclient.Arrow))
		}
		if p := fr.GetPath(); p != "" {
			if p == "*" {
				p = "every page"
			}
			row("reloads", p)
		}
	default:
		row("outcome", "nothing would be signalled")
	}
	if r.GetNote() != "" {
		row("note", r.GetNote())
	}
	return w.err
}

func moduleState(r *hmrdv1.ExplainResponse) string {
	var s []string
	if r.GetEntry() {
		s = append(s, "entry")
	}
	if r.GetLive() {
		s = append(s, "live")
	} else {
		s = append(s, "not live (no entry reaches it)")
	}
	if r.GetLoaded() {
		s = append(s, "loaded")
	} else if r.GetLive() {
		s = append(s, "not loaded (lazy, no runtime fetched it)")
	}
	return strings.Join(s, ", ")
}

// causeName is the cause in parentheses, or "" when unspecified.
func causeName(c hmrdv1.FullReloadCause) string {
	if c == hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_UNSPECIFIED {
		return ""
	}
	name := strings.TrimPrefix(c.String(), "FULL_RELOAD_CAUSE_")
	return "(" + strings.ReplaceAll(strings.ToLower(name), "_", " ") + ")"
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
