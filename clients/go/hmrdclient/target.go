package hmrdclient

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"

	"github.com/hmrd/hmrd/internal/sockpath"
)

// DefaultSocket is where the daemon listens unless told otherwise:
// $HMRD_SOCKET if set, else $XDG_RUNTIME_DIR/hmrd/hmrd.sock, else
// hmrd-<uid>/hmrd.sock in the temporary directory (/tmp unless $TMPDIR
// says otherwise). It must agree with the daemon's own default, which
// uses the same rule.
func DefaultSocket() string { return sockpath.Default() }

// endpoint is a parsed Dial target.
type endpoint struct {
	network string // "unix" or "tcp"
	address string // absolute socket path, or host:port
}

// String is the address as people read it in messages: the socket path,
// or host:port.
func (e endpoint) String() string { return e.address }

// parseTarget turns a Dial target into an endpoint:
//   - "" is DefaultSocket();
//   - "unix://PATH", "unix:PATH", or anything that looks like a path (has a
//     slash, starts with a dot, ends in .sock, or has no port) is a unix
//     socket;
//   - "tcp://HOST:PORT" and "HOST:PORT" are TCP.
func parseTarget(target string) (endpoint, error) {
	if target == "" {
		target = DefaultSocket()
	}
	switch {
	case strings.HasPrefix(target, "unix://"):
		return unixEndpoint(strings.TrimPrefix(target, "unix://"))
	case strings.HasPrefix(target, "unix:"):
		return unixEndpoint(strings.TrimPrefix(target, "unix:"))
	case strings.HasPrefix(target, "tcp://"):
		return tcpEndpoint(strings.TrimPrefix(target, "tcp://"))
	case strings.ContainsRune(target, '/'), strings.HasPrefix(target, "."), strings.HasSuffix(target, ".sock"):
		return unixEndpoint(target)
	}
	if _, port, err := net.SplitHostPort(target); err == nil && port != "" {
		return tcpEndpoint(target)
	}
	return unixEndpoint(target)
}

func unixEndpoint(path string) (endpoint, error) {
	if path == "" {
		return endpoint{}, fmt.Errorf("hmrd target: empty unix socket path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return endpoint{}, fmt.Errorf("hmrd target %s: %w", path, err)
	}
	return endpoint{network: "unix", address: abs}, nil
}

func tcpEndpoint(addr string) (endpoint, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return endpoint{}, fmt.Errorf("hmrd target %s: want host:port: %w", addr, err)
	}
	return endpoint{network: "tcp", address: addr}, nil
}
