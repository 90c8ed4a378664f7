package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// child is a server process under test. It runs in its own process group
// so the whole group (Vite's helpers too) can be signalled, and with
// Pdeathsig so it dies with the benchmark even on SIGKILL of the
// benchmark itself.
type child struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	started time.Time // just before fork/exec: the start of cold start
	done    chan struct{}
	err     error // Wait's result, valid once done is closed
}

// live children, killed by killAll on interrupt.
var (
	childrenMu sync.Mutex
	children   = map[*child]bool{}
)

// startChild starts argv in dir with stdout and stderr going to logPath.
func startChild(name, dir, logPath string, argv, env []string) (*child, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	c := &child{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	c.started = time.Now()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	childrenMu.Lock()
	children[c] = true
	childrenMu.Unlock()
	go func() {
		c.err = cmd.Wait()
		logf.Close()
		childrenMu.Lock()
		delete(children, c)
		childrenMu.Unlock()
		close(c.done)
	}()
	return c, nil
}

// Pid is the process id.
func (c *child) Pid() int { return c.cmd.Process.Pid }

// Exited reports whether the process has ended.
func (c *child) Exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// exitError says how the process ended, with the end of its log.
func (c *child) exitError() error {
	return fmt.Errorf("%s exited early (%v); last output:\n%s", c.name, c.err, c.logTail(2000))
}

// logTail is the last n bytes of the process's output.
func (c *child) logTail(n int) string {
	data, err := os.ReadFile(c.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	if len(data) > n {
		data = data[len(data)-n:]
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			data = data[i+1:]
		}
	}
	return string(data)
}

// Stop asks the process group to terminate (SIGTERM: hmrd shuts down
// gracefully) and kills it after grace.
func (c *child) Stop(grace time.Duration) error {
	if c.Exited() {
		return nil
	}
	// Negative pid: the whole process group.
	_ = syscall.Kill(-c.Pid(), syscall.SIGTERM)
	select {
	case <-c.done:
		return nil
	case <-time.After(grace):
	}
	_ = syscall.Kill(-c.Pid(), syscall.SIGKILL)
	select {
	case <-c.done:
		return fmt.Errorf("stop %s: did not exit within %v of SIGTERM, killed", c.name, grace)
	case <-time.After(5 * time.Second):
		return errors.New("stop " + c.name + ": still running after SIGKILL")
	}
}

// killAll kills every live child's process group at once: the path for a
// second interrupt or a fatal error.
func killAll() {
	childrenMu.Lock()
	defer childrenMu.Unlock()
	for c := range children {
		_ = syscall.Kill(-c.Pid(), syscall.SIGKILL)
	}
}
