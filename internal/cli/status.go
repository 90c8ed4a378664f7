package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/hmrd/hmrd/clients/go/hmrdclient"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

var statusCmd = &command{
	name:    "status",
	summary: "show the daemon, its projects and its subscribers",
	setup: func(fs *flag.FlagSet, e *env) func(context.Context, []string) error {
		e.connFlags(fs)
		asJSON := fs.Bool("json", false, "print the StatusResponse as protojson")
		return func(ctx context.Context, args []string) error {
			if err := wantArgs(args, 0, "status"); err != nil {
				return err
			}
			return e.withClient(ctx, func(ctx context.Context, c *hmrdclient.Client) error {
				st, err := c.Status(ctx)
				if err != nil {
					return err
				}
				if *asJSON {
					return writeJSON(e.stdout, st)
				}
				return writeStatus(e.stdout, st, time.Now())
			})
		}
	},
}

// writeStatus prints st as aligned tables. now is the clock ages are
// measured against, a parameter so tests can pin it.
func writeStatus(w io.Writer, st *hmrdv1.StatusResponse, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "daemon:\thmrd %s (protocol %d, epoch %s)\n", st.GetDaemonVersion(), st.GetProtocolVersion(), st.GetEpoch())
	up := "-"
	if st.GetUptime() != nil {
		up = roundDuration(st.GetUptime().AsDuration())
	}
	if st.GetStarted() != nil {
		up += " (since " + st.GetStarted().AsTime().Local().Format("2006-01-02 15:04:05") + ")"
	}
	fmt.Fprintf(tw, "uptime:\t%s\n", up)
	fmt.Fprintf(tw, "listening:\t%s\n", orDash(strings.Join(st.GetListeners(), ", ")))
	fmt.Fprintf(tw, "runtime:\t%d goroutines, %s heap\n", st.GetGoroutines(), bytesIEC(st.GetHeapBytes()))
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintln(w)
	if len(st.GetProjects()) == 0 {
		fmt.Fprintln(w, "no projects (add one with `hmrd add DIR`)")
	} else {
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "PROJECT\tROOT\tURL\tMODULES\tENTRIES\tWATCHES\tERRORS\tHEAD\tLAST SIGNAL\tLATENCY")
		for _, ps := range st.GetProjects() {
			p := ps.GetProject()
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d/%d\t%d\t%d\t%d\t%d\t%s\t%s\n",
				p.GetName(), p.GetRoot(), orDash(p.GetHttpUrl()), p.GetLiveModules(), p.GetModules(), p.GetEntries(),
				ps.GetWatches(), p.GetErrors(), p.GetHeadSeq(),
				lastSignal(ps.GetLastSignal(), now), latency(ps))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		for _, ps := range st.GetProjects() {
			if d := ps.GetDegraded(); d != nil {
				writeDegraded(w, ps.GetProject().GetName(), d)
			}
		}
	}

	if err := writeRegistrations(w, st, now); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if len(st.GetSubscribers()) == 0 {
		fmt.Fprintln(w, "no subscribers")
		return nil
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SUBSCRIBER\tPROJECT\tCLIENT\tTRANSPORT\tLAST SEQ\tLAG\tQUEUE\tCONNECTED")
	for _, s := range st.GetSubscribers() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d/%d\t%s\n",
			s.GetId(), s.GetProject(), describeClient(s.GetClient()), orDash(s.GetTransport()),
			s.GetLastSeq(), s.GetLag(), s.GetQueueDepth(), s.GetQueueCapacity(), ago(s.GetConnected(), now))
	}
	return tw.Flush()
}

// writeDegraded explains a project that is partly polled:
//
//	degraded: app polls 120 directories every 2s (edits there are seen late):
//	  fs.inotify.max_user_watches = 8192 was reached; raise it: sudo sysctl -w fs.inotify.max_user_watches=524288
func writeDegraded(w io.Writer, project string, d *hmrdv1.WatchDegraded) {
	every := "-"
	if d.GetPollInterval() != nil {
		every = d.GetPollInterval().AsDuration().String()
	}
	fmt.Fprintf(w, "degraded: %s polls %d directories every %s (edits there are seen late):\n", project, d.GetPolledDirs(), every)
	limit := d.GetLimit()
	if d.GetLimitValue() > 0 {
		limit += fmt.Sprintf(" = %d", d.GetLimitValue())
	}
	fmt.Fprintf(w, "  %s was reached", limit)
	if d.GetRaise() != "" {
		fmt.Fprintf(w, "; raise it: %s", d.GetRaise())
	}
	fmt.Fprintln(w)
}

