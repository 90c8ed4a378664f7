//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"
)

// epollReaderAvailable: the lean reader exists on this platform.
const epollReaderAvailable = true

// wsPoller reads every fan-out WebSocket subscriber on one goroutine with
// one level-triggered epoll set: per delivered frame that is one read(2)
// and a share of one epoll_wait, where a goroutine per connection costs a
// read that ends in EAGAIN, a park and a wake-up through the runtime's
// netpoller as well. The subscribers' time stamps are taken right after
// each read returns.
type wsPoller struct {
	epfd int
	mu   sync.Mutex
	// conns by fd; written while connecting, read by the loop.
	conns map[int32]*pollConn
}

type pollConn struct {
	fd  int
	sub *fanSub
	p   frameParser
}

func newWSPoller() (*wsPoller, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll_create1: %w", err)
	}
	return &wsPoller{epfd: epfd, conns: map[int32]*pollConn{}}, nil
}

// add dials one subscriber and registers it. The socket leaves Go's
// netpoller (a dup of its fd is kept; closing the net.Conn removes the
// runtime's registration), so only this poller is woken by its data.
func (w *wsPoller) add(ctx context.Context, url, origin, subprotocol string, s *fanSub) error {
	conn, early, err := rawHandshake(ctx, url, origin, subprotocol)
	if err != nil {
		return err
	}
	rc, err := conn.SyscallConn()
	if err != nil {
		conn.Close()
		return fmt.Errorf("websocket fd: %w", err)
	}
	fd := -1
	var dupErr error
	if err := rc.Control(func(f uintptr) {
		syscall.ForkLock.RLock()
		fd, dupErr = syscall.Dup(int(f))
		if dupErr == nil {
			syscall.CloseOnExec(fd)
		}
		syscall.ForkLock.RUnlock()
	}); err != nil || dupErr != nil {
		conn.Close()
		return fmt.Errorf("websocket fd: %w", errors.Join(err, dupErr))
	}
	conn.Close()
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return fmt.Errorf("websocket fd: %w", err)
	}
	pc := &pollConn{fd: fd, sub: s}
	if len(early) > 0 {
		if err := pc.feed(early, time.Now()); err != nil {
			syscall.Close(fd)
			return fmt.Errorf("websocket %s: %w", s.name, err)
		}
	}
	w.mu.Lock()
	w.conns[int32(fd)] = pc
	w.mu.Unlock()
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(fd)}
	if err := syscall.EpollCtl(w.epfd, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
		w.mu.Lock()
		delete(w.conns, int32(fd))
		w.mu.Unlock()
		syscall.Close(fd)
		return fmt.Errorf("epoll_ctl: %w", err)
	}
	return nil
}

func (c *pollConn) feed(b []byte, at time.Time) error {
	return c.p.feed(b, func(msg []byte) {
		frame := append([]byte(nil), msg...)
		c.sub.add(received{at: at, raw: frame}, quickSeq(frame))
	}, func(payload []byte) error {
		// The daemon pings every 15 s and cuts a page that does not
		// answer; a pong is 6-131 bytes, which a socket with room for
		// the daemon's frames always takes whole.
		pong := clientFrame(0xA, payload)
		n, err := syscall.Write(c.fd, pong)
		if err == nil && n != len(pong) {
			err = fmt.Errorf("short write %d of %d", n, len(pong))
		}
		if err != nil {
			return fmt.Errorf("pong: %w", err)
		}
		return nil
	})
}

// run reads until ctx ends, then closes every connection. A subscriber
// whose connection fails is marked failed and dropped; the others go on.
func (w *wsPoller) run(ctx context.Context) {
	defer w.closeAll()
	events := make([]syscall.EpollEvent, 256)
	buf := make([]byte, 256<<10)
	for ctx.Err() == nil {
		// The timeout only bounds how late the loop sees ctx end.
		n, err := syscall.EpollWait(w.epfd, events, 100)
		if err != nil {
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			w.failAll(fmt.Errorf("epoll_wait: %w", err))
			return
		}
		w.mu.Lock()
		for _, ev := range events[:n] {
			c := w.conns[ev.Fd]
			if c == nil {
				continue
			}
			nr, err := syscall.Read(c.fd, buf)
			at := time.Now()
			switch {
			case errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR):
				continue
			case err == nil && nr == 0:
				err = errors.New("connection closed by the daemon")
			case err == nil:
				err = c.feed(buf[:nr], at)
			}
			if err != nil {
				if ctx.Err() == nil {
					c.sub.fail(fmt.Errorf("%s: %w", c.sub.name, err))
				}
				w.dropLocked(c)
			}
		}
		w.mu.Unlock()
	}
}

func (w *wsPoller) dropLocked(c *pollConn) {
	syscall.EpollCtl(w.epfd, syscall.EPOLL_CTL_DEL, c.fd, nil)
	syscall.Close(c.fd)
	delete(w.conns, int32(c.fd))
}

func (w *wsPoller) failAll(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range w.conns {
		c.sub.fail(err)
	}
}

func (w *wsPoller) closeAll() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range w.conns {
		w.dropLocked(c)
	}
	syscall.Close(w.epfd)
}
