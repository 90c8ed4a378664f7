package rpcserver

import (
	"context"
	"errors"
	"fmt"
	"google.golang.org/protobuf/proto"
	"slices"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hmrd/hmrd/internal/broadcast"
	"github.com/hmrd/hmrd/internal/control"
	"github.com/hmrd/hmrd/internal/signal"
	"github.com/hmrd/hmrd/internal/transport/wire"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

var timeSince = time.Since

// drainTimeout bounds how long a stream whose project was removed (or
// whose hub closed) may take to deliver what was queued before the reason.
const drainTimeout = time.Second

// checkProtocol refuses a client that names the protocol versions it
// speaks, none of them this daemon's.
func checkProtocol(vs []uint32) error {
	if len(vs) > 0 && !slices.Contains(vs, signal.ProtocolVersion) {
		return status.Errorf(codes.FailedPrecondition, "protocol versions %v not supported: this daemon speaks %d", vs, signal.ProtocolVersion)
	}
	return nil
}

type hotServer struct {
	hmrdv1.UnimplementedHotServiceServer
	svc control.Service
}

func (h *hotServer) Subscribe(req *hmrdv1.SubscribeRequest, stream hmrdv1.HotService_SubscribeServer) error {
	if err := checkProtocol(req.GetProtocolVersions()); err != nil {
		return err
	}
	ctx := stream.Context()
	o := broadcast.SubscribeOptions{FromSeq: req.GetFromSeq(), Epoch: req.GetEpoch(), Transport: "grpc"}
	if c := req.GetClient(); c != nil {
		o.Client = broadcast.ClientInfo{Name: c.GetName(), Version: c.GetVersion(), Kind: c.GetKind()}
	}
	sub, err := h.svc.Subscribe(ctx, req.GetProject(), o, req.GetEntries())
	if err != nil {
		return toStatus(err)
	}
	defer sub.Close()
	// Next and Send run on their own goroutine, together: a subscriber that
	// stops reading blocks Send once HTTP/2 flow control is exhausted, and
	// the hub must still be able to cut it off (Done) so the stream ends
	// with a reason instead of hanging: this goroutine waits for that, and
	// returning cancels the stream, which unblocks Send. Taking the event
	// and sending it on one goroutine makes delivery one wake-up (the
	// hub's), not two.
	var lastSent atomic.Uint64
	sendErr := make(chan error, 1)
	go func() { sendErr <- send(ctx, stream, sub, &lastSent) }()
	select {
	case err := <-sendErr:
		return err
	case <-ctx.Done():
		return nil // the subscriber went away
	case <-sub.Done():
	}
	err = sub.Err()
	var slow *broadcast.SlowConsumerError
	if !errors.As(err, &slow) {
		// Removed or closed: the send loop delivers what was queued,
		// then ends with the reason, unless the peer does not take it.
		t := time.NewTimer(drainTimeout)
		defer t.Stop()
		select {
		case err := <-sendErr:
			return err
		case <-ctx.Done():
			return nil
		case <-t.C:
			return toStatus(err)
		}
	}
	// Cut off, most likely while Send was blocked: what the hub still held
	// for this subscriber is dropped with the stream, so the resume point
	// is what the stream delivered, not the hub's.
	why := slow.Why
	if why == "" {
		why = fmt.Sprintf("queue of %d events full at seq %d", slow.QueueCap, slow.Seq)
	}
	return status.Errorf(codes.ResourceExhausted,
		"subscriber %s cut off: it fell behind (%s); resume from seq %d, the last this stream sent",
		slow.Subscriber, why, lastSent.Load())
}

// send streams sub's events until Next or Send fails; lastSent is the seq
// of the last event Send accepted.
func send(ctx context.Context, stream hmrdv1.HotService_SubscribeServer, sub *broadcast.Subscription, lastSent *atomic.Uint64) error {
	for {
		ev, err := sub.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil // the subscriber went away
			}
			return toStatus(err)
		}
		if err := stream.Send(&hmrdv1.SubscribeResponse{Event: wire.EventProto(ev)}); err != nil {
			return err
		}
		lastSent.Store(ev.Seq)
	}
}

func (h *hotServer) Invalidate(ctx context.Context, req *hmrdv1.InvalidateRequest) (*hmrdv1.InvalidateResponse, error) {
	seq, err := h.svc.Invalidate(ctx, req.GetProject(), req.GetModule(), req.GetFirstInvalidatedBy())
	if err != nil {
		return nil, toStatus(err)
	}
	return &hmrdv1.InvalidateResponse{Seq: seq}, nil
}

func (h *hotServer) ReportLoaded(ctx context.Context, req *hmrdv1.ReportLoadedRequest) (*hmrdv1.ReportLoadedResponse, error) {
	unknown, err := h.svc.ReportLoaded(ctx, req.GetProject(), req.GetModules())
	if err != nil {
		return nil, toStatus(err)
	}
	return &hmrdv1.ReportLoadedResponse{Unknown: unknown}, nil
}

