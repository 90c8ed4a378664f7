package browser

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hmrd/hmrd/internal/runtime/hotcases"
)

// caseDeadline bounds one case from its page's load to its result.
const caseDeadline = 60 * time.Second

// TestHotCases runs the ported webpack HMR cases
// (internal/runtime/hotcases) in Chromium, one tab per case, against one
// `hmrd serve` of every case: webpack's import.meta.webpackHot API in
// manual mode, the file edits of each step written to disk, the signals
// the daemon sends over the WebSocket, and webpack's expected values,
// statuses and messages.
func TestHotCases(t *testing.T) {
	needBrowser(t)
	cases, err := hotcases.All()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(shortTemp(t), "cases")
	if err := hotcases.WriteTree(root, cases); err != nil {
		t.Fatal(err)
	}
	d := serve(t, root, filepath.Join(shortTemp(t), "s"), "127.0.0.1:0")
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) { runPageCase(t, d, root, c) })
	}
}

// pageCase is what the harness keeps on globalThis.__hotcase.
type pageCase struct {
	Requested int `json:"requested"`
	Result    *struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	} `json:"result"`
}

func runPageCase(t *testing.T, d *daemon, root string, c *hotcases.Case) {
	p := openPage(t, c.Name, strings.TrimSuffix(d.url, "/")+"/"+c.Name+"/index.html")
	written := 0
	deadline := time.Now().Add(caseDeadline)
	for {
		var st pageCase
		v, err := p.try(`JSON.stringify(globalThis.__hotcase || null)`)
		if s, ok := v.(string); err == nil && ok && s != "null" {
			if err := json.Unmarshal([]byte(s), &st); err != nil {
				t.Fatalf("__hotcase: %v", err)
			}
			if st.Result != nil {
				if !st.Result.OK {
					t.Fatalf("%s failed: %s", c.Name, st.Result.Error)
				}
				return
			}
			for written < st.Requested {
				written++
				if written > c.Steps {
					t.Fatalf("%s asked for step %d; it has %d", c.Name, written, c.Steps)
				}
				if changed, err := hotcases.WriteStep(root, c, written); err != nil {
					t.Fatal(err)
				} else if !changed {
					t.Fatalf("%s: step %d changes no file", c.Name, written)
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no result within %v (last state %+v, error %v)", c.Name, caseDeadline, st, err)
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-p.ctx.Done():
			t.Fatalf("%s: %v", c.Name, p.ctx.Err())
		}
	}
}
