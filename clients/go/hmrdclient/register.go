package hmrdclient

import (
	"context"
	"errors"
	"fmt"
	"sync"

	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// Registration is a bundler's registration with a project
// (BundlerService.Register): it reports the facts of the modules the
// bundler owns and changes of inputs the daemon does not watch, and, for a
// rebuild gate, receives each batch to acknowledge once its rebuild is
// done. Its life is one stream: when it ends (Close, the daemon stopping,
// the connection lost) the daemon withdraws its facts and its gate, and
// Done is closed. It does not reconnect by itself: register again, and
// report the facts again (ReportFacts with Replace), after a restart.
//
// Methods are safe for concurrent use.
type Registration struct {
	// Registered is the daemon's answer to the open.
	Registered *hmrdv1.Registered

	stream hmrdv1.BundlerService_RegisterClient
	cancel context.CancelFunc

	sendMu sync.Mutex
	mu     sync.Mutex
	nextID uint64
	wait   map[uint64]chan *hmrdv1.Applied
	err    error

	batches chan *hmrdv1.GateBatch
	done    chan struct{}
}

// gateQueue bounds the gate batches not yet taken from GateBatches; when
// it is full the oldest is dropped (acknowledging a later batch covers it).
const gateQueue = 1024

// Register opens a registration with open.Project. A nil open.Client takes
// the client's (WithClientInfo).
func (c *Client) Register(ctx context.Context, open *hmrdv1.RegisterOpen) (*Registration, error) {
	if open.GetClient() == nil {
		open = &hmrdv1.RegisterOpen{Project: open.GetProject(), Client: c.opts.clientInfo, ProtocolVersions: open.GetProtocolVersions(), Gate: open.GetGate(), GateTimeout: open.GetGateTimeout()}
	}
	sctx, cancel := context.WithCancel(context.Background())
	stop := context.AfterFunc(ctx, cancel) // ctx bounds the opening only
	stream, err := c.bundler.Register(sctx)
	if err == nil {
		err = stream.Send(&hmrdv1.RegisterRequest{Kind: &hmrdv1.RegisterRequest_Open{Open: open}})
	}
	var first *hmrdv1.RegisterResponse
	if err == nil {
		first, err = stream.Recv()
	}
	if !stop() || err != nil {
		cancel()
		if err == nil {
			err = ctx.Err()
		}
		return nil, rpcError(ctx, "register", err)
	}
	if first.GetRegistered() == nil {
		cancel()
		return nil, fmt.Errorf("hmrd: register: the daemon answered %v, not Registered", first)
	}
	r := &Registration{
		Registered: first.GetRegistered(), stream: stream, cancel: cancel,
		wait: map[uint64]chan *hmrdv1.Applied{}, batches: make(chan *hmrdv1.GateBatch, gateQueue), done: make(chan struct{}),
	}
	go r.recv()
	return r, nil
}

// recv takes the daemon's answers until the stream ends.
func (r *Registration) recv() {
	var err error
	for {
		var resp *hmrdv1.RegisterResponse
		resp, err = r.stream.Recv()
		if err != nil {
			break
		}
		switch k := resp.GetKind().(type) {
		case *hmrdv1.RegisterResponse_Applied:
			r.mu.Lock()
			ch := r.wait[k.Applied.GetId()]
			delete(r.wait, k.Applied.GetId())
			r.mu.Unlock()
			if ch != nil {
				ch <- k.Applied
			}
		case *hmrdv1.RegisterResponse_GateBatch:
			for {
				select {
				case r.batches <- k.GateBatch:
				default:
					select {
					case <-r.batches: // full: drop the oldest
					default:
					}
					continue
				}
				break
			}
		}
	}
	r.mu.Lock()
	r.err = rpcError(context.Background(), "registration", err)
	for _, ch := range r.wait {
		close(ch)
	}
	r.wait = nil
	r.mu.Unlock()
	close(r.batches)
	close(r.done)
}

// GateBatches delivers the batches a gate must acknowledge (Ack), oldest
// first; it is closed when the registration ends. Only a registration
// opened with Gate receives any.
func (r *Registration) GateBatches() <-chan *hmrdv1.GateBatch { return r.batches }

// Done is closed when the registration has ended; Err then says why.
func (r *Registration) Done() <-chan struct{} { return r.done }

// Err is why the registration ended (nil while it lasts, and after Close).
func (r *Registration) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if errors.Is(r.err, context.Canceled) {
		return nil
	}
	return r.err
}

// ReportFacts sets the facts of modules the bundler owns, and waits until
// the daemon has applied them.
func (r *Registration) ReportFacts(ctx context.Context, facts *hmrdv1.ReportFacts) (*hmrdv1.Applied, error) {
	return r.report(ctx, &hmrdv1.RegisterRequest{Kind: &hmrdv1.RegisterRequest_Facts{Facts: facts}})
}

// ReportChanges reports changed inputs (and facts to apply with them) as
// one batch, and waits until the daemon has applied it: the batch's
// signals are then published, or held by the gates.
func (r *Registration) ReportChanges(ctx context.Context, changes *hmrdv1.ReportChanges) (*hmrdv1.Applied, error) {
	return r.report(ctx, &hmrdv1.RegisterRequest{Kind: &hmrdv1.RegisterRequest_Changes{Changes: changes}})
}

func (r *Registration) report(ctx context.Context, req *hmrdv1.RegisterRequest) (*hmrdv1.Applied, error) {
	ch := make(chan *hmrdv1.Applied, 1)
	r.mu.Lock()
	if r.wait == nil {
		err := r.err
		r.mu.Unlock()
		return nil, fmt.Errorf("hmrd: report: the registration has ended: %w", err)
	}
	r.nextID++
	req.Id = r.nextID
	r.wait[req.Id] = ch
	r.mu.Unlock()
	if err := r.send(req); err != nil {
		return nil, err
	}
	select {
	case a, ok := <-ch:
		if !ok {
			return nil, fmt.Errorf("hmrd: report: the registration ended: %w", r.Err())
		}
		return a, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Ack acknowledges every gate batch up to and including batch.
func (r *Registration) Ack(batch uint64) error {
	return r.send(&hmrdv1.RegisterRequest{Kind: &hmrdv1.RegisterRequest_Ack{Ack: &hmrdv1.GateAck{Batch: batch}}})
}

func (r *Registration) send(req *hmrdv1.RegisterRequest) error {
	r.sendMu.Lock()
	defer r.sendMu.Unlock()
	if err := r.stream.Send(req); err != nil {
		<-r.done // Send fails once the stream is over: recv knows why
		return fmt.Errorf("hmrd: registration: %w", r.Err())
	}
	return nil
}

// Close ends the registration: the daemon withdraws its facts and its
// gate. It waits until the stream is over.
func (r *Registration) Close() error {
	r.sendMu.Lock()
	_ = r.stream.CloseSend()
	r.sendMu.Unlock()
	r.cancel()
	<-r.done
	return nil
}
