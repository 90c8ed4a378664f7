// Package wire converts the daemon's signals to protocol messages
// (proto/hmrd/v1) once per event, for every transport: the gRPC server
// sends the message, the WebSocket bridge its protojson text. The message
// is cached on the event, and so is the WebSocket frame built from the
// text, so fan-out to many subscribers does not re-encode.
package wire

import (
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/hmrd/hmrd/internal/graph/propagate"
	"github.com/hmrd/hmrd/internal/signal"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// encodingKey names the proto form in signal.Event.Encoded.
const encodingKey = "hmrd.v1.Event"

// EventProto converts an event once per event (not per subscriber): the
// result is cached on the event and shared read-only by every stream.
// Exported for the WebSocket bridge, which sends the same messages.
func EventProto(ev *signal.Event) *hmrdv1.Event {
	return ev.Encoded.Get(encodingKey, func() any { return eventProto(ev) }).(*hmrdv1.Event)
}

func eventProto(ev *signal.Event) *hmrdv1.Event {
	out := &hmrdv1.Event{Project: ev.Project, Seq: ev.Seq, Epoch: ev.Epoch, Version: ev.Version}
	if !ev.Time.IsZero() {
		out.Time = timestamppb.New(ev.Time)
	}
	out.Changes = Changes(ev.Changes)
	out.Notes = ev.Notes
	switch b := ev.Body.(type) {
	case *signal.Hello:
		out.Kind = &hmrdv1.Event_Hello{Hello: &hmrdv1.Hello{
			ProtocolVersion: b.ProtocolVersion, DaemonVersion: b.DaemonVersion, Epoch: ev.Epoch,
			HeadSeq: b.HeadSeq, Root: b.Root, Resumed: b.Resumed, SubscriberId: b.SubscriberID,
			Errors: errorsProto(b.Errors),
		}}
	case *signal.Update:
		out.Kind = &hmrdv1.Event_Update{Update: &hmrdv1.Update{
			Updates: ModuleUpdates(b.Updates), Versions: b.Versions, Triggers: b.Triggers,
			FirstInvalidatedBy: b.FirstInvalidatedBy,
		}}
	case *signal.FullReload:
		fr := FullReload(&b.FullReload)
		if fr.Partial != nil {
			fr.Partial.Versions = b.Versions
		}
		out.Kind = &hmrdv1.Event_FullReload{FullReload: fr}
	case *signal.Prune:
		out.Kind = &hmrdv1.Event_Prune{Prune: &hmrdv1.Prune{Paths: b.Paths}}
	case *signal.Error:
		out.Kind = &hmrdv1.Event_Error{Error: ErrorProto(b)}
	case *signal.ErrorCleared:
		out.Kind = &hmrdv1.Event_ErrorCleared{ErrorCleared: &hmrdv1.ErrorCleared{Modules: b.Modules}}
	case *signal.Custom:
		out.Kind = &hmrdv1.Event_Custom{Custom: &hmrdv1.Custom{Event: b.Event, Data: b.Data, From: b.From}}
	case *signal.Heartbeat:
		out.Kind = &hmrdv1.Event_Heartbeat{Heartbeat: &hmrdv1.Heartbeat{HeadSeq: b.HeadSeq}}
	}
	return out
}

// ErrorProto is the hmrd.v1.Error of a module error.
func ErrorProto(e *signal.Error) *hmrdv1.Error {
	return &hmrdv1.Error{
		Message: e.Message, Module: e.Module, File: e.File, Line: uint32(max(e.Line, 0)),
		Column: uint32(max(e.Column, 0)), Frame: e.Frame, Code: e.Code,
	}
}

func errorsProto(es []*signal.Error) []*hmrdv1.Error {
	if len(es) == 0 {
		return nil
	}
	out := make([]*hmrdv1.Error, len(es))
	for i, e := range es {
		out[i] = ErrorProto(e)
	}
	return out
}

// ModuleUpdates converts propagation updates.
func ModuleUpdates(us []propagate.Update) []*hmrdv1.ModuleUpdate {
	out := make([]*hmrdv1.ModuleUpdate, len(us))
	for i, u := range us {
		t := hmrdv1.UpdateType_UPDATE_TYPE_JS
		if u.Type == propagate.UpdateCSS {
			t = hmrdv1.UpdateType_UPDATE_TYPE_CSS
		}
		out[i] = &hmrdv1.ModuleUpdate{
			Type: t, Path: u.Path, AcceptedPath: u.AcceptedPath,
			IsWithinCircularImport: u.IsWithinCircularImport, FirstInvalidatedBy: u.FirstInvalidatedBy,
			Chain: u.Chain,
		}
	}
	return out
}

var causes = map[propagate.Cause]hmrdv1.FullReloadCause{
	propagate.CauseNoBoundary:      hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_NO_BOUNDARY,
	propagate.CauseDeclined:        hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_DECLINED,
	propagate.CausePage:            hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_PAGE,
	propagate.CauseConfig:          hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_CONFIG,
	propagate.CauseInvalidateLoop:  hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_INVALIDATE_LOOP,
	propagate.CauseInvalidateEntry: hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_INVALIDATE_ENTRY,
	propagate.CauseRescan:          hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_RESCAN,
	propagate.CauseResync:          hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_RESYNC,
}

// FullReload converts a full reload (nil stays nil).
func FullReload(fr *propagate.FullReload) *hmrdv1.FullReload {
	if fr == nil {
		return nil
	}
	out := &hmrdv1.FullReload{Reason: fr.Reason, Chain: fr.Chain, TriggeredBy: fr.TriggeredBy, Path: fr.Path, Cause: causes[fr.Cause]}
	if len(fr.Partial) > 0 {
		// Only the updates: an event adds the batch's versions.
		out.Partial = &hmrdv1.Update{Updates: ModuleUpdates(fr.Partial)}
	}
	return out
}

// MarshalJSON is the protojson text of the event (one line). It is not
// cached: the WebSocket bridge caches the frame built from it, and an
// event keeps that one copy, not both.
func MarshalJSON(ev *signal.Event) []byte {
	b, err := protojson.Marshal(EventProto(ev))
	if err != nil {
		// Marshal fails only on invalid UTF-8 in strings; the
		// message is still useful with the bad bytes replaced.
		b = []byte(`{"error":{"message":"cannot encode event","code":"READ_ERROR"}}`)
	}
	return b
}

var changeKinds = map[signal.ChangeKind]hmrdv1.ChangeKind{
	signal.ChangeCreate: hmrdv1.ChangeKind_CHANGE_KIND_CREATE,
	signal.ChangeUpdate: hmrdv1.ChangeKind_CHANGE_KIND_UPDATE,
	signal.ChangeDelete: hmrdv1.ChangeKind_CHANGE_KIND_DELETE,
}

// Changes converts a batch's changed inputs.
func Changes(cs []signal.Change) []*hmrdv1.Change {
	if len(cs) == 0 {
		return nil
	}
	out := make([]*hmrdv1.Change, len(cs))
	for i, c := range cs {
		out[i] = &hmrdv1.Change{File: c.File, Module: c.Module, Kind: changeKinds[c.Kind]}
	}
	return out
}
