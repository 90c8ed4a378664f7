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
	// Version is the batch's version token, 0 if none (always 0 on Error
	// and ErrorCleared, which stamp nothing).
	Version int64
	Time    time.Time
	Body    Body
	// Changes are the inputs whose change made the batch the event belongs
	// to (the same slice on every event of the batch); nil when no input
	// caused it. Read only.
	Changes []Change
	// Notes tell people how the event was delivered (a rebuild gate that
	// did not acknowledge in time). Read only.
	Notes []string

	// Size is about the event's encoded size in bytes (EstimateSize), set
	// by the hub when it publishes the event: history and subscriber
	// queues are bounded by it.
	Size int

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
	// Versions are the batch's versions, sent with FullReload.Partial (and
	// only then): the modules a runtime applying it imports anew.
	Versions map[string]int64
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

// ChangeKind says how an input changed.
type ChangeKind uint8

const (
	ChangeUpdate ChangeKind = iota + 1
	ChangeCreate
	ChangeDelete
)

func (k ChangeKind) String() string {
	switch k {
	case ChangeCreate:
		return "create"
	case ChangeUpdate:
		return "update"
	case ChangeDelete:
		return "delete"
	}
	return "unknown"
}

// Change is one changed input: a file (absolute path), a module (its ID),
// or both.
type Change struct {
	File, Module string
	Kind         ChangeKind
}

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

// EstimateSize is about the size of the event's protobuf encoding
// (hmrd.v1.Event) in bytes, computed from its fields without encoding it:
// every string and repeated field with its framing, numbers at their
// typical width. The transports' encodings of the event (the protobuf
// message, its protojson text, a WebSocket frame) are each about this size,
// so it is what the hub counts to bound memory. It walks the body once and
// allocates nothing.
func (e *Event) EstimateSize() int {
	// project, epoch, seq, version (a millisecond token), time.
	n := str(e.Project) + str(e.Epoch) + 1 + varintLen(e.Seq) + 7 + 14
	for _, c := range e.Changes {
		n += msg(str(c.File) + str(c.Module) + 2)
	}
	n += strs(e.Notes)
	body := 0
	switch b := e.Body.(type) {
	case *Hello:
		body = 2 + str(b.DaemonVersion) + str(e.Epoch) + 1 + varintLen(b.HeadSeq) + str(b.Root) + 2 + str(b.SubscriberID)
		for _, x := range b.Errors {
			body += msg(x.size())
		}
	case *Update:
		body = updateSize(b.Updates, b.Versions) + strs(b.Triggers) + str(b.FirstInvalidatedBy)
	case *FullReload:
		body = str(b.Reason) + strs(b.Chain) + str(b.TriggeredBy) + str(b.Path) + 2
		if len(b.Partial) > 0 {
			body += msg(updateSize(b.Partial, b.Versions))
		}
	case *Prune:
		body = strs(b.Paths)
	case *Error:
		body = b.size()
	case *ErrorCleared:
		body = strs(b.Modules)
	case *Custom:
		body = str(b.Event) + str(b.Data) + str(b.From)
	case *Heartbeat:
		body = 1 + varintLen(b.HeadSeq)
	}
	return n + msg(body)
}

// updateSize is the encoded size of an Update's updates and versions.
func updateSize(updates []propagate.Update, versions map[string]int64) int {
	n := 0
	for i := range updates {
		u := &updates[i]
		n += msg(2 + str(u.Path) + str(u.AcceptedPath) + 2 + str(u.FirstInvalidatedBy) + strs(u.Chain))
	}
	for k := range versions {
		n += msg(str(k) + 7)
	}
	return n
}

// size is the encoded size of an Error's fields.
func (b *Error) size() int {
	return str(b.Message) + str(b.Module) + str(b.File) + 6 + str(b.Frame) + str(b.Code)
}

// str is the encoded size of a non-empty string field: tag, length, bytes.
func str(s string) int {
	if s == "" {
		return 0
	}
	return msg(len(s))
}

func strs(ss []string) int {
	n := 0
	for _, s := range ss {
		n += msg(len(s))
	}
	return n
}

// msg is the encoded size of a length-delimited field of n bytes.
func msg(n int) int { return 1 + varintLen(uint64(n)) + n }

func varintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
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
