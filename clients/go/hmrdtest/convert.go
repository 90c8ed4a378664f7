package hmrdtest

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"google.golang.org/protobuf/proto"

	"github.com/hmrd/hmrd/internal/engine"
	"github.com/hmrd/hmrd/internal/graph/propagate"
	"github.com/hmrd/hmrd/internal/signal"
	"github.com/hmrd/hmrd/internal/transport/wire"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// The tests describe what the engine would decide in protocol messages;
// the hub and the gRPC adapter take the daemon's own types. These
// conversions are the inverse of the adapter's; the hmrdtest tests check
// that every protocol field survives the round trip.

// updateTypes and causes invert wire's enum conversions. They are derived
// from wire itself, so the two cannot drift apart; a protocol value with no
// daemon value (UNSPECIFIED) is missing and converts to the zero value (JS,
// NO_BOUNDARY).
var updateTypes, causes = invertEnums()

func invertEnums() (map[hmrdv1.UpdateType]propagate.UpdateType, map[hmrdv1.FullReloadCause]propagate.Cause) {
	types := map[hmrdv1.UpdateType]propagate.UpdateType{}
	cs := map[hmrdv1.FullReloadCause]propagate.Cause{}
	for i := range 256 { // both are uint8
		t := propagate.UpdateType(i)
		if pt := wire.ModuleUpdates([]propagate.Update{{Type: t}})[0].GetType(); pt != hmrdv1.UpdateType_UPDATE_TYPE_UNSPECIFIED {
			if _, seen := types[pt]; !seen {
				types[pt] = t
			}
		}
		c := propagate.Cause(i)
		if pc := wire.FullReload(&propagate.FullReload{Cause: c}).GetCause(); pc != hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_UNSPECIFIED {
			if _, seen := cs[pc]; !seen {
				cs[pc] = c
			}
		}
	}
	return types, cs
}

// signalBody converts a published event to the signal the hub sequences,
// and checks that the daemon would send that signal as the event given
// (but for project, seq, epoch and time, which the hub sets, and unset
// enums): otherwise a test would expect what no daemon sends.
func signalBody(ev *hmrdv1.Event) (signal.Body, error) {
	var body signal.Body
	switch k := ev.GetKind().(type) {
	case *hmrdv1.Event_Update:
		u := k.Update
		body = &signal.Update{
			Updates: updates(u.GetUpdates()), Versions: maps.Clone(u.GetVersions()),
			Triggers: slices.Clone(u.GetTriggers()), FirstInvalidatedBy: u.GetFirstInvalidatedBy(),
		}
	case *hmrdv1.Event_FullReload:
		body = &signal.FullReload{FullReload: *fullReload(k.FullReload), Versions: maps.Clone(k.FullReload.GetPartial().GetVersions())}
	case *hmrdv1.Event_Prune:
		body = &signal.Prune{Paths: slices.Clone(k.Prune.GetPaths())}
	case *hmrdv1.Event_Error:
		e := k.Error
		body = &signal.Error{
			Message: e.GetMessage(), Module: e.GetModule(), File: e.GetFile(),
			Line: int(e.GetLine()), Column: int(e.GetColumn()), Frame: e.GetFrame(), Code: e.GetCode(),
		}
	case *hmrdv1.Event_ErrorCleared:
		body = &signal.ErrorCleared{Modules: slices.Clone(k.ErrorCleared.GetModules())}
	case *hmrdv1.Event_Custom:
		c := k.Custom
		body = &signal.Custom{Event: c.GetEvent(), Data: c.GetData(), From: c.GetFrom()}
	case *hmrdv1.Event_Hello:
		return nil, errors.New("a Hello is not a signal: the hub opens every stream with one")
	case *hmrdv1.Event_Heartbeat:
		return nil, errors.New("a Heartbeat is not a signal: use Daemon.Heartbeat")
	case *hmrdv1.Event_Refused:
		return nil, errors.New("a Refused is not a signal: it answers one WebSocket message")
	default:
		return nil, errors.New("the event has no kind")
	}

	switch body.(type) {
	case *signal.Error, *signal.ErrorCleared:
		if ev.GetVersion() != 0 {
			return nil, fmt.Errorf("the daemon cannot send %v: an Error or ErrorCleared stamps nothing, its version is 0", ev)
		}
	}
	want := proto.Clone(ev).(*hmrdv1.Event)
	want.Project, want.Seq, want.Epoch, want.Time = "", 0, "", nil
	defaultEnums(want.GetUpdate().GetUpdates(), want.GetFullReload())
	changes, notes := eventMeta(ev)
	got := wire.EventProto(&signal.Event{Version: ev.GetVersion(), Body: body, Changes: changes, Notes: notes})
	if !proto.Equal(got, want) {
		return nil, fmt.Errorf("the daemon cannot send %v: its signal would be %v", want, got)
	}
	return body, nil
}

