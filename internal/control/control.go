// Package control is the daemon's control surface as plain Go: the Service
// the daemon implements and the transports (gRPC, WebSocket) adapt. It holds
// no HMR logic and knows no transport, so every adapter stays a thin
// conversion layer over the same calls and the same errors.
package control

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hmrd/hmrd/internal/broadcast"
	"github.com/hmrd/hmrd/internal/engine"
	"github.com/hmrd/hmrd/internal/fswatch"
	"github.com/hmrd/hmrd/internal/signal"
)

// Service is what transports call. Every method is safe for concurrent use;
// calls that touch a project's graph run on that project's goroutine.
type Service interface {
	// Subscribe opens a subscription to a project's signals. Entries are
	// extra entry modules the subscribing runtime executes.
	Subscribe(ctx context.Context, project string, o broadcast.SubscribeOptions, entries []string) (*broadcast.Subscription, error)
	// Invalidate re-runs propagation from the importers of module (a
	// runtime's import.meta.hot.invalidate()); it returns the seq of the
	// first signal published, 0 if nothing was signalled.
	Invalidate(ctx context.Context, project, module, firstInvalidatedBy string) (uint64, error)
	// ReportLoaded marks lazily imported modules as loaded by a runtime; it
	// returns the modules the graph does not know.
	ReportLoaded(ctx context.Context, project string, modules []string) ([]string, error)
	// SendCustom publishes an application event (import.meta.hot.send).
	SendCustom(ctx context.Context, project, event, data, from string) (uint64, error)
	// AddProject starts watching root; dev says whether and where its dev
	// server listens.
	AddProject(ctx context.Context, root, name string, entries []string, dev DevServer) (ProjectInfo, error)
	RemoveProject(ctx context.Context, project string) error
	ListProjects(ctx context.Context) []ProjectInfo
	Explain(ctx context.Context, project, module string) (engine.Explanation, error)
	Graph(ctx context.Context, project string) (*engine.Snapshot, error)
	Status(ctx context.Context) Status
	// ServeModule tells a dev server where each specifier (as written in
	// module id) leads, with versions, and records that a runtime fetched
	// the module (so its lazy edits propagate). ok is false for a module
	// the graph does not know.
	ServeModule(ctx context.Context, project, id string, specs []string) (info engine.ServeInfo, ok bool, err error)
	// Reload publishes a full reload of every page (cause CONFIG) for a
	// change pages loaded that the graph does not see, such as the dev
	// server's dependency bundle being rebuilt; reason says what changed.
	// It returns the signal's seq.
	Reload(ctx context.Context, project, reason string) (uint64, error)
}

// AnonymousSender is Custom.from for a custom event sent over gRPC by a
// client that named no subscription of its own.
const AnonymousSender = "grpc"

// ProjectInfo describes one project.
type ProjectInfo struct {
	Name, Root string
	engine.Stats
	HeadSeq uint64
	// HTTPURL is the project's dev server ("" when it has none).
	HTTPURL string
}

// DevServer says where an added project's dev server listens.
type DevServer struct {
	// Addr is "host:port", "off", or "" for the daemon's default (the port
	// after the highest one in use, when the daemon serves HTTP at all).
	Addr string
	// StrictPort fails on a busy port instead of moving to the next.
	StrictPort bool
}

// ProjectStatus is a project as `hmrd status` shows it.
type ProjectStatus struct {
	ProjectInfo
	Watches int
	// LastSignal is the last sequenced event (nil before the first).
	LastSignal *signal.Event
	// LastLatency is from the first file event of the last batch to its
	// signal entering the hub; MedianLatency over recent batches.
	LastLatency, MedianLatency time.Duration
	// Degraded says whether part of the project is polled because a
	// watch limit was reached (zero when every directory is watched).
	Degraded fswatch.Degraded
}

// Status is the daemon as `hmrd status` shows it.
type Status struct {
	DaemonVersion   string
	ProtocolVersion uint32
	Epoch           string
	Started         time.Time
	Listeners       []string
	Projects        []ProjectStatus
	Subscribers     []broadcast.SubscriberInfo
	HeapBytes       uint64
	Goroutines      int
}

// DefaultMaxCustomBytes is the daemon's default limit on a custom event's
// data (import.meta.hot.send, SendCustom).
const DefaultMaxCustomBytes = 1 << 20

// ErrUnknownProject: no project has that name.
var ErrUnknownProject = errors.New("unknown project")

// InvalidArgumentError is a request the daemon cannot act on as given.
type InvalidArgumentError struct{ Msg string }

func (e *InvalidArgumentError) Error() string { return e.Msg }

// InvalidArgument formats an InvalidArgumentError.
func InvalidArgument(format string, args ...any) error {
	return &InvalidArgumentError{Msg: fmt.Sprintf(format, args...)}
}

// NotFoundError is a request naming something that does not exist: a root
// directory, a module of a project.
type NotFoundError struct{ Msg string }

func (e *NotFoundError) Error() string { return e.Msg }

// NotFound formats a NotFoundError.
func NotFound(format string, args ...any) error {
	return &NotFoundError{Msg: fmt.Sprintf(format, args...)}
}
