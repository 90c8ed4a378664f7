package rpcserver

import (
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/hmrd/hmrd/internal/broadcast"
	"github.com/hmrd/hmrd/internal/control"
	"github.com/hmrd/hmrd/internal/engine"
	"github.com/hmrd/hmrd/internal/transport/wire"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

func projectProto(p control.ProjectInfo) *hmrdv1.Project {
	return &hmrdv1.Project{
		Name: p.Name, Root: p.Root, Modules: uint32(p.Modules), LiveModules: uint32(p.Live),
		Entries: uint32(p.Entries), Errors: uint32(p.Errors), HeadSeq: p.HeadSeq,
		HttpUrl: p.HTTPURL,
	}
}

func explainProto(ex engine.Explanation) *hmrdv1.ExplainResponse {
	return &hmrdv1.ExplainResponse{
		Module: ex.Module, File: ex.File, Kind: ex.Kind, Found: ex.Found, Live: ex.Live,
		Loaded: ex.Loaded, Entry: ex.Entry, Importers: ex.Importers,
		Updates: wire.ModuleUpdates(ex.Result.Updates), FullReload: wire.FullReload(ex.Result.FullReload),
		Note: ex.Note,
	}
}

func graphProto(s *engine.Snapshot) *hmrdv1.GetGraphResponse {
	out := &hmrdv1.GetGraphResponse{Root: s.Root, HeadSeq: s.HeadSeq, Modules: make([]*hmrdv1.Module, len(s.Modules))}
	for i, m := range s.Modules {
		out.Modules[i] = moduleProto(m)
	}
	return out
}

func moduleProto(m engine.ModuleInfo) *hmrdv1.Module {
	pm := &hmrdv1.Module{
		Id: m.ID, File: m.File, Kind: m.Kind, Importers: m.Importers,
		SelfAccepting: m.SelfAccepting, PartialAccept: m.PartialAccept,
		AcceptedExports: m.AcceptedExports, AcceptedDeps: m.AcceptedDeps,
		Declined: m.Declined, DeclinedDeps: m.DeclinedDeps, Exports: m.Exports,
		Entry: m.Entry, Live: m.Live, Loaded: m.Loaded, Version: m.Version, Error: m.Error,
		Registration: m.Registration, Virtual: m.Virtual, Files: m.Files,
	}
	for _, e := range m.Imports {
		pm.Imports = append(pm.Imports, &hmrdv1.Edge{Specifier: e.Specifier, Kind: e.Kind, Target: e.Target})
	}
	return pm
}

func statusProto(st control.Status) *hmrdv1.StatusResponse {
	out := &hmrdv1.StatusResponse{
		DaemonVersion: st.DaemonVersion, ProtocolVersion: st.ProtocolVersion, Epoch: st.Epoch,
		Started: timestamppb.New(st.Started), Uptime: durationpb.New(timeSince(st.Started)),
		Listeners: st.Listeners, HeapBytes: st.HeapBytes, Goroutines: uint32(st.Goroutines),
	}
	for _, p := range st.Projects {
		ps := &hmrdv1.ProjectStatus{
			Project: projectProto(p.ProjectInfo), Watches: uint32(p.Watches),
			LastLatency: durationpb.New(p.LastLatency), MedianLatency: durationpb.New(p.MedianLatency),
		}
		if p.LastSignal != nil {
			ps.LastSignal = wire.EventProto(p.LastSignal)
		}
		if d := p.Degraded; d.Polled > 0 {
			ps.Degraded = &hmrdv1.WatchDegraded{
				PolledDirs: uint32(d.Polled), Limit: d.Limit, LimitValue: uint64(max(d.Value, 0)),
				Raise: d.Raise, PollInterval: durationpb.New(d.Interval),
			}
		}
		out.Projects = append(out.Projects, ps)
	}
	for _, s := range st.Subscribers {
		out.Subscribers = append(out.Subscribers, subscriberProto(s))
	}
	for _, r := range st.Registrations {
		out.Registrations = append(out.Registrations, registrationProto(r))
	}
	return out
}

func subscriberProto(s broadcast.SubscriberInfo) *hmrdv1.SubscriberStatus {
	return &hmrdv1.SubscriberStatus{
		Id: s.ID, Project: s.Project,
		Client:    &hmrdv1.ClientInfo{Name: s.Client.Name, Version: s.Client.Version, Kind: s.Client.Kind},
		Transport: s.Transport, LastSeq: s.LastSeq, Lag: s.Lag,
		QueueDepth: uint32(s.QueueDepth), QueueCapacity: uint32(s.QueueCap),
		Connected: timestamppb.New(s.Connected),
	}
}
