package wsbridge_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// Pages served at other names browsers treat as local (*.localhost,
// "localhost.", 127.0.0.0/8 beyond 127.0.0.1) open a working WebSocket:
// their Host is allowed, so their Origin is too.
func TestLocalNamesGetAWebSocket(t *testing.T) {
	e := newEnv(t, nil)
	u, _ := url.Parse(e.srv.URL)
	addr := u.Host
	port := u.Port()
	// Every name is dialled at the test server's 127.0.0.1 address, so
	// Host and Origin carry the name while the socket stays on loopback.
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}}
	for _, name := range []string{"app.localhost", "a.b.localhost", "localhost.", "127.0.0.2", "127.8.9.10"} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			origin := "http://" + name + ":" + port
			c, resp, err := websocket.Dial(ctx, "ws://"+name+":"+port+"/?token="+e.guard.Token(), &websocket.DialOptions{
				HTTPClient: client, Subprotocols: []string{"hmrd.v1"}, HTTPHeader: http.Header{"Origin": {origin}},
			})
			if err != nil {
				status := 0
				if resp != nil {
					status = resp.StatusCode
				}
				t.Fatalf("page at %s: handshake refused (%d): %v", origin, status, err)
			}
			defer c.CloseNow()
			if h := readEvent(t, c).GetHello(); h == nil {
				t.Fatalf("page at %s: first frame is not a Hello", origin)
			}
		})
	}
}
