package cli

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/hmrd/hmrd/clients/go/hmrdclient"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

var graphCmd = &command{
	name:    "graph",
	summary: "print a project's module graph (a list, --json, or --dot for Graphviz)",
	setup: func(fs *flag.FlagSet, e *env) func(context.Context, []string) error {
		e.connFlags(fs)
		project := projectFlag(fs)
		asJSON := fs.Bool("json", false, "print the GetGraphResponse as protojson")
		asDot := fs.Bool("dot", false, "print a Graphviz digraph (pipe into `dot -Tsvg`)")
		return func(ctx context.Context, args []string) error {
			if err := wantArgs(args, 0, "graph"); err != nil {
				return err
			}
			if *asJSON && *asDot {
				return usagef("--json and --dot are two formats: pass one")
			}
			return e.withClient(ctx, func(ctx context.Context, c *hmrdclient.Client) error {
				g, err := c.GetGraph(ctx, *project)
				if err != nil {
					return err
				}
				switch {
				case *asJSON:
					return writeJSON(e.stdout, g)
				case *asDot:
					return writeDot(e.stdout, g)
				}
				return writeGraphList(e.stdout, g)
			})
		}
	},
}

// isDynamic: an edge that only loads its target when run (import()).
func isDynamic(ed *hmrdv1.Edge) bool { return ed.GetKind() == "dynamic" }

// lazyModules are the live modules that no entry reaches through static
// edges alone: they count as loaded only once a runtime fetched them.
// The graph has no "lazy" field, so this is derived from its edges.
func lazyModules(g *hmrdv1.GetGraphResponse) map[string]bool {
	byID := make(map[string]*hmrdv1.Module, len(g.GetModules()))
	var queue []string
	eager := map[string]bool{}
	for _, m := range g.GetModules() {
		byID[m.GetId()] = m
		if m.GetEntry() {
			eager[m.GetId()] = true
			queue = append(queue, m.GetId())
		}
	}
	for len(queue) > 0 {
		m := byID[queue[0]]
		queue = queue[1:]
		for _, ed := range m.GetImports() {
			if t := ed.GetTarget(); t != "" && !isDynamic(ed) && !eager[t] && byID[t] != nil {
				eager[t] = true
				queue = append(queue, t)
			}
		}
	}
	lazy := map[string]bool{}
	if len(eager) == 0 {
		return lazy // no entries known: nothing to measure laziness against
	}
	for _, m := range g.GetModules() {
		if m.GetLive() && !eager[m.GetId()] {
			lazy[m.GetId()] = true
		}
	}
	return lazy
}

// moduleFlags are a module's HMR facts in a few words.
func moduleFlags(m *hmrdv1.Module, lazy bool) []string {
	var f []string
	if m.GetEntry() {
		f = append(f, "entry")
	}
	if m.GetSelfAccepting() {
		f = append(f, "self-accepting")
	}
	if m.GetPartialAccept() {
		f = append(f, "partial("+strings.Join(m.GetAcceptedExports(), ",")+")")
	}
	if deps := m.GetAcceptedDeps(); len(deps) > 0 {
		f = append(f, "accepts("+strings.Join(deps, ",")+")")
	}
	if m.GetDeclined() {
		f = append(f, "declined")
	}
	if deps := m.GetDeclinedDeps(); len(deps) > 0 {
		f = append(f, "declines("+strings.Join(deps, ",")+")")
	}
	if lazy {
		if m.GetLoaded() {
			f = append(f, "lazy(loaded)")
		} else {
			f = append(f, "lazy")
		}
	}
	if !m.GetLive() {
		f = append(f, "not-live")
	}
	unresolved := 0
	for _, ed := range m.GetImports() {
		if ed.GetTarget() == "" {
			unresolved++
		}
	}
	if unresolved > 0 {
		f = append(f, "unresolved("+strconv.Itoa(unresolved)+")")
	}
	if m.GetError() != "" {
		f = append(f, "error")
	}
	return f
}

func sortedModules(g *hmrdv1.GetGraphResponse) []*hmrdv1.Module {
	ms := slices.Clone(g.GetModules())
	slices.SortFunc(ms, func(a, b *hmrdv1.Module) int { return cmp.Compare(a.GetId(), b.GetId()) })
	return ms
}

