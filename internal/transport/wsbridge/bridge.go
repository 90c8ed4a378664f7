// Package wsbridge is the WebSocket adapter of the daemon, for browsers: it
// streams a project's events as protojson text frames of hmrd.v1.Event
// (subprotocol "hmrd.v1") and takes hmrd.v1.ClientMessage frames back
// (invalidate, custom events, loaded modules). Like rpcserver it holds no
// HMR logic; unlike it, it faces web pages, so every request passes the
// Host, Origin and token checks of httpguard before the upgrade.
//
// Each connection runs three goroutines: the writer drains the subscription
// (bounded by the hub) with a write timeout, the reader decodes client
// frames, the pinger checks that the peer is alive. A peer that stops
// reading is cut off by the hub or by the write timeout and can resume from
// its last seq on reconnect.
package wsbridge

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/hmrd/hmrd/internal/broadcast"
	"github.com/hmrd/hmrd/internal/control"
	"github.com/hmrd/hmrd/internal/signal"
	"github.com/hmrd/hmrd/internal/transport/httpguard"
	"github.com/hmrd/hmrd/internal/transport/ratelog"
	"github.com/hmrd/hmrd/internal/transport/wire"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// Subprotocol is the WebSocket subprotocol of protocol v1.
const Subprotocol = "hmrd.v1"

// Options tune the bridge; zero values take the defaults of
// docs/design.md#limits-and-defaults.
type Options struct {
	Guard *httpguard.Guard
	// Project is used when a client names none (the dev server's project).
	Project string
	// QueueSize bounds each connection's queue of events (default 256).
	QueueSize int
	// MaxCustomBytes is the daemon's limit on a custom event's data
	// (default control.DefaultMaxCustomBytes, 1 MiB).
	MaxCustomBytes int
	// ReadLimit bounds a client message (default: room for a custom event
	// of MaxCustomBytes escaped as a JSON string, 2 × MaxCustomBytes +
	// 64 KiB). A page over it is closed with 1009.
	ReadLimit int64
	// PingInterval and PingTimeout detect dead peers (15 s / 5 s).
	PingInterval, PingTimeout time.Duration
	// WriteTimeout bounds one frame write (5 s).
	WriteTimeout time.Duration
	Logger       *slog.Logger
}

// Bridge is an http.Handler upgrading requests to hmrd.v1 WebSockets.
type Bridge struct {
	svc control.Service
	o   Options
	log *slog.Logger
	// refusals logs refused handshakes and client messages, rate-limited:
	// a page retrying in a loop must not flood the log.
	refusals *ratelog.Limiter
}

// New returns a bridge over svc.
func New(svc control.Service, o Options) (*Bridge, error) {
	if o.Guard == nil {
		return nil, errors.New("wsbridge: a Guard is required")
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 256
	}
	if o.MaxCustomBytes <= 0 {
		o.MaxCustomBytes = control.DefaultMaxCustomBytes
	}
	if o.ReadLimit <= 0 {
		o.ReadLimit = 2*int64(o.MaxCustomBytes) + 64<<10
	}
	if o.PingInterval <= 0 {
		o.PingInterval = 15 * time.Second
	}
	if o.PingTimeout <= 0 {
		o.PingTimeout = 5 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Bridge{svc: svc, o: o, log: o.Logger, refusals: ratelog.New(o.Logger, ratelog.DefaultInterval)}, nil
}

// Close writes the counts of refusals not logged yet; connections are not
// affected (they end with the hub).
func (b *Bridge) Close() { b.refusals.Close() }

// ServeHTTP checks the request, upgrades it and serves the connection.
func (b *Bridge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Host first (DNS rebinding), then the exact Origin allowlist, then
	// the token — all before Accept: coder/websocket's own origin check
	// accepts Origin == Host, which a rebinding page satisfies.
	for _, c := range []struct {
		check func(*http.Request) error
		msg   string
	}{
		{b.o.Guard.CheckHost, "websocket refused: host"},
		{b.o.Guard.CheckOrigin, "websocket refused: origin"},
		{b.o.Guard.CheckToken, "websocket refused: token"},
	} {
		if err := c.check(r); err != nil {
			b.refusals.Warn(c.msg, "remote", r.RemoteAddr, "origin", r.Header.Get("Origin"), "host", r.Host, "err", err)
			http.Error(w, "hmrd: "+err.Error(), http.StatusForbidden)
			return
		}
	}
	q := r.URL.Query()
	var fromSeq uint64
	if s := q.Get("seq"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			http.Error(w, "hmrd: seq must be a number", http.StatusBadRequest)
			return
		}
		fromSeq = n
	}
	project := q.Get("project")
	if project == "" {
		project = b.o.Project
	}
	cw := &captureConn{ResponseWriter: w}
	conn, err := websocket.Accept(cw, r, &websocket.AcceptOptions{
		Subprotocols: []string{Subprotocol},
		// Origin was checked above against the exact allowlist.
		InsecureSkipVerify: true,
	})
	if err != nil {
		b.log.Debug("websocket accept", "err", err)
		return
	}
	if cw.conn == nil { // Accept hijacks through captureConn; cannot happen
		conn.Close(websocket.StatusInternalError, "connection not captured")
		return
	}
	if conn.Subprotocol() != Subprotocol {
		conn.Close(websocket.StatusPolicyViolation, "subprotocol "+Subprotocol+" required")
		return
	}
	// readLoop applies ReadLimit itself, to say what the limit is when it
	// closes the connection.
	conn.SetReadLimit(-1)
	b.serve(r.Context(), conn, cw.conn, project, broadcast.SubscribeOptions{
		FromSeq: fromSeq, Epoch: q.Get("epoch"), Transport: "websocket", QueueSize: b.o.QueueSize,
		Client: broadcast.ClientInfo{Name: clientName(r), Kind: "browser"},
	})
}

