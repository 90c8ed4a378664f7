package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The fan-out's WebSocket subscribers share the machine's two cores with
// the daemon they measure: a library reader (one goroutine, a context and
// a message reader per frame) costs about as much CPU per delivery as the
// daemon's own send, so on this machine the benchmark would largely be
// measuring itself. These are the pieces of a minimal RFC 6455 client —
// the opening handshake and a parser of server frames — that the epoll
// reader (wsepoll_linux.go) is built from. They check what a client must
// (the accept key, the subprotocol, unmasked frames, no reserved bits,
// fragmentation order, bounded lengths) and answer pings, so the daemon
// sees an ordinary page.

// wsGUID is RFC 6455's key suffix.
const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// maxRawFrame bounds one server frame or message (the daemon's frames are
// a few hundred bytes; a Hello with a replay can be larger).
const maxRawFrame = 4 << 20

// rawHandshake dials rawurl (ws://host/path?query) and performs the
// opening handshake as a page at origin would. It returns the open TCP
// connection and any bytes the server sent after its 101 response (the
// daemon writes the Hello at once, so they may arrive with it).
func rawHandshake(ctx context.Context, rawurl, origin, subprotocol string) (*net.TCPConn, []byte, error) {
	u, err := url.Parse(rawurl)
	if err != nil || u.Scheme != "ws" {
		return nil, nil, fmt.Errorf("websocket %s: want a ws:// URL", redactToken(rawurl))
	}
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(dctx, "tcp", u.Host)
	if err != nil {
		return nil, nil, fmt.Errorf("websocket %s: %w", redactToken(rawurl), err)
	}
	conn := c.(*net.TCPConn)
	fail := func(err error) (*net.TCPConn, []byte, error) {
		conn.Close()
		return nil, nil, fmt.Errorf("websocket %s: %w", redactToken(rawurl), err)
	}
	if dl, ok := dctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	var nonce [16]byte
	rand.Read(nonce[:])
	key := base64.StdEncoding.EncodeToString(nonce[:])
	req := "GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host +
		"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + key +
		"\r\nSec-WebSocket-Protocol: " + subprotocol + "\r\nOrigin: " + origin + "\r\n\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		return fail(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodGet})
	if err != nil {
		return fail(fmt.Errorf("handshake: %w", err))
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return fail(fmt.Errorf("handshake: %s", resp.Status))
	}
	if got, want := resp.Header.Get("Sec-WebSocket-Accept"), acceptKey(key); got != want {
		return fail(fmt.Errorf("handshake: Sec-WebSocket-Accept %q, want %q", got, want))
	}
	if got := resp.Header.Get("Sec-WebSocket-Protocol"); got != subprotocol {
		return fail(fmt.Errorf("handshake: server chose subprotocol %q", got))
	}
	if !strings.EqualFold(resp.Header.Get("Upgrade"), "websocket") {
		return fail(errors.New("handshake: no Upgrade: websocket"))
	}
	rest, _ := br.Peek(br.Buffered())
	conn.SetDeadline(time.Time{})
	return conn, append([]byte(nil), rest...), nil
}

func acceptKey(key string) string {
	h := sha1.Sum([]byte(key + wsGUID))
	return base64.StdEncoding.EncodeToString(h[:])
}

// frameParser reassembles the server's messages from the bytes of one
// connection, in whatever chunks reads return them.
type frameParser struct {
	buf   []byte // bytes not yet parsed
	msg   []byte // the fragments so far of a fragmented message
	inMsg bool
}

// errPeerClosed reports the server's close frame.
var errPeerClosed = errors.New("server sent a close frame")

// feed parses b. It calls onMessage with each complete text message (the
// slice is only valid during the call) and onPing with each ping's
// payload, and returns errPeerClosed on a close frame and an error on a
// frame a server may not send.
func (p *frameParser) feed(b []byte, onMessage func([]byte), onPing func([]byte) error) error {
	p.buf = append(p.buf, b...)
	off := 0
	defer func() {
		// Keep the unparsed tail at the front (it is at most one frame).
		n := copy(p.buf, p.buf[off:])
		p.buf = p.buf[:n]
	}()
	for {
		data := p.buf[off:]
		if len(data) < 2 {
			return nil
		}
		b0, b1 := data[0], data[1]
		if b0&0x70 != 0 {
			return errors.New("frame with reserved bits set (no extension was negotiated)")
		}
		if b1&0x80 != 0 {
			return errors.New("masked frame from the server")
		}
		fin, op := b0&0x80 != 0, b0&0x0f
		hdr, n := 2, uint64(b1&0x7f)
		switch n {
		case 126:
			if len(data) < 4 {
				return nil
			}
			hdr, n = 4, uint64(binary.BigEndian.Uint16(data[2:]))
		case 127:
			if len(data) < 10 {
				return nil
			}
			hdr, n = 10, binary.BigEndian.Uint64(data[2:])
		}
		if n > maxRawFrame {
			return fmt.Errorf("frame of %d bytes (limit %d)", n, maxRawFrame)
		}
		if uint64(len(data)-hdr) < n {
			return nil
		}
		payload := data[hdr : hdr+int(n)]
		off += hdr + int(n)
		if op >= 0x8 && (!fin || n > 125) {
			return fmt.Errorf("control frame %#x fragmented or over 125 bytes", op)
		}
		switch op {
		case 0x1: // text
			if p.inMsg {
				return errors.New("new message inside a fragmented one")
			}
			if fin {
				onMessage(payload)
				continue
			}
			p.inMsg, p.msg = true, append(p.msg[:0], payload...)
		case 0x0: // continuation
			if !p.inMsg {
				return errors.New("continuation frame outside a message")
			}
			if len(p.msg)+len(payload) > maxRawFrame {
				return fmt.Errorf("message over %d bytes", maxRawFrame)
			}
			p.msg = append(p.msg, payload...)
			if fin {
				p.inMsg = false
				onMessage(p.msg)
			}
		case 0x2:
			return errors.New("binary frame (hmrd.v1 sends text)")
		case 0x8:
			return errPeerClosed
		case 0x9:
			if err := onPing(payload); err != nil {
				return err
			}
		case 0xA: // pong: nothing to do
		default:
			return fmt.Errorf("unknown opcode %#x", op)
		}
	}
}

// clientFrame is a masked client frame (RFC 6455 section 5.3: every client frame
// is masked) with a FIN bit, opcode op and payload (≤ 125 bytes).
func clientFrame(op byte, payload []byte) []byte {
	f := make([]byte, 0, 6+len(payload))
	f = append(f, 0x80|op, 0x80|byte(len(payload)))
	var mask [4]byte
	rand.Read(mask[:])
	f = append(f, mask[:]...)
	for i, c := range payload {
		f = append(f, c^mask[i%4])
	}
	return f
}