func writeGraphList(w io.Writer, g *hmrdv1.GetGraphResponse) error {
	lazy := lazyModules(g)
	ms := sortedModules(g)
	live, entries := 0, 0
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MODULE\tKIND\tIMPORTERS\tIMPORTS\tFLAGS")
	for _, m := range ms {
		if m.GetLive() {
			live++
		}
		if m.GetEntry() {
			entries++
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", m.GetId(), orDash(m.GetKind()),
			len(m.GetImporters()), len(m.GetImports()), orDash(strings.Join(moduleFlags(m, lazy[m.GetId()]), " ")))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	noun := "entries"
	if entries == 1 {
		noun = "entry"
	}
	_, err := fmt.Fprintf(w, "\n%d modules (%d live, %d %s) in %s\n", len(ms), live, entries, noun, orDash(g.GetRoot()))
	return err
}

// writeDot draws the graph for Graphviz: entries as boxes, accept
// boundaries double-circled (green when self-accepting, orange when
// partially), declines in red, lazy modules dashed, modules nothing live
// imports grey; edges are labelled with their kind unless static, and
// green where the importer accepts the dependency.
func writeDot(out io.Writer, g *hmrdv1.GetGraphResponse) error {
	w := &errWriter{w: out}
	lazy := lazyModules(g)
	ms := sortedModules(g)
	fmt.Fprintln(w, "digraph hmrd {")
	if g.GetRoot() != "" {
		fmt.Fprintf(w, "  label=%s;\n  labelloc=t;\n", dotQuote(g.GetRoot()))
	}
	fmt.Fprintln(w, "  rankdir=LR;")
	fmt.Fprintln(w, `  node [shape=ellipse, fontname="Helvetica", fontsize=10];`)
	fmt.Fprintln(w, `  edge [fontname="Helvetica", fontsize=9];`)
	for _, m := range ms {
		var a []string
		switch {
		case m.GetEntry():
			a = append(a, "shape=box")
		case m.GetSelfAccepting() || m.GetPartialAccept():
			a = append(a, "shape=doublecircle")
		}
		switch {
		case m.GetError() != "":
			a = append(a, "color=red", "style=filled", "fillcolor=mistyrose")
		case m.GetDeclined():
			a = append(a, "color=red", "fontcolor=red")
		case m.GetSelfAccepting():
			a = append(a, "color=forestgreen")
		case m.GetPartialAccept():
			a = append(a, "color=darkorange")
		case !m.GetLive():
			a = append(a, "color=gray", "fontcolor=gray")
		}
		if lazy[m.GetId()] && m.GetError() == "" {
			a = append(a, "style=dashed")
		}
		if len(a) > 0 {
			fmt.Fprintf(w, "  %s [%s];\n", dotQuote(m.GetId()), strings.Join(a, ", "))
		} else {
			fmt.Fprintf(w, "  %s;\n", dotQuote(m.GetId()))
		}
	}
	for _, m := range ms {
		for _, ed := range m.GetImports() {
			var a, labels []string
			target := ed.GetTarget()
			if target == "" {
				// An unresolved import gets a node of its own per importer.
				target = "unresolved:" + m.GetId() + ":" + ed.GetSpecifier()
				fmt.Fprintf(w, "  %s [label=%s, shape=plaintext, fontcolor=red];\n",
					dotQuote(target), dotQuote(ed.GetSpecifier()+" (unresolved)"))
				a = append(a, "style=dotted", "color=red")
			}
			if k := ed.GetKind(); k != "" && k != "static" {
				labels = append(labels, k)
			}
			if isDynamic(ed) {
				a = append(a, "style=dashed")
			}
			switch {
			case slices.Contains(m.GetAcceptedDeps(), target):
				labels = append(labels, "accepts")
				a = append(a, "color=forestgreen")
			case slices.Contains(m.GetDeclinedDeps(), target):
				labels = append(labels, "declines")
				a = append(a, "color=red")
			}
			if len(labels) > 0 {
				a = append(a, "label="+dotQuote(strings.Join(labels, ", ")))
			}
			if len(a) > 0 {
				fmt.Fprintf(w, "  %s -> %s [%s];\n", dotQuote(m.GetId()), dotQuote(target), strings.Join(a, ", "))
			} else {
				fmt.Fprintf(w, "  %s -> %s;\n", dotQuote(m.GetId()), dotQuote(target))
			}
		}
	}
	fmt.Fprintln(w, "}")
	return w.err
}

// dotQuote is a DOT double-quoted string.
func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
