package wsbridge_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"github.com/hmrd/hmrd/internal/fanoutbench"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/hmrd/hmrd/internal/broadcast"
	"github.com/hmrd/hmrd/internal/transport/httpguard"
	"github.com/hmrd/hmrd/internal/transport/wsbridge"
)

// BenchmarkFanout publishes one event at a time to n WebSocket subscribers
// on real loopback sockets and waits until every one has received it, as
// the daemon's fan-out does at a few signals a second: ns/op is publish →
// last subscriber, ns/delivery that divided by n, cpu-ns/delivery the
// process's CPU time (both ends) per delivery. The subscribers are raw TCP readers with a minimal frame parser, so that a
// CPU profile (-cpuprofile) shows the bridge's side, not a client
// library's. It asserts nothing about time.
func BenchmarkFanout(b *testing.B) {
	for _, n := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("subs=%d", n), func(b *testing.B) { benchFanout(b, n) })
	}
}

func benchFanout(b *testing.B, n int) {
	// The daemon's defaults (heartbeats on: each Next waits with a timer).
	hub := broadcast.New("ep1", broadcast.Options{})
	hub.AddProject("app", "/app")
	defer hub.Close()
	g, err := httpguard.New(httpguard.Options{})
	if err != nil {
		b.Fatal(err)
	}
	br, err := wsbridge.New(&fakeService{hub: hub}, wsbridge.Options{Guard: g, Project: "app"})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(br)
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	g.AllowServer(addr)

	var got atomic.Int64 // deliveries of sequenced events
	var target atomic.Int64
	done := make(chan struct{}, 1)
	conns := make([]net.Conn, n)
	for i := range conns {
		c, err := rawDial(addr)
		if err != nil {
			b.Fatal(err)
		}
		conns[i] = c
	}
	hellos := make(chan error, n)
	for _, c := range conns {
		go rawRead(c, hellos, func() {
			if got.Add(1) == target.Load() {
				done <- struct{}{}
			}
		})
	}
	for range n {
		if err := <-hellos; err != nil {
			b.Fatal(err)
		}
	}
	fanoutbench.Run(b, hub, n, &target, done)
	for _, c := range conns {
		c.Close()
	}
}

// rawDial opens a hmrd.v1 WebSocket without a client library (no Origin,
// so no token is needed).
func rawDial(addr string) (net.Conn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	req := "GET /?project=app HTTP/1.1\r\nHost: " + addr + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: hmrd.v1\r\n\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// rawRead reads the upgrade response and then server frames (unmasked),
// reporting the Hello on hello and calling got for every other data frame.
func rawRead(c net.Conn, hello chan<- error, got func()) {
	r := bufio.NewReaderSize(c, 64<<10)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		hello <- err
		return
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		hello <- fmt.Errorf("upgrade: %s", resp.Status)
		return
	}
	var hdr [8]byte
	var payload []byte
	first := true
	for {
		if _, err := io.ReadFull(r, hdr[:2]); err != nil {
			return
		}
		op, size := hdr[0]&0x0f, uint64(hdr[1]&0x7f)
		switch size {
		case 126:
			if _, err := io.ReadFull(r, hdr[:2]); err != nil {
				return
			}
			size = uint64(binary.BigEndian.Uint16(hdr[:2]))
		case 127:
			if _, err := io.ReadFull(r, hdr[:8]); err != nil {
				return
			}
			size = binary.BigEndian.Uint64(hdr[:8])
		}
		payload = slices.Grow(payload[:0], int(size))[:size]
		if _, err := io.ReadFull(r, payload); err != nil {
			return
		}
		if op != 1 { // text frames only; pings are not sent in a benchmark
			continue
		}
		if first {
			first = false
			if !bytes.Contains(payload, []byte(`"hello"`)) {
				hello <- fmt.Errorf("first frame is not a Hello: %s", payload)
				return
			}
			hello <- nil
			continue
		}
		got()
	}
}