func clientName(r *http.Request) string {
	ua := r.UserAgent()
	if len(ua) > 60 {
		ua = ua[:60]
	}
	if ua == "" {
		return "websocket"
	}
	return ua
}

// writerGrace is how long serve waits, once a connection is ending, for a
// frame write in progress to finish before it cuts the connection.
const writerGrace = 250 * time.Millisecond

// closeError is how a connection ends: a WebSocket close code and reason.
type closeError struct {
	code   websocket.StatusCode
	reason string
}

func (e *closeError) Error() string { return fmt.Sprintf("close %d: %s", e.code, e.reason) }

func (b *Bridge) serve(ctx context.Context, conn *websocket.Conn, raw net.Conn, project string, o broadcast.SubscribeOptions) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sub, err := b.svc.Subscribe(ctx, project, o, nil)
	if err != nil {
		conn.Close(websocket.StatusPolicyViolation, truncate(err.Error()))
		return
	}
	defer sub.Close()
	log := b.log.With("subscriber", sub.ID(), "project", project)
	log.Debug("websocket connected")

	done := make(chan *closeError, 3)
	writerDone := make(chan struct{})
	go func() { done <- b.readLoop(ctx, conn, project, sub.ID()) }()
	go func() { done <- b.pingLoop(ctx, conn) }()
	go func() {
		defer close(writerDone)
		done <- b.writeLoop(ctx, conn, raw, sub)
	}()
	ce := <-done
	cancel()
	// The writer writes frames behind the library's back (see
	// writeLoop): it must be out before the close frame goes, so no data
	// frame follows it. Next returns on cancel and a write to a page that
	// reads takes microseconds; a write still blocked after the grace is
	// on a page that does not read, which could not take a close frame
	// either: cut the connection.
	grace := time.NewTimer(writerGrace)
	select {
	case <-writerDone:
	case <-grace.C:
		conn.CloseNow()
		<-writerDone
	}
	grace.Stop()
	if ce == nil {
		ce = &closeError{websocket.StatusNormalClosure, ""}
	}
	log.Debug("websocket closed", "code", int(ce.code), "reason", ce.reason)
	conn.Close(ce.code, truncate(ce.reason))
}

// writeLoop sends the subscription's events. Each is one prebuilt text
// frame, encoded once for every subscriber (textFrame), written to the
// hijacked connection in one Write: coder/websocket's write path (two
// channel locks, a bufio copy and a flush per frame) was a sixth of the
// daemon's CPU per delivery in the 1,000-page fan-out, where the write
// syscall is the rest. The library still writes the control frames (its
// pongs, the pinger's pings, the close frame). That is safe because every
// frame on this connection, ours and the library's, goes out in a single
// net.Conn.Write — the library flushes each frame whole, and control
// frames are far below its buffer — and a TCP connection's Write holds the
// socket's write lock until all of it is written, so frames never
// interleave; serve waits for this loop to end before the close frame
// (decision 0010).
func (b *Bridge) writeLoop(ctx context.Context, conn *websocket.Conn, raw net.Conn, sub *broadcast.Subscription) *closeError {
	g := newWriteGuard(ctx, conn, b.o.WriteTimeout)
	defer g.stop()
	for {
		ev, err := sub.Next(ctx)
		if err != nil {
			return subscriptionClose(err)
		}
		if !g.begin() {
			return nil // ctx ended
		}
		_, err = raw.Write(textFrame(ev))
		g.end()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return &closeError{websocket.StatusTryAgainLater, "write timed out: the page is not reading; reconnect to resume"}
		}
	}
}

