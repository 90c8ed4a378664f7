package reliability

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// saveStyle is one way editors write a file.
type saveStyle struct {
	name string
	save func(t *testing.T, path, content string)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var saveStyles = []saveStyle{
	{"in-place write", func(t *testing.T, path, content string) {
		// Same length: the bytes are overwritten where they are.
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		must(t, err)
		_, err = f.WriteAt([]byte(content), 0)
		must(t, err)
		must(t, f.Close())
	}},
	{"truncate and write", func(t *testing.T, path, content string) {
		// VS Code, most editors: O_TRUNC, then the content in more than
		// one write.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
		must(t, err)
		half := len(content) / 2
		_, err = f.WriteString(content[:half])
		must(t, err)
		time.Sleep(2 * time.Millisecond) // a slow writer: part of the save
		_, err = f.WriteString(content[half:])
		must(t, err)
		must(t, f.Close())
	}},
	{"temp file renamed over", func(t *testing.T, path, content string) {
		// atomic writers (write-file-atomic, Sublime): a temp file next to
		// the target, renamed over it.
		tmp := path + ".tmp-4711"
		must(t, os.WriteFile(tmp, []byte(content), 0o644))
		must(t, os.Rename(tmp, path))
	}},
	{"jetbrains safe write", func(t *testing.T, path, content string) {
		tmp, old := path+"___jb_tmp___", path+"___jb_old___"
		must(t, os.WriteFile(tmp, []byte(content), 0o644))
		must(t, os.Rename(path, old))
		must(t, os.Rename(tmp, path))
		must(t, os.Remove(old))
	}},
	{"backup copy then write (vim backupcopy=yes)", func(t *testing.T, path, content string) {
		backup := path + "~"
		data, err := os.ReadFile(path)
		must(t, err)
		must(t, os.WriteFile(backup, data, 0o644))
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
		must(t, err)
		_, err = f.WriteString(content)
		must(t, err)
		must(t, f.Sync())
		must(t, f.Close())
		must(t, os.Remove(backup))
	}},
	{"delete and create", func(t *testing.T, path, content string) {
		must(t, os.Remove(path))
		must(t, os.WriteFile(path, []byte(content), 0o644))
	}},
	{"rename to backup, write anew (vim default)", func(t *testing.T, path, content string) {
		dir := filepath.Dir(path)
		probe := filepath.Join(dir, "4913")
		must(t, os.WriteFile(probe, nil, 0o644))
		must(t, os.Remove(probe))
		backup := path + "~"
		must(t, os.Rename(path, backup))
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		must(t, err)
		_, err = f.WriteString(content)
		must(t, err)
		must(t, f.Sync())
		must(t, f.Close())
		must(t, os.Chmod(path, 0o644))
		must(t, os.Remove(backup))
	}},
}

// Every way an editor saves gives exactly one signal per save: one update,
// no reload, prune or error from the intermediate states (an empty or
// half-written file, a missing one, a temp file).
func TestEditorSaves(t *testing.T) {
	t.Parallel()
	tmp := shortTemp(t)
	root := filepath.Join(tmp, "app")
	writeTree(t, root, smallApp)
	writeTree(t, root, map[string]string{"src/dep.js": "export const n = 'v0000'\n"})
	// The short form runs beside the whole suite, where a writer's 2 ms
	// pause between its two writes can grow past the default parse-error
	// hold (80 ms) before the daemon reads the rest; a longer hold keeps
	// it one save there. The long form holds the default.
	d := startDaemon(t, filepath.Join(tmp, "s"), daemonOpts{roots: []string{root}, args: pick([]string{"--parse-error-hold", "1s"}, nil)})
	s := d.subscribeGRPC(t, &hmrdv1.SubscribeRequest{})
	s.next(waitFor) // hello
	dep := filepath.Join(root, "src", "dep.js")
	// Longer than the watcher's quiet (50 ms) and settle windows (250 ms)
	// and the parse-error hold: whatever a save still had to say has been
	// said by then.
	window := pick(1200*time.Millisecond, 400*time.Millisecond)
	k := 0
	var last int64
	for round := range pick(1, 10) {
		for _, style := range saveStyles {
			k++
			style.save(t, dep, fmt.Sprintf("export const n = 'v%04d'\n", k))
			ev := s.next(waitFor)
			u := ev.GetUpdate()
			if u == nil || len(u.GetUpdates()) != 1 || u.GetUpdates()[0].GetPath() != "/src/app.js" {
				t.Fatalf("round %d, %s: first signal %s, want an update of /src/app.js", round, style.name, describeAll([]*hmrdv1.Event{ev}))
			}
			if ev.GetVersion() <= last {
				t.Errorf("%s: version %d after %d", style.name, ev.GetVersion(), last)
			}
			last = ev.GetVersion()
			s.none(window)
		}
	}
	if data, _ := os.ReadFile(dep); string(data) != fmt.Sprintf("export const n = 'v%04d'\n", k) {
		t.Fatalf("dep.js is %q", data)
	}
}
