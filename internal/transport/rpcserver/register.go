package rpcserver

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/hmrd/hmrd/internal/broadcast"
	"github.com/hmrd/hmrd/internal/control"
	"github.com/hmrd/hmrd/internal/engine"
	"github.com/hmrd/hmrd/internal/graph/modgraph"
	"github.com/hmrd/hmrd/internal/signal"
	"github.com/hmrd/hmrd/internal/transport/wire"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

type bundlerServer struct {
	hmrdv1.UnimplementedBundlerServiceServer
	svc control.Service
}

// Register serves one registration: its life is the stream's. Requests are
// read on their own goroutine and applied one at a time, in order; gate
// batches are sent as the daemon queues them. Whatever ends the stream (the
// bundler closing it, its process dying, a bad request) closes the
// registration, which withdraws its facts and removes its gate.
func (b *bundlerServer) Register(stream hmrdv1.BundlerService_RegisterServer) error {
	ctx := stream.Context()
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	open := first.GetOpen()
	if open == nil {
		return status.Error(codes.InvalidArgument, "register: the first request must be open")
	}
	if err := checkProtocol(open.GetProtocolVersions()); err != nil {
		return err
	}
	o := control.RegisterOptions{Gate: open.GetGate(), GateTimeout: open.GetGateTimeout().AsDuration()}
	if c := open.GetClient(); c != nil {
		o.Client = broadcast.ClientInfo{Name: c.GetName(), Version: c.GetVersion(), Kind: c.GetKind()}
	}
	if o.GateTimeout < 0 {
		return status.Error(codes.InvalidArgument, "register: negative gate timeout")
	}
	reg, err := b.svc.Register(ctx, open.GetProject(), o)
	if err != nil {
		return toStatus(err)
	}
	defer reg.Close()
	info := reg.Info()
	registered := &hmrdv1.Registered{
		RegistrationId: info.ID, ProtocolVersion: signal.ProtocolVersion, Epoch: info.Epoch, DaemonVersion: info.DaemonVersion, Root: info.Root, HeadSeq: info.HeadSeq,
	}
	if info.GateTimeout > 0 {
		registered.GateTimeout = durationpb.New(info.GateTimeout)
	}
	if err := stream.Send(&hmrdv1.RegisterResponse{Kind: &hmrdv1.RegisterResponse_Registered{Registered: registered}}); err != nil {
		return err
	}
	reqs := make(chan *hmrdv1.RegisterRequest)
	recvErr := make(chan error, 1)
	go func() {
		for {
			req, err := stream.Recv()
			if err != nil {
				recvErr <- err
				return
			}
			select {
			case reqs <- req:
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-recvErr:
			// The bundler closed its side (or went away): the registration
			// ends.
			return nil
		case <-reg.Ended():
			return status.Error(codes.Unavailable, "registration ended: the project was removed or the daemon is stopping; register again")
		case <-reg.GateBatches():
			for _, gb := range reg.NextGateBatches() {
				if err := stream.Send(&hmrdv1.RegisterResponse{Kind: &hmrdv1.RegisterResponse_GateBatch{GateBatch: gateBatchProto(gb)}}); err != nil {
					return err
				}
			}
		case req := <-reqs:
			resp, err := b.handle(ctx, reg, req)
			if err != nil {
				return toStatus(err)
			}
			if resp != nil {
				if err := stream.Send(resp); err != nil {
					return err
				}
			}
		}
	}
}

// handle applies one request after the open.
func (b *bundlerServer) handle(ctx context.Context, reg control.Registration, req *hmrdv1.RegisterRequest) (*hmrdv1.RegisterResponse, error) {
	var rep engine.Report
	switch k := req.GetKind().(type) {
	case *hmrdv1.RegisterRequest_Ack:
		return nil, reg.Ack(ctx, k.Ack.GetBatch())
	case *hmrdv1.RegisterRequest_Facts:
		rep = ReportFromProto(k.Facts, nil)
	case *hmrdv1.RegisterRequest_Changes:
		rep = ReportFromProto(k.Changes.GetFacts(), k.Changes.GetChanges())
	case *hmrdv1.RegisterRequest_Open:
		return nil, control.InvalidArgument("register: open sent twice")
	default:
		return nil, control.InvalidArgument("register: empty request")
	}
	applied, err := reg.Report(ctx, rep)
	if err != nil {
		return nil, err
	}
	return &hmrdv1.RegisterResponse{Kind: &hmrdv1.RegisterResponse_Applied{Applied: &hmrdv1.Applied{
		Id: req.GetId(), Batch: applied.Batch, Unknown: applied.Unknown,
	}}}, nil
}

var importKinds = map[hmrdv1.ImportKind]modgraph.EdgeKind{
	hmrdv1.ImportKind_IMPORT_KIND_UNSPECIFIED: modgraph.EdgeStatic,
	hmrdv1.ImportKind_IMPORT_KIND_STATIC:      modgraph.EdgeStatic,
	hmrdv1.ImportKind_IMPORT_KIND_DYNAMIC:     modgraph.EdgeDynamic,
	hmrdv1.ImportKind_IMPORT_KIND_REEXPORT:    modgraph.EdgeReExport,
	hmrdv1.ImportKind_IMPORT_KIND_CSS:         modgraph.EdgeCSSImport,
	hmrdv1.ImportKind_IMPORT_KIND_ASSET:       modgraph.EdgeURL,
}

var changeKinds = map[hmrdv1.ChangeKind]engine.ChangeKind{
	hmrdv1.ChangeKind_CHANGE_KIND_CREATE: engine.ChangeCreate,
	hmrdv1.ChangeKind_CHANGE_KIND_UPDATE: engine.ChangeUpdate,
	hmrdv1.ChangeKind_CHANGE_KIND_DELETE: engine.ChangeDelete,
}

// ReportFromProto converts a bundler's facts and changes to an engine
// report. Values the engine cannot take (an unknown import or change kind)
// become values engine.Report.Validate refuses, so that nothing untrusted
// is dropped silently.
func ReportFromProto(facts *hmrdv1.ReportFacts, changes []*hmrdv1.Change) engine.Report {
	var rep engine.Report
	rep.Withdraw = facts.GetWithdraw()
	rep.Replace = facts.GetReplace()
	for _, m := range facts.GetModules() {
		rm := engine.ReportedModule{
			ID: m.GetId(), Files: m.GetFiles(), Virtual: m.GetVirtual(), Kind: m.GetKind(),
			Exports: m.GetExports(), SelfAccepting: m.GetSelfAccepting(), AcceptedDeps: m.GetAcceptedDeps(),
			AcceptedExports: m.GetAcceptedExports(), Declined: m.GetDeclined(), UsesHot: m.GetUsesHot(), Entry: m.GetEntry(),
		}
		for _, imp := range m.GetImports() {
			kind, ok := importKinds[imp.GetKind()]
			if !ok {
				kind = modgraph.EdgeKind(255)
			}
			rm.Imports = append(rm.Imports, engine.ReportedImport{Target: imp.GetTarget(), Kind: kind, Bindings: imp.GetBindings()})
		}
		rep.Modules = append(rep.Modules, rm)
	}
	for _, c := range changes {
		rep.Changes = append(rep.Changes, engine.Change{File: c.GetFile(), Module: c.GetModule(), Kind: changeKinds[c.GetKind()]})
	}
	return rep
}

func gateBatchProto(gb control.GateBatch) *hmrdv1.GateBatch {
	return &hmrdv1.GateBatch{Batch: gb.Batch, Version: gb.Version, Changes: wire.Changes(gb.Changes), Versions: gb.Versions, Signals: gb.Signals}
}

func registrationProto(r control.RegistrationStatus) *hmrdv1.RegistrationStatus {
	out := &hmrdv1.RegistrationStatus{
		Id: r.ID, Project: r.Project,
		Client:  &hmrdv1.ClientInfo{Name: r.Client.Name, Version: r.Client.Version, Kind: r.Client.Kind},
		Modules: uint32(r.Modules), Connected: timestamppb.New(r.Connected), Gate: r.Gate,
		AckedBatch: r.AckedBatch, PendingBatches: uint32(r.Pending), Timeouts: r.Timeouts,
	}
	if r.Gate {
		out.GateTimeout = durationpb.New(r.GateTimeout)
		out.OldestPending = durationpb.New(r.OldestPending)
	}
	return out
}