// captureConn keeps the connection coder/websocket hijacks in Accept, so
// writeLoop can write prebuilt frames to it.
type captureConn struct {
	http.ResponseWriter
	conn net.Conn
}

func (c *captureConn) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := c.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("wsbridge: the connection cannot be hijacked")
	}
	conn, brw, err := hj.Hijack()
	c.conn = conn
	return conn, brw, err
}

// Unwrap lets http.ResponseController reach the server's writer.
func (c *captureConn) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// frameKey names the WebSocket text frame in signal.Event.Encoded.
const frameKey = "hmrd.v1.Event/websocket-text-frame"

// textFrame is the event's protojson as one unmasked, final text frame
// (RFC 6455 section 5.2; server frames are not masked), cached on the event.
// The JSON is not cached apart: the frame is the one copy an event keeps
// for WebSocket subscribers, of exactly its length.
func textFrame(ev *signal.Event) []byte {
	return ev.Encoded.Get(frameKey, func() any {
		payload := wire.MarshalJSON(ev)
		return appendTextFrame(make([]byte, 0, 10+len(payload)), payload)
	}).([]byte)
}

func appendTextFrame(dst, payload []byte) []byte {
	const finText = 0x80 | 0x1
	switch n := len(payload); {
	case n <= 125:
		dst = append(dst, finText, byte(n))
	case n <= 0xffff:
		dst = append(dst, finText, 126, byte(n>>8), byte(n))
	default:
		dst = append(dst, finText, 127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	}
	return append(dst, payload...)
}

// writeGuard bounds every frame write of one connection by a timeout
// without a timer or a context per frame: a write stores when it began,
// and one per-connection timer, armed by the first write after it last
// went idle, checks on firing whether the write in progress (if any) is
// overdue; if it is not, it re-arms for the remainder. So a stalled write
// is closed WriteTimeout after it began, as a per-write deadline would,
// while a connection that writes a frame now and then touches the timer
// about once per timeout instead of twice per frame. Closing the
// connection is what unblocks the write. (A write in progress when the
// connection ends is serve's to cut, after a grace: the guard cannot tell
// a stalled write from one whose syscall has just returned.)
type writeGuard struct {
	ctx     context.Context
	conn    *websocket.Conn
	timeout time.Duration
	timer   *time.Timer
	// armed: the timer is scheduled. Whoever moves it false → true resets
	// the timer, so there is one pending firing at a time.
	armed atomic.Bool
	// since is when the write in progress began (monotonic nanoseconds
	// since clockBase, never 0), 0 when none is.
	since atomic.Int64
}

// clockBase anchors writeGuard's monotonic clock.
var clockBase = time.Now()

func monoNow() int64 { return int64(time.Since(clockBase)) + 1 }

func newWriteGuard(ctx context.Context, conn *websocket.Conn, timeout time.Duration) *writeGuard {
	g := &writeGuard{ctx: ctx, conn: conn, timeout: timeout}
	g.timer = time.AfterFunc(timeout, g.fire)
	g.timer.Stop()
	return g
}

// begin marks a write as started; false if the context has ended (do not
// write).
func (g *writeGuard) begin() bool {
	g.since.Store(monoNow())
	if g.ctx.Err() != nil {
		g.since.Store(0)
		return false
	}
	if !g.armed.Load() && g.armed.CompareAndSwap(false, true) {
		g.timer.Reset(g.timeout)
	}
	return true
}

func (g *writeGuard) end() { g.since.Store(0) }

// fire runs when the timer expires.
func (g *writeGuard) fire() {
	// Disarm before looking at since: a begin that stored since after
	// this load sees armed false and arms the timer itself.
	g.armed.Store(false)
	began := g.since.Load()
	if began == 0 {
		return // idle: the next write arms the timer
	}
	left := time.Duration(began + int64(g.timeout) - monoNow())
	if left <= 0 {
		g.conn.CloseNow() // the write fails; writeLoop reports the timeout
		return
	}
	if g.armed.CompareAndSwap(false, true) {
		g.timer.Reset(left)
	}
}

func (g *writeGuard) stop() { g.timer.Stop() }

func subscriptionClose(err error) *closeError {
	switch {
	case errors.Is(err, context.Canceled):
		return nil
	case errors.Is(err, broadcast.ErrSlowConsumer):
		// 1013: the client may retry (and resume from its last seq).
		return &closeError{websocket.StatusTryAgainLater, err.Error()}
	case errors.Is(err, broadcast.ErrProjectRemoved):
		return &closeError{websocket.StatusGoingAway, "project removed"}
	case errors.Is(err, broadcast.ErrClosed):
		return &closeError{websocket.StatusGoingAway, "daemon shutting down"}
	}
	return &closeError{websocket.StatusInternalError, err.Error()}
}

func (b *Bridge) pingLoop(ctx context.Context, conn *websocket.Conn) *closeError {
	t := time.NewTicker(b.o.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			pctx, cancel := context.WithTimeout(ctx, b.o.PingTimeout)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return &closeError{websocket.StatusGoingAway, "ping timed out"}
			}
		}
	}
}

