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
	// Compile compiles one TypeScript or JSX source of the project, as the
	// runtime read it from file, for a runtime that loads project files
	// itself and cannot compile them (engine.Project.CompileTargetOf). A
	// syntax error is merr, not err.
	Compile(ctx context.Context, project, file string, src []byte) (code []byte, merr *engine.ModuleError, err error)
	// Register opens a bundler's registration with a project: the facts
	// and changes it reports, and its rebuild gate, last until Close.
	Register(ctx context.Context, project string, o RegisterOptions) (Registration, error)
}

// RegisterOptions say who registers and whether it gates batches.
type RegisterOptions struct {
	Client broadcast.ClientInfo
	// Gate holds each batch's signals until the registration acknowledges
	// the batch, or GateTimeout passes (0: the daemon's default; bounded
	// by its maximum).
	Gate        bool
	GateTimeout time.Duration
}

// Registration is one bundler's registration. Its methods are safe for
// concurrent use; Close withdraws what it reported and removes its gate.
type Registration interface {
	Info() RegistrationInfo
	// Report applies facts and changes as one batch (the report's Owner
	// is set to the registration).
	Report(ctx context.Context, r engine.Report) (Applied, error)
	// Ack acknowledges every batch up to and including batch.
	Ack(ctx context.Context, batch uint64) error
	// GateBatches is signalled when NextGateBatches has batches to take.
	GateBatches() <-chan struct{}
	// NextGateBatches takes the batches sent to the gate since the last
	// call, oldest first.
	NextGateBatches() []GateBatch
	// Ended is closed when the daemon ends the registration: its project
	// was removed, or the daemon is stopping.
	Ended() <-chan struct{}
	Close()
}

// RegistrationInfo answers the opening of a registration.
type RegistrationInfo struct {
	ID, Root string
	HeadSeq  uint64
	// Epoch and DaemonVersion are the daemon's.
	Epoch, DaemonVersion string
	// GateTimeout is the timeout in force (0 when not a gate).
	GateTimeout time.Duration
}

// Applied is what a report did.
type Applied struct {
	// Batch is the batch the report made, 0 when it signalled nothing.
	Batch uint64
	// Unknown are changed module IDs the graph does not know.
	Unknown []string
}

// GateBatch is a batch held for a gate's acknowledgement.
type GateBatch struct {
	Batch    uint64
	Version  int64
	Changes  []signal.Change
	Versions map[string]int64
	// Signals are the kinds of the signals held.
	Signals []string
}

// RegistrationStatus is a registration as `hmrd status` shows it.
type RegistrationStatus struct {
	ID, Project string
	Client      broadcast.ClientInfo
	Modules     int
	Connected   time.Time
	Gate        bool
	GateTimeout time.Duration
	AckedBatch  uint64
	// Pending batches sent and not acknowledged; OldestPending is how long
	// the oldest has waited.
	Pending       int
	OldestPending time.Duration
	Timeouts      uint64
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
	Registrations   []RegistrationStatus
	HeapBytes       uint64
	Goroutines      int
}

// DefaultMaxCustomBytes is the daemon's default limit on a custom event's
// data (import.meta.hot.send, SendCustom).
const DefaultMaxCustomBytes = 1 << 20

// ErrUnimplemented: this implementation of the Service does not offer the
// call (a test fake).
var ErrUnimplemented = errors.New("not implemented")

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
