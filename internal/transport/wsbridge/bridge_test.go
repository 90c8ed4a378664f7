package wsbridge_test

import (
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/hmrd/hmrd/internal/broadcast"
	"github.com/hmrd/hmrd/internal/control"
	"github.com/hmrd/hmrd/internal/engine"
	"github.com/hmrd/hmrd/internal/signal"
	"github.com/hmrd/hmrd/internal/transport/httpguard"
	"github.com/hmrd/hmrd/internal/transport/wsbridge"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// fakeService is the daemon as far as the bridge sees it: a real hub, and
// records of what clients asked for.
type fakeService struct {
	control.Service // unused methods panic
	hub             *broadcast.Hub
	maxCustom       int // the daemon's limit on custom event data
	mu              sync.Mutex
	invalidated     []string
	loaded          []string
}

func (f *fakeService) Subscribe(ctx context.Context, project string, o broadcast.SubscribeOptions, entries []string) (*broadcast.Subscription, error) {
	return f.hub.Subscribe(project, o)
}

func (f *fakeService) Invalidate(ctx context.Context, project, module, first string) (uint64, error) {
	f.mu.Lock()
	f.invalidated = append(f.invalidated, module+" "+first)
	f.mu.Unlock()
	return 0, nil
}

func (f *fakeService) SendCustom(ctx context.Context, project, event, data, from string) (uint64, error) {
	// The daemon's contract: data over the limit or not JSON is refused.
	if len(data) > f.maxCustom {
		return 0, control.InvalidArgument("custom event %q data is %d bytes, over the limit of %d bytes", event, len(data), f.maxCustom)
	}
	if data != "" && !json.Valid([]byte(data)) {
		return 0, control.InvalidArgument("custom event %q: data is not valid JSON", event)
	}
	ev := f.hub.Publish(project, 0, &signal.Custom{Event: event, Data: data, From: from})
	if ev == nil {
		return 0, control.ErrUnknownProject
	}
	return ev.Seq, nil
}

func (f *fakeService) ReportLoaded(ctx context.Context, project string, modules []string) ([]string, error) {
	f.mu.Lock()
	f.loaded = append(f.loaded, modules...)
	f.mu.Unlock()
	return nil, nil
}

func (f *fakeService) Explain(context.Context, string, string) (engine.Explanation, error) {
	return engine.Explanation{}, errors.New("not here")
}

type env struct {
	svc    *fakeService
	srv    *httptest.Server
	guard  *httpguard.Guard
	origin string
}

func newEnv(t *testing.T, mutate func(*wsbridge.Options)) *env {
	t.Helper()
	return newEnvHub(t, broadcast.Options{}, mutate)
}

func newEnvHub(t *testing.T, ho broadcast.Options, mutate func(*wsbridge.Options)) *env {
	t.Helper()
	ho.Heartbeat = -1
	hub := broadcast.New("ep1", ho)
	hub.AddProject("app", "/app")
	t.Cleanup(hub.Close)
	g, err := httpguard.New(httpguard.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc := &fakeService{hub: hub}
	o := wsbridge.Options{Guard: g, Project: "app"}
	if mutate != nil {
		mutate(&o)
	}
	svc.maxCustom = cmp.Or(o.MaxCustomBytes, control.DefaultMaxCustomBytes)
	b, err := wsbridge.New(svc, o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(b)
	t.Cleanup(srv.Close)
	g.AllowServer(srv.Listener.Addr().String())
	u, _ := url.Parse(srv.URL)
	return &env{svc: svc, srv: srv, guard: g, origin: "http://127.0.0.1:" + u.Port()}
}

func (e *env) url(query string) string {
	return "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/?" + query
}

func (e *env) dial(t *testing.T, query string, h http.Header) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if h == nil {
		h = http.Header{"Origin": {e.origin}}
	}
	return websocket.Dial(ctx, e.url(query), &websocket.DialOptions{Subprotocols: []string{"hmrd.v1"}, HTTPHeader: h})
}

func (e *env) mustDial(t *testing.T, query string) *websocket.Conn {
	t.Helper()
	c, _, err := e.dial(t, "token="+e.guard.Token()+"&"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

func readEvent(t *testing.T, c *websocket.Conn) *hmrdv1.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	typ, data, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if typ != websocket.MessageText {
		t.Fatalf("frame type %v, want text", typ)
	}
	ev := &hmrdv1.Event{}
	if err := protojson.Unmarshal(data, ev); err != nil {
		t.Fatalf("frame is not a protojson Event: %v: %s", err, data)
	}
	return ev
}

func TestStreamsEventsAsProtojson(t *testing.T) {
	e := newEnv(t, nil)
	c := e.mustDial(t, "")
	if h := readEvent(t, c).GetHello(); h == nil || h.Epoch != "ep1" {
		t.Fatalf("first frame is not a Hello: %v", h)
	}
	e.svc.hub.Publish("app", 42, &signal.Prune{Paths: []string{"/src/a.js"}})
	ev := readEvent(t, c)
	if ev.Seq != 1 || ev.Version != 42 || ev.GetPrune().GetPaths()[0] != "/src/a.js" {
		t.Fatalf("event = %v", ev)
	}
}

func TestResumeWithLastSeq(t *testing.T) {
	e := newEnv(t, nil)
	for i := 0; i < 5; i++ {
		e.svc.hub.Publish("app", 0, &signal.Custom{Event: "x", Data: "1"})
	}
	c := e.mustDial(t, "epoch=ep1&seq=2")
	if h := readEvent(t, c).GetHello(); !h.GetResumed() {
		t.Fatalf("not resumed: %v", h)
	}
	for want := uint64(3); want <= 5; want++ {
		if ev := readEvent(t, c); ev.Seq != want {
			t.Fatalf("seq %d, want %d", ev.Seq, want)
		}
	}
	c2 := e.mustDial(t, "epoch=other&seq=2")
	readEvent(t, c2)
	if fr := readEvent(t, c2).GetFullReload(); fr.GetCause() != hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_RESYNC {
		t.Fatalf("foreign epoch: want resync, got %v", fr)
	}
}

// Security before Accept: each refused request gets 403 and no upgrade.
func TestRefusedBeforeUpgrade(t *testing.T) {
	e := newEnv(t, nil)
	tok := "token=" + e.guard.Token()
	for _, tc := range []struct {
		name  string
		query string
		hdr   http.Header
	}{
		{"cross-origin", tok, http.Header{"Origin": {"http://evil.example"}}},
		{"origin with other port", tok, http.Header{"Origin": {"http://127.0.0.1:1"}}},
		{"null origin", tok, http.Header{"Origin": {"null"}}},
		{"missing token", "", nil},
		{"wrong token", "token=00000000000000000000000000000000", nil},
		{"foreign host", tok, http.Header{"Origin": {e.origin}, "Host": {"evil.example"}}},
		{"foreign host with matching origin", tok, http.Header{"Origin": {"http://evil.example"}, "Host": {"evil.example"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.hdr
			if h == nil {
				h = http.Header{"Origin": {e.origin}}
			}
			req, _ := http.NewRequest("GET", e.srv.URL+"/?"+tc.query, nil)
			req.Header = h.Clone()
			if host := h.Get("Host"); host != "" {
				req.Host = host
			}
			req.Header.Set("Connection", "Upgrade")
			req.Header.Set("Upgrade", "websocket")
			req.Header.Set("Sec-WebSocket-Version", "13")
			req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
			req.Header.Set("Sec-WebSocket-Protocol", "hmrd.v1")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d, want 403", resp.StatusCode)
			}
		})
	}
	// A tool without Origin needs no token.
	c, _, err := e.dial(t, "", http.Header{})
	if err != nil {
		t.Fatalf("no-origin client refused: %v", err)
	}
	c.CloseNow()
}

func TestHostileFramesCloseWithCode(t *testing.T) {
	e := newEnv(t, func(o *wsbridge.Options) { o.ReadLimit = 1024 })
	for _, tc := range []struct {
		name string
		typ  websocket.MessageType
		data string
		want websocket.StatusCode
	}{
		{"binary", websocket.MessageBinary, "\x00\x01", websocket.StatusUnsupportedData},
		{"not json", websocket.MessageText, "{nope", websocket.StatusInvalidFramePayloadData},
		{"unknown field", websocket.MessageText, `{"bogus":1}`, websocket.StatusInvalidFramePayloadData},
		{"empty message", websocket.MessageText, `{}`, websocket.StatusInvalidFramePayloadData},
		{"oversized", websocket.MessageText, `{"custom":{"event":"x","data":"` + strings.Repeat("a", 4096) + `"}}`, websocket.StatusMessageTooBig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := e.mustDial(t, "")
			readEvent(t, c)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := c.Write(ctx, tc.typ, []byte(tc.data)); err != nil {
				t.Fatal(err)
			}
			_, _, err := c.Read(ctx)
			if got := websocket.CloseStatus(err); got != tc.want {
				t.Fatalf("closed with %v (%v), want %v", got, err, tc.want)
			}
		})
	}
	// The bridge is still serving.
	c := e.mustDial(t, "")
	if readEvent(t, c).GetHello() == nil {
		t.Fatal("no hello after hostile frames")
	}
}

func TestClientMessages(t *testing.T) {
	e := newEnv(t, nil)
	a := e.mustDial(t, "")
	b := e.mustDial(t, "")
	readEvent(t, a)
	readEvent(t, b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	send := func(s string) {
		if err := a.Write(ctx, websocket.MessageText, []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	send(`{"id":"c1","custom":{"event":"bad","data":"{not json"}}`) // refused, connection stays
	// The sender alone is told, with the request's id and the gRPC code.
	if r := readEvent(t, a).GetRefused(); r.GetRequest() != "custom" || r.GetId() != "c1" || r.GetCode() != "INVALID_ARGUMENT" || !strings.Contains(r.GetMessage(), "not valid JSON") {
		t.Fatalf("refusal = %v", r)
	}
	send(`{"invalidate":{"module":"/src/a.js","firstInvalidatedBy":"/src/a.js"}}`)
	send(`{"loaded":{"modules":["/src/lazy.js"]}}`)
	send(`{"custom":{"event":"my:evt","data":"{\"x\":1}"}}`)
	ev := readEvent(t, b)
	if c := ev.GetCustom(); c.GetEvent() != "my:evt" || c.GetData() != `{"x":1}` || c.GetFrom() == "" {
		t.Fatalf("custom event = %v", ev)
	}
	e.svc.mu.Lock()
	defer e.svc.mu.Unlock()
	if len(e.svc.invalidated) != 1 || e.svc.invalidated[0] != "/src/a.js /src/a.js" || len(e.svc.loaded) != 1 {
		t.Fatalf("invalidated %v loaded %v", e.svc.invalidated, e.svc.loaded)
	}
}

// A page that stops reading is closed with 1013 (try again: resume), and
// does not hold up another page.
func TestStalledPageIsClosed(t *testing.T) {
	e := newEnv(t, func(o *wsbridge.Options) { o.QueueSize = 8; o.WriteTimeout = 300 * time.Millisecond })
	stalled := e.mustDial(t, "")
	stalled.SetReadLimit(1 << 20)
	readEvent(t, stalled)
	healthy := e.mustDial(t, "")
	healthy.SetReadLimit(1 << 20)
	readEvent(t, healthy)
	big := `"` + strings.Repeat("x", 64<<10) + `"`
	const n = 400 // 25 MiB: more than loopback socket buffers hold
	var progress atomic.Uint64
	tick := make(chan struct{}, 1)
	errc := make(chan error, 1)
	go func() {
		for want := uint64(1); want <= n; want++ {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			_, data, err := healthy.Read(ctx)
			cancel()
			if err != nil {
				errc <- err
				return
			}
			ev := &hmrdv1.Event{}
			if err := protojson.Unmarshal(data, ev); err != nil || ev.Seq != want {
				errc <- errors.New("healthy page: out of order or bad frame")
				return
			}
			progress.Store(want)
			select {
			case tick <- struct{}{}:
			default:
			}
		}
		errc <- nil
	}()
	for i := uint64(1); i <= n; i++ {
		// The healthy page keeps up (the publisher waits for it); the
		// stalled one falls behind.
		for i > progress.Load()+4 {
			select {
			case <-tick:
			case err := <-errc:
				t.Fatalf("healthy page: %v", err)
			}
		}
		e.svc.hub.Publish("app", 0, &signal.Custom{Event: "big", Data: big})
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var err error
	for err == nil {
		_, _, err = stalled.Read(ctx)
	}
	// A page that does not read cannot receive a close frame either (its
	// socket buffer is full, the last frame half written): it sees 1013
	// when the hub cut it off between frames, or the connection drop.
	if got := websocket.CloseStatus(err); got != websocket.StatusTryAgainLater && got != -1 {
		t.Fatalf("stalled page ended with %v (%v), want 1013 or a dropped connection", got, err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("stalled page was never closed")
	}
}

// A page that stops reading while its queue has room is closed by the
// write timeout alone: the hub never cuts it off here.
func TestWriteTimeoutClosesStalledPage(t *testing.T) {
	const n = 200 // 12.5 MiB: more than loopback socket buffers hold
	e := newEnvHub(t, broadcast.Options{QueueBytes: 64 << 20, LagTimeout: -1}, func(o *wsbridge.Options) {
		o.QueueSize = 4 * n
		o.WriteTimeout = 200 * time.Millisecond
		o.PingInterval = time.Hour // a failing ping would close it too
	})
	stalled := e.mustDial(t, "")
	stalled.SetReadLimit(1 << 20)
	readEvent(t, stalled)
	big := `"` + strings.Repeat("x", 64<<10) + `"`
	for range n {
		e.svc.hub.Publish("app", 0, &signal.Custom{Event: "big", Data: big})
	}
	// The bridge gives up on the write and drops the connection; the
	// subscription goes with it.
	deadline := time.Now().Add(20 * time.Second)
	for len(e.svc.hub.Subscribers()) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("stalled page was never closed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var err error
	for err == nil {
		_, _, err = stalled.Read(ctx)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("stalled page's connection is still open")
	}
}

// Data frames are written straight to the connection while the library
// writes control frames (the bridge's pings, its pongs to the page's
// pings) on the same socket: every frame must arrive whole and in order.
func TestDataAndControlFramesDoNotInterleave(t *testing.T) {
	e := newEnv(t, func(o *wsbridge.Options) { o.PingInterval = 50 * time.Microsecond; o.QueueSize = 8192 })
	c := e.mustDial(t, "")
	c.SetReadLimit(1 << 20)
	readEvent(t, c)
	const n = 3000
	// The page pings too; the library answers each with a pong.
	pingCtx, stopPings := context.WithCancel(context.Background())
	pinged := make(chan int)
	go func() {
		k := 0
		defer func() { pinged <- k }()
		for pingCtx.Err() == nil {
			if c.Ping(pingCtx) != nil {
				return
			}
			k++
		}
	}()
	big := strings.Repeat("é", 40000) // 80 KB: a frame with a 64-bit length
	for i := range n {
		data := `{"i":` + strconv.Itoa(i) + `}`
		if i%500 == 0 {
			data = `"` + big + `"`
		}
		e.svc.hub.Publish("app", 0, &signal.Custom{Event: "x", Data: data})
	}
	for want := uint64(1); want <= n; want++ {
		ev := readEvent(t, c)
		if ev.Seq != want {
			t.Fatalf("seq %d, want %d", ev.Seq, want)
		}
		if want%500 == 1 && ev.GetCustom().GetData() != `"`+big+`"` {
			t.Fatalf("seq %d: large frame damaged (%d bytes)", want, len(ev.GetCustom().GetData()))
		}
	}
	stopPings()
	if k := <-pinged; k == 0 {
		t.Fatal("no ping round trip completed while the events were read")
	}
}

func TestTextFrameHeader(t *testing.T) {
	for _, n := range []int{0, 1, 125, 126, 127, 65535, 65536, 70000} {
		payload := []byte(strings.Repeat("b", n))
		f := wsbridge.AppendTextFrame(nil, payload)
		var hdr int
		switch {
		case n <= 125:
			hdr = 2
			if f[1] != byte(n) {
				t.Fatalf("n=%d: length byte %d", n, f[1])
			}
		case n <= 65535:
			hdr = 4
			if f[1] != 126 || int(f[2])<<8|int(f[3]) != n {
				t.Fatalf("n=%d: 16-bit length % x", n, f[:4])
			}
		default:
			hdr = 10
			if f[1] != 127 || binary.BigEndian.Uint64(f[2:10]) != uint64(n) {
				t.Fatalf("n=%d: 64-bit length % x", n, f[:10])
			}
		}
		if f[0] != 0x81 || len(f) != hdr+n || string(f[hdr:]) != string(payload) {
			t.Fatalf("n=%d: frame % x... (%d bytes)", n, f[:hdr], len(f))
		}
	}
}

// A custom event over the daemon's limit is refused as over gRPC
// (INVALID_ARGUMENT naming the limit) and the page stays connected; a
// message over the read limit closes it with 1009 and a reason naming both
// limits. Data at the limit, escaped as a JSON string, still fits.
func TestCustomEventLimits(t *testing.T) {
	const max = 64 << 10
	e := newEnv(t, func(o *wsbridge.Options) { o.MaxCustomBytes = max })
	// A JSON string of n bytes of backslashes: escaped, it doubles.
	backslashes := func(n int) string { return `"` + strings.Repeat(`\\`, (n-2)/2) + `"` }
	msg := func(data string) []byte {
		b, err := json.Marshal(map[string]any{"custom": map[string]string{"event": "big", "data": data}, "id": "c1"})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	c := e.mustDial(t, "")
	c.SetReadLimit(4 * max)
	readEvent(t, c)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	send := func(frame []byte) {
		t.Helper()
		if err := c.Write(ctx, websocket.MessageText, frame); err != nil {
			t.Fatal(err)
		}
	}

	send(msg(backslashes(max)))
	if ev := readEvent(t, c); ev.GetCustom().GetEvent() != "big" {
		t.Fatalf("data at the limit, escaped: got %v, want the custom event back", ev)
	}
	send(msg(`"` + strings.Repeat("x", max) + `"`))
	const refusal = `custom event "big" data is 65538 bytes, over the limit of 65536 bytes`
	if r := readEvent(t, c).GetRefused(); r.GetRequest() != "custom" || r.GetId() != "c1" || r.GetCode() != "INVALID_ARGUMENT" || r.GetMessage() != refusal {
		t.Fatalf("data over the limit: refused %v, want INVALID_ARGUMENT %q", r, refusal)
	}
	send(msg(strings.Repeat(" ", 3*max) + "1"))
	_, _, err := c.Read(ctx)
	var ce websocket.CloseError
	const reason = "message over the limit of 196608 bytes (custom event data: 65536 bytes)"
	if !errors.As(err, &ce) || ce.Code != websocket.StatusMessageTooBig || ce.Reason != reason {
		t.Fatalf("message over the read limit: %v\nwant 1009 %q", err, reason)
	}
}

// One batch of far more events than a queue holds reaches a page that
// reads, whole: it is not closed with 1013.
func TestBigBatchReachesReadingPage(t *testing.T) {
	const storm = 1000
	e := newEnv(t, nil)
	c := e.mustDial(t, "")
	readEvent(t, c)
	bodies := make([]signal.Body, storm)
	for i := range bodies {
		bodies[i] = &signal.Error{Module: "/src/a.js", Message: fmt.Sprintf("cannot resolve ./m%d.js", i), Code: "UNRESOLVED_IMPORT"}
	}
	e.svc.hub.PublishBatch("app", 0, bodies...)
	for want := uint64(1); want <= storm; want++ {
		if ev := readEvent(t, c); ev.Seq != want {
			t.Fatalf("seq %d, want %d", ev.Seq, want)
		}
	}
}
