package daemon_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hmrd/hmrd/daemon"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// signals streams a project's signals (no hello, no heartbeats) into a
// channel, so a test can wait for one with a deadline.
func signals(t *testing.T, td *testDaemon) <-chan *hmrdv1.Event {
	t.Helper()
	ctx, cancel := context.WithCancel(ctxT(t))
	t.Cleanup(cancel)
	sub, err := td.hot.Subscribe(ctx, &hmrdv1.SubscribeRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if recvEvent(t, sub).GetHello() == nil {
		t.Fatal("no hello")
	}
	out := make(chan *hmrdv1.Event, 16)
	go func() {
		defer close(out)
		for {
			resp, err := sub.Recv()
			if err != nil {
				return
			}
			if resp.Event.GetHeartbeat() == nil {
				out <- resp.Event
			}
		}
	}()
	return out
}

// One save gives one signal, computed from the final bytes, also when the
// editor truncates the file and writes it in more than one step: never one
// from the empty or half-written file and another from the rest.
func TestNonAtomicSaveSignalsOnce(t *testing.T) {
	const final = "export const n = 2\nimport './extra.js'\n"
	saves := []struct {
		name string
		save func(t *testing.T, f *os.File)
	}{
		{"truncate, then write", func(t *testing.T, f *os.File) {
			time.Sleep(20 * time.Millisecond) // the editor between truncating and writing
			write(t, f, final)
		}},
		{"truncate, then two writes", func(t *testing.T, f *os.File) {
			time.Sleep(20 * time.Millisecond)
			write(t, f, "export const n = 2\n")
			time.Sleep(5 * time.Millisecond) // the editor between two writes
			write(t, f, "import './extra.js'\n")
		}},
	}
	for _, tc := range saves {
		t.Run(tc.name, func(t *testing.T) {
			td := startDaemon(t, func(c *daemon.Config) {
				writeFile(t, filepath.Join(c.Roots[0], "src/extra.js"), "export const extra = 1\n")
			})
			evs := signals(t, td)
			f, err := os.OpenFile(filepath.Join(td.root, "src/dep.js"), os.O_WRONLY|os.O_TRUNC, 0)
			if err != nil {
				t.Fatal(err)
			}
			tc.save(t, f)
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			select {
			case ev := <-evs:
				if u := ev.GetUpdate(); u == nil || len(u.Updates) != 1 || u.Updates[0].Path != "/src/app.js" {
					t.Fatalf("want one update of /src/app.js, got %v", ev)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no signal for the save")
			}
			// The bounded wait that shows nothing more comes.
			select {
			case ev := <-evs:
				t.Fatalf("a second signal for one save: %v", ev)
			case <-time.After(400 * time.Millisecond):
			}
			if ex := explain(t, td, "/src/extra.js"); !ex.Live {
				t.Fatalf("the graph does not have the final content (extra.js imported): %v", ex)
			}
		})
	}
}

func write(t *testing.T, f *os.File, s string) {
	t.Helper()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}
