package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/hmrd/hmrd/clients/go/hmrdclient"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

var eventsCmd = &command{
	name:    "events",
	summary: "tail a project's signals until interrupted, reconnecting as needed",
	setup: func(fs *flag.FlagSet, e *env) func(context.Context, []string) error {
		e.connFlags(fs)
		project := projectFlag(fs)
		since := fs.Uint64("since", 0, "first replay the signals after `seq` (of --epoch, default the daemon's current epoch)")
		epoch := fs.String("epoch", "", "the `epoch` --since refers to")
		asJSON := fs.Bool("json", false, "print one protojson Event per line")
		heartbeats := fs.Bool("heartbeats", false, "print heartbeats too")
		return func(ctx context.Context, args []string) error {
			if err := wantArgs(args, 0, "events"); err != nil {
				return err
			}
			resume := *epoch != ""
			fs.Visit(func(f *flag.Flag) { resume = resume || f.Name == "since" })
			c, err := e.dial(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			opts := hmrdclient.SubscribeOptions{Project: *project, Client: clientInfo()}
			if resume {
				opts.FromSeq, opts.Epoch = *since, *epoch
				if opts.Epoch == "" {
					// --since alone means this daemon's seqs: an empty epoch
					// would make the daemon ignore the resume point.
					rctx, cancel := context.WithTimeout(ctx, rpcTimeout)
					st, err := c.Status(rctx)
					cancel()
					if err != nil {
						return err
					}
					opts.Epoch = st.GetEpoch()
				}
			}
			t := &tail{out: e.stdout, json: *asJSON, heartbeats: *heartbeats}
			if !*asJSON {
				// Progress notes go to stderr, so stdout stays pure events.
				// Only the subscription's goroutine writes them.
				opts.OnState = t.stateNotes(e.stderr)
			}
			return t.run(ctx, c.Subscribe(ctx, opts))
		}
	},
}

// tail prints a subscription's events.
type tail struct {
	out        io.Writer
	json       bool
	heartbeats bool
}

func (t *tail) run(ctx context.Context, sub *hmrdclient.Subscription) error {
	defer sub.Close()
	for {
		ev, err := sub.Next(ctx)
		if err != nil {
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				return nil // interrupted: the normal way to stop tailing
			}
			return err
		}
		if ev.GetHeartbeat() != nil && !t.heartbeats {
			continue
		}
		if err := t.print(ev); err != nil {
			return err
		}
	}
}

// print writes one event as one line in one Write, flushing a buffered
// writer, so a consumer piping `hmrd events --json` sees each event as it
// happens.
func (t *tail) print(ev *hmrdv1.Event) error {
	var line []byte
	if t.json {
		b, err := protojson.MarshalOptions{Multiline: false}.Marshal(ev)
		if err != nil {
			return fmt.Errorf("encode event seq %d as JSON: %w", ev.GetSeq(), err)
		}
		// Single-line protojson never holds a raw newline; compacting also
		// drops the random spaces protojson adds, for byte-stable lines.
		var buf bytes.Buffer
		if err := json.Compact(&buf, b); err != nil {
			return fmt.Errorf("compact event seq %d JSON: %w", ev.GetSeq(), err)
		}
		line = buf.Bytes()
	} else {
		s := hmrdclient.Describe(ev)
		// Notes say how the signal was delivered (a rebuild gate that
		// timed out): a person watching needs them on the same line.
		for _, n := range ev.GetNotes() {
			s += " [note: " + n + "]"
		}
		line = []byte(s)
	}
	if _, err := t.out.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("write event: %w", err)
	}
	if f, ok := t.out.(interface{ Flush() error }); ok {
		if err := f.Flush(); err != nil {
			return fmt.Errorf("write event: %w", err)
		}
	}
	return nil
}

// stateNotes tells a person watching that the stream broke and came back.
func (t *tail) stateNotes(w io.Writer) func(hmrdclient.State, error) {
	away := false
	return func(s hmrdclient.State, err error) {
		switch s {
		case hmrdclient.StateReconnecting:
			away = true
			fmt.Fprintf(w, "hmrd: reconnecting to daemon… (%v)\n", err)
		case hmrdclient.StateConnected:
			if away {
				away = false
				fmt.Fprintln(w, "hmrd: reconnected")
			}
		}
	}
}