func (b *Bridge) readLoop(ctx context.Context, conn *websocket.Conn, project, subID string) *closeError {
	for {
		typ, r, err := conn.Reader(ctx)
		var data []byte
		if err == nil {
			// One byte more than the limit tells a message at the limit
			// from one over it.
			data, err = io.ReadAll(io.LimitReader(r, b.o.ReadLimit+1))
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			// A peer's close or a broken connection.
			if s := websocket.CloseStatus(err); s != -1 {
				return &closeError{s, ""}
			}
			return &closeError{websocket.StatusProtocolError, "read: " + err.Error()}
		}
		if int64(len(data)) > b.o.ReadLimit {
			return &closeError{websocket.StatusMessageTooBig, fmt.Sprintf(
				"message over the limit of %d bytes (custom event data: %d bytes)", b.o.ReadLimit, b.o.MaxCustomBytes)}
		}
		if typ != websocket.MessageText {
			return &closeError{websocket.StatusUnsupportedData, "binary frames are not part of hmrd.v1: send protojson text"}
		}
		var msg hmrdv1.ClientMessage
		if err := protojson.Unmarshal(data, &msg); err != nil {
			return &closeError{websocket.StatusInvalidFramePayloadData, "malformed hmrd.v1.ClientMessage: " + err.Error()}
		}
		if ce := b.handle(ctx, conn, project, subID, &msg); ce != nil {
			return ce
		}
	}
}

// handle runs one client message. A request the daemon refuses (an unknown
// module, bad JSON data) is answered with a Refused frame and logged; it
// does not end the connection, whose other traffic is fine.
func (b *Bridge) handle(ctx context.Context, conn *websocket.Conn, project, subID string, msg *hmrdv1.ClientMessage) *closeError {
	var err error
	var request string
	switch k := msg.Kind.(type) {
	case *hmrdv1.ClientMessage_Invalidate:
		request = "invalidate"
		_, err = b.svc.Invalidate(ctx, project, k.Invalidate.GetModule(), k.Invalidate.GetFirstInvalidatedBy())
		if m := k.Invalidate.GetMessage(); m != "" {
			b.log.Info("invalidate", "project", project, "module", k.Invalidate.GetModule(), "msg", m)
		}
	case *hmrdv1.ClientMessage_Custom:
		request = "custom"
		_, err = b.svc.SendCustom(ctx, project, k.Custom.GetEvent(), k.Custom.GetData(), subID)
	case *hmrdv1.ClientMessage_Loaded:
		request = "loaded"
		_, err = b.svc.ReportLoaded(ctx, project, k.Loaded.GetModules())
	default:
		return &closeError{websocket.StatusInvalidFramePayloadData, "empty or unknown hmrd.v1.ClientMessage"}
	}
	if err == nil || ctx.Err() != nil {
		return nil
	}
	b.refusals.Warn("client message refused", "project", project, "subscriber", subID, "request", request, "err", err)
	return b.refuse(ctx, conn, project, &hmrdv1.Refused{
		Request: request, Id: msg.GetId(), Code: wire.CodeName(wire.Code(err)), Message: err.Error(),
	})
}

// refuse answers a refused client message on its connection only. It goes
// through the library's write path, which writes each frame in one Write,
// so it cannot interleave with writeLoop's frames (see writeLoop).
func (b *Bridge) refuse(ctx context.Context, conn *websocket.Conn, project string, r *hmrdv1.Refused) *closeError {
	data, err := protojson.Marshal(&hmrdv1.Event{Project: project, Time: timestamppb.Now(), Kind: &hmrdv1.Event_Refused{Refused: r}})
	if err != nil {
		return &closeError{websocket.StatusInternalError, "encode refusal: " + err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, b.o.WriteTimeout)
	defer cancel()
	if err := conn.Write(ctx, websocket.MessageText, data); err != nil && ctx.Err() == nil {
		return &closeError{websocket.StatusTryAgainLater, "write timed out: the page is not reading; reconnect to resume"}
	}
	return nil
}

// truncate keeps a close reason within the 123 bytes a close frame allows.
func truncate(s string) string {
	if len(s) <= 120 {
		return s
	}
	return strings.ToValidUTF8(s[:117], "") + "..."
}