func (h *hotServer) SendCustom(ctx context.Context, req *hmrdv1.SendCustomRequest) (*hmrdv1.SendCustomResponse, error) {
	from := req.GetFrom()
	if from == "" {
		from = control.AnonymousSender
	}
	seq, err := h.svc.SendCustom(ctx, req.GetProject(), req.GetEvent(), req.GetData(), from)
	if err != nil {
		return nil, toStatus(err)
	}
	return &hmrdv1.SendCustomResponse{Seq: seq}, nil
}

type projectServer struct {
	hmrdv1.UnimplementedProjectServiceServer
	svc control.Service
}

func (p *projectServer) AddProject(ctx context.Context, req *hmrdv1.AddProjectRequest) (*hmrdv1.AddProjectResponse, error) {
	dev := control.DevServer{Addr: req.GetDevServer().GetAddr(), StrictPort: req.GetDevServer().GetStrictPort()}
	info, err := p.svc.AddProject(ctx, req.GetRoot(), req.GetName(), req.GetEntries(), dev)
	if err != nil {
		return nil, toStatus(err)
	}
	return &hmrdv1.AddProjectResponse{Project: projectProto(info)}, nil
}

func (p *projectServer) RemoveProject(ctx context.Context, req *hmrdv1.RemoveProjectRequest) (*hmrdv1.RemoveProjectResponse, error) {
	if err := p.svc.RemoveProject(ctx, req.GetProject()); err != nil {
		return nil, toStatus(err)
	}
	return &hmrdv1.RemoveProjectResponse{}, nil
}

func (p *projectServer) ListProjects(ctx context.Context, _ *hmrdv1.ListProjectsRequest) (*hmrdv1.ListProjectsResponse, error) {
	out := &hmrdv1.ListProjectsResponse{}
	for _, info := range p.svc.ListProjects(ctx) {
		out.Projects = append(out.Projects, projectProto(info))
	}
	return out, nil
}

func (p *projectServer) Explain(ctx context.Context, req *hmrdv1.ExplainRequest) (*hmrdv1.ExplainResponse, error) {
	ex, err := p.svc.Explain(ctx, req.GetProject(), req.GetModule())
	if err != nil {
		return nil, toStatus(err)
	}
	return explainProto(ex), nil
}

func (p *projectServer) Compile(ctx context.Context, req *hmrdv1.CompileRequest) (*hmrdv1.CompileResponse, error) {
	code, merr, err := p.svc.Compile(ctx, req.GetProject(), req.GetFile(), req.GetSource())
	if err != nil {
		return nil, toStatus(err)
	}
	out := &hmrdv1.CompileResponse{Code: code}
	if merr != nil {
		out.Error = wire.ErrorProto(&signal.Error{Message: merr.Message, Module: merr.Module, File: merr.File,
			Line: merr.Line, Column: merr.Column, Frame: merr.Frame, Code: merr.Code})
	}
	return out, nil
}

func (p *projectServer) GetGraph(ctx context.Context, req *hmrdv1.GetGraphRequest) (*hmrdv1.GetGraphResponse, error) {
	snap, err := p.svc.Graph(ctx, req.GetProject())
	if err != nil {
		return nil, toStatus(err)
	}
	return graphProto(snap), nil
}

// graphPartBytes bounds one StreamGraph message: a quarter of the 4 MiB
// receive limit most gRPC clients default to, so framing overhead and one
// unusually large module still fit.
const graphPartBytes = 1 << 20

func (p *projectServer) StreamGraph(req *hmrdv1.StreamGraphRequest, stream hmrdv1.ProjectService_StreamGraphServer) error {
	snap, err := p.svc.Graph(stream.Context(), req.GetProject())
	if err != nil {
		return toStatus(err)
	}
	part := &hmrdv1.StreamGraphResponse{Root: snap.Root, HeadSeq: snap.HeadSeq}
	size := 0
	for _, m := range snap.Modules {
		pm := moduleProto(m)
		n := proto.Size(pm)
		if size > 0 && size+n > graphPartBytes {
			if err := stream.Send(part); err != nil {
				return err
			}
			part, size = &hmrdv1.StreamGraphResponse{}, 0
		}
		part.Modules = append(part.Modules, pm)
		size += n
	}
	return stream.Send(part)
}

type adminServer struct {
	hmrdv1.UnimplementedAdminServiceServer
	svc control.Service
}

func (a *adminServer) Status(ctx context.Context, _ *hmrdv1.StatusRequest) (*hmrdv1.StatusResponse, error) {
	return statusProto(a.svc.Status(ctx)), nil
}
