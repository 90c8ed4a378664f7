// Package signal defines the HMR signals hmrd publishes, independent of any
// transport: the broadcast hub sequences them, and the gRPC and WebSocket
// adapters convert them to protocol messages (proto/hmrd/v1).
//
// An Event is immutable once published: the hub hands the same pointer to
// every subscriber, so nobody may modify an Event or anything it references
// after Publish.
package signal

import (
	"sync"
	"time"

	"github.com/hmrd/hmrd/internal/graph/propagate"
)

// ProtocolVersion is the protocol version this daemon speaks.
const ProtocolVersion = 1

// Event is one entry of a project's signal stream.
type Event struct {
	Project string
	// Seq is the per-project sequence number. Signals each take the next
	// one; Hello and Heartbeat repeat the head seq.
	Seq uint64
	// Epoch identifies the daemon instance that assigned Seq.
	Epoch string
	// Version is the batch's version token, 0 if none.
	Version int64
	Time    time.Time
	Body    Body

	// Encoded caches transport encodings of the event, computed once for
	// every subscriber (see Encodings).
	Encoded Encodings
}

// Body is one of *Hello, *Update, *FullReload, *Prune, *Error,
// *ErrorCleared, *Custom, *Heartbeat.
type Body interface{ isBody() }

// Hello opens every subscription.
type Hello struct {
	ProtocolVersion uint32
	DaemonVersion   string
	HeadSeq         uint64
	Root            string
	// Resumed: the hub replays from the subscriber's resume point.
	Resumed      bool
	SubscriberID string
	// Errors are the errors standing at HeadSeq, by module ID (see
	// ErrorCleared). Shared with the hub's state: read only.
	Errors []*Error
}

// Update is a hot update: the boundaries to re-import, in order.
type Update struct {
	Updates            []propagate.Update
	Versions           map[string]int64
	Triggers           []string
	FirstInvalidatedBy string
}

// FullReload means the runtime must reload.
type FullReload struct {
	propagate.FullReload
}

// Prune lists modules that left the live graph.
type Prune struct {
	Paths []string
}

// Error is a module that cannot be updated as it is. It stands until an
// ErrorCleared names its module, or a later Error for the module replaces
// it; an Error with no Module stands for nothing.
type Error struct {
	Message      string
	Module, File string
	Line, Column int
	Frame        string
	Code         string
}

// ErrorCleared lists modules whose errors no longer stand: fixed, deleted,
// or no longer live.
type ErrorCleared struct {
	Modules []string
}

// Custom is an application event (import.meta.hot.send).
type Custom struct {
	Event string
	// Data is JSON text ("null" when empty).
	Data string
	// From is the subscriber id of the sender, "" for the daemon.
	From string
}

// Heartbeat keeps idle streams alive.
type Heartbeat struct {
	HeadSeq uint64
}

func (*Hello) isBody()        {}
func (*Update) isBody()       {}
func (*FullReload) isBody()   {}
func (*Prune) isBody()        {}
func (*Error) isBody()        {}
func (*ErrorCleared) isBody() {}
func (*Custom) isBody()       {}
func (*Heartbeat) isBody()    {}

// Kind names the body for logs and status output.
func (e *Event) Kind() string {
	switch e.Body.(type) {
	case *Hello:
		return "hello"
	case *Update:
		return "update"
	case *FullReload:
		return "full-reload"
	case *Prune:
		return "prune"
	case *Error:
		return "error"
	case *ErrorCleared:
		return "error-cleared"
	case *Custom:
		return "custom"
	case *Heartbeat:
		return "heartbeat"
	}
	return "unknown"
}

// Sequenced reports whether the body takes a seq of its own (Hello and
// Heartbeat do not).
func Sequenced(b Body) bool {
	switch b.(type) {
	case *Hello, *Heartbeat:
		return false
	}
	return true
}

// Encodings memoises transport encodings of one event (a protobuf message,
// a JSON frame), so a signal fanned out to a thousand subscribers is
// serialised once. Safe for concurrent use; the zero value is ready.
type Encodings struct {
	mu    sync.Mutex
	byKey map[string]any
}

// Get returns the encoding stored under key, computing it with encode on
// first use. encode runs without the lock held (one encoding may be built
// from another, e.g. JSON from the proto message); if two goroutines race,
// both compute and the first stored wins, so every caller sees one value.
func (c *Encodings) Get(key string, encode func() any) any {
	c.mu.Lock()
	v, ok := c.byKey[key]
	c.mu.Unlock()
	if ok {
		return v
	}
	v = encode()
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.byKey[key]; ok {
		return prev
	}
	if c.byKey == nil {
		c.byKey = make(map[string]any, 2)
	}
	c.byKey[key] = v
	return v
}
