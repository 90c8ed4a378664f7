package daemon

import "testing"

func TestIsLoopbackAddr(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:7070":      true,
		"127.0.0.2:7070":      true,
		"[::1]:7070":          true,
		"localhost:7070":      true,
		"LOCALHOST.:7070":     true,
		"0.0.0.0:7070":        false,
		":7070":               false,
		"[::]:7070":           false,
		"192.168.1.5:7070":    false,
		"10.0.0.1:0":          false,
		"devbox.lan:7070":     false,
		"localhost.evil:7070": false,
		"127.0.0.1":           false, // no port: not an address the daemon can use
	} {
		if got := isLoopbackAddr(addr); got != want {
			t.Errorf("isLoopbackAddr(%q) = %v, want %v", addr, got, want)
		}
	}
}
