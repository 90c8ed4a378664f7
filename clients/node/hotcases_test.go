package nodeclient_test

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hmrd/hmrd/internal/runtime/hotcases"
)

// caseDeadline bounds one case from start to result: generous, since
// the machine may be busy; a case takes well under a second alone.
const caseDeadline = 60 * time.Second

// TestHotCases runs the ported webpack HMR cases
// (internal/runtime/hotcases) as Node.js programs under
// `node --import @hmrd/client/register`, one process per case, against one
// daemon watching every case: webpack's import.meta.webpackHot API in
// manual mode, the file edits of each step written to disk, the signals
// the daemon sends, and webpack's expected values, statuses and messages.
func TestHotCases(t *testing.T) {
	needNode(t)
	cases, err := hotcases.All()
	if err != nil {
		t.Fatal(err)
	}
	tmp := shortTemp(t)
	root := filepath.Join(tmp, "cases")
	if err := hotcases.WriteTree(root, cases); err != nil {
		t.Fatal(err)
	}
	socket := filepath.Join(tmp, "s")
	startDaemon(t, socket, root)
	register, err := filepath.Abs("register.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) { runNodeCase(t, root, socket, register, c) })
	}
}

// caseMessage is one "__HOTCASE__ {json}" line of the harness.
type caseMessage struct {
	Next  int    `json:"next"`
	Done  *bool  `json:"done"`
	Error string `json:"error"`
}

func runNodeCase(t *testing.T, root, socket, register string, c *hotcases.Case) {
	cmd := exec.Command(nodeBin, "--import", "file://"+filepath.ToSlash(register), filepath.Join(root, c.Name, "index.js"))
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "HMRD_SOCKET="+socket, "HMRD_NODE_RESTART=log", "HMRD_NODE_LOG=debug")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := newSyncBuffer()
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	defer func() {
		cmd.Process.Kill()
		for range lines {
		}
		<-exited
		if t.Failed() {
			t.Logf("stderr of %s:\n%s", c.Name, stderr.String())
		}
	}()
	go func() { cmd.Wait(); close(exited) }()

	deadline := time.After(caseDeadline)
	var out []string
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("%s exited without a result; stdout:\n%s", c.Name, strings.Join(out, "\n"))
			}
			out = append(out, line)
			msg, ok := strings.CutPrefix(line, "__HOTCASE__ ")
			if !ok {
				continue
			}
			var m caseMessage
			if err := json.Unmarshal([]byte(msg), &m); err != nil {
				t.Fatalf("bad harness line %q: %v", line, err)
			}
			if m.Done != nil {
				if !*m.Done {
					t.Fatalf("%s failed: %s", c.Name, m.Error)
				}
				return
			}
			if m.Next > c.Steps {
				t.Fatalf("%s asked for step %d; it has %d", c.Name, m.Next, c.Steps)
			}
			if changed, err := hotcases.WriteStep(root, c, m.Next); err != nil {
				t.Fatal(err)
			} else if !changed {
				t.Fatalf("%s: step %d changes no file", c.Name, m.Next)
			}
		case <-deadline:
			t.Fatalf("%s: no result within %v; stdout:\n%s", c.Name, caseDeadline, strings.Join(out, "\n"))
		}
	}
}