// lastSignal is "update seq 42, 3s ago", or "-" before any.
func lastSignal(ev *hmrdv1.Event, now time.Time) string {
	if ev == nil {
		return "-"
	}
	return fmt.Sprintf("%s seq %d, %s", hmrdclient.Kind(ev), ev.GetSeq(), ago(ev.GetTime(), now))
}

// latency is "3ms (median 5ms)", or "-" before the first signal (the
// daemon may send zero durations then).
func latency(ps *hmrdv1.ProjectStatus) string {
	last, median := ps.GetLastLatency(), ps.GetMedianLatency()
	if ps.GetLastSignal() == nil || (last == nil && median == nil) {
		return "-"
	}
	f := func(d *durationpb.Duration) string {
		if d == nil {
			return "-"
		}
		return d.AsDuration().Round(100 * time.Microsecond).String()
	}
	return f(last) + " (median " + f(median) + ")"
}

func describeClient(ci *hmrdv1.ClientInfo) string {
	s := orDash(ci.GetName())
	if ci.GetVersion() != "" {
		s += " " + ci.GetVersion()
	}
	if ci.GetKind() != "" {
		s += " (" + ci.GetKind() + ")"
	}
	return s
}

// ago is "3s ago" for a time before now.
func ago(ts *timestamppb.Timestamp, now time.Time) string {
	if ts == nil {
		return "-"
	}
	d := now.Sub(ts.AsTime())
	if d < time.Second {
		return "just now"
	}
	return roundDuration(d) + " ago"
}

// roundDuration is a duration at the precision people read: 12s, 3m5s,
// 2h10m, 3d4h.
func roundDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Hour:
		return d.Round(time.Second).String()
	case d < 24*time.Hour:
		return strings.TrimSuffix(d.Round(time.Minute).String(), "0s")
	}
	days := int(d / (24 * time.Hour))
	return fmt.Sprintf("%dd%dh", days, int((d-time.Duration(days)*24*time.Hour)/time.Hour))
}

func bytesIEC(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeJSON prints a message as indented protojson, for people and jq.
// protojson varies its whitespace on purpose (its output is not a stable
// format); re-indenting makes ours the same from run to run.
func writeJSON(w io.Writer, m proto.Message) error {
	b, err := protojson.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode %s as JSON: %w", m.ProtoReflect().Descriptor().Name(), err)
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		return fmt.Errorf("indent %s JSON: %w", m.ProtoReflect().Descriptor().Name(), err)
	}
	buf.WriteByte('\n')
	_, err = w.Write(buf.Bytes())
	return err
}

// writeRegistrations lists the bundler registrations and their gates:
//
//	REGISTRATION  PROJECT  CLIENT       MODULES  GATE  PENDING  OLDEST  TIMEOUTS  CONNECTED
//	r1            app      vite 5.0.0   12       5s    1        120ms   0         3m ago
func writeRegistrations(w io.Writer, st *hmrdv1.StatusResponse, now time.Time) error {
	if len(st.GetRegistrations()) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REGISTRATION\tPROJECT\tCLIENT\tMODULES\tGATE\tPENDING\tOLDEST\tTIMEOUTS\tCONNECTED")
	for _, r := range st.GetRegistrations() {
		gate, oldest := "-", "-"
		if r.GetGate() {
			gate = r.GetGateTimeout().AsDuration().String()
			if r.GetPendingBatches() > 0 {
				oldest = r.GetOldestPending().AsDuration().Round(time.Millisecond).String()
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%d\t%s\t%d\t%s\n",
			r.GetId(), r.GetProject(), describeClient(r.GetClient()), r.GetModules(), gate,
			r.GetPendingBatches(), oldest, r.GetTimeouts(), ago(r.GetConnected(), now))
	}
	return tw.Flush()
}