// eventMeta converts the event's changed inputs and notes.
func eventMeta(ev *hmrdv1.Event) ([]signal.Change, []string) {
	var cs []signal.Change
	for _, c := range ev.GetChanges() {
		k := signal.ChangeKind(0)
		switch c.GetKind() {
		case hmrdv1.ChangeKind_CHANGE_KIND_CREATE:
			k = signal.ChangeCreate
		case hmrdv1.ChangeKind_CHANGE_KIND_UPDATE:
			k = signal.ChangeUpdate
		case hmrdv1.ChangeKind_CHANGE_KIND_DELETE:
			k = signal.ChangeDelete
		}
		cs = append(cs, signal.Change{File: c.GetFile(), Module: c.GetModule(), Kind: k})
	}
	return cs, slices.Clone(ev.GetNotes())
}

// defaultEnums sets unset enums to what they convert to.
func defaultEnums(us []*hmrdv1.ModuleUpdate, fr *hmrdv1.FullReload) {
	for _, u := range us {
		if u.GetType() == hmrdv1.UpdateType_UPDATE_TYPE_UNSPECIFIED {
			u.Type = hmrdv1.UpdateType_UPDATE_TYPE_JS
		}
	}
	if fr != nil && fr.GetCause() == hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_UNSPECIFIED {
		fr.Cause = hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_NO_BOUNDARY
	}
}

func updates(us []*hmrdv1.ModuleUpdate) []propagate.Update {
	if len(us) == 0 {
		return nil
	}
	out := make([]propagate.Update, len(us))
	for i, u := range us {
		out[i] = propagate.Update{
			Type: updateTypes[u.GetType()], Path: u.GetPath(), AcceptedPath: u.GetAcceptedPath(),
			IsWithinCircularImport: u.GetIsWithinCircularImport(), FirstInvalidatedBy: u.GetFirstInvalidatedBy(),
			Chain: slices.Clone(u.GetChain()),
		}
	}
	return out
}

func fullReload(fr *hmrdv1.FullReload) *propagate.FullReload {
	if fr == nil {
		return nil
	}
	return &propagate.FullReload{
		Cause: causes[fr.GetCause()], Reason: fr.GetReason(), Chain: slices.Clone(fr.GetChain()),
		TriggeredBy: fr.GetTriggeredBy(), Path: fr.GetPath(), Partial: updates(fr.GetPartial().GetUpdates()),
	}
}

// explanation is what the engine would answer for the response r.
func explanation(r *hmrdv1.ExplainResponse) engine.Explanation {
	return engine.Explanation{
		Module: r.GetModule(), File: r.GetFile(), Kind: r.GetKind(),
		Found: r.GetFound(), Live: r.GetLive(), Loaded: r.GetLoaded(), Entry: r.GetEntry(),
		Importers: slices.Clone(r.GetImporters()),
		Result:    propagate.Result{Updates: updates(r.GetUpdates()), FullReload: fullReload(r.GetFullReload())},
		Note:      r.GetNote(),
	}
}

// snapshot is the engine's graph snapshot for the response g.
func snapshot(g *hmrdv1.GetGraphResponse) *engine.Snapshot {
	s := &engine.Snapshot{Root: g.GetRoot(), Modules: make([]engine.ModuleInfo, len(g.GetModules()))}
	for i, m := range g.GetModules() {
		mi := engine.ModuleInfo{
			ID: m.GetId(), File: m.GetFile(), Kind: m.GetKind(), Importers: slices.Clone(m.GetImporters()),
			SelfAccepting: m.GetSelfAccepting(), PartialAccept: m.GetPartialAccept(),
			AcceptedExports: slices.Clone(m.GetAcceptedExports()), AcceptedDeps: slices.Clone(m.GetAcceptedDeps()),
			Declined: m.GetDeclined(), DeclinedDeps: slices.Clone(m.GetDeclinedDeps()), Exports: slices.Clone(m.GetExports()),
			Entry: m.GetEntry(), Live: m.GetLive(), Loaded: m.GetLoaded(), Version: m.GetVersion(), Error: m.GetError(),
			Registration: m.GetRegistration(), Virtual: m.GetVirtual(), Files: slices.Clone(m.GetFiles()),
		}
		for _, e := range m.GetImports() {
			mi.Imports = append(mi.Imports, engine.EdgeInfo{Specifier: e.GetSpecifier(), Kind: e.GetKind(), Target: e.GetTarget()})
		}
		s.Modules[i] = mi
	}
	return s
}
