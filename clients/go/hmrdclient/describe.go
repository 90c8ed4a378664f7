package hmrdclient

import (
	"fmt"
	"strings"

	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// Arrow joins the modules of an import chain in human output.
const Arrow = " → "

// Describe is one human line for an event, for logs and `hmrd events`:
//
//	seq 12 update /src/app.js accepts /src/stuff.js (via /src/stuff.js → /src/app.js)
//	seq 13 full-reload: no accept boundary: /src/utils.js → /src/main.js (entry, does not accept)
//	seq 14 prune /src/old.js
//	seq 15 error PARSE_ERROR /src/app.js:3:7: Unexpected token
//	seq 16 error-cleared /src/app.js
//	hello: epoch 5f1c…, head seq 12, daemon 0.3.0, protocol 1, resumed
//	hello: epoch 5f1c…, head seq 16, protocol 1, 1 module broken (/src/a.js)
//
// Hello and Heartbeat carry the head seq, not a seq of their own, so their
// lines do not start with "seq".
func Describe(ev *hmrdv1.Event) string {
	if ev == nil {
		return "<nil event>"
	}
	seq := fmt.Sprintf("seq %d ", ev.GetSeq())
	switch k := ev.GetKind().(type) {
	case *hmrdv1.Event_Hello:
		return describeHello(k.Hello)
	case *hmrdv1.Event_Heartbeat:
		return fmt.Sprintf("heartbeat: head seq %d", k.Heartbeat.GetHeadSeq())
	case *hmrdv1.Event_Update:
		return seq + describeUpdate(k.Update)
	case *hmrdv1.Event_FullReload:
		return seq + DescribeFullReload(k.FullReload)
	case *hmrdv1.Event_Prune:
		return seq + "prune " + strings.Join(k.Prune.GetPaths(), ", ")
	case *hmrdv1.Event_Error:
		return seq + describeError(k.Error)
	case *hmrdv1.Event_ErrorCleared:
		return seq + "error-cleared " + strings.Join(k.ErrorCleared.GetModules(), ", ")
	case *hmrdv1.Event_Custom:
		c := k.Custom
		s := seq + "custom " + c.GetEvent()
		if c.GetData() != "" {
			s += " " + oneLine(c.GetData())
		}
		if c.GetFrom() != "" {
			s += " from " + c.GetFrom()
		}
		return s
	}
	return seq + "unknown event"
}

// Kind names an event's kind as the CLI prints it: hello, update,
// full-reload, prune, error, error-cleared, custom, heartbeat.
func Kind(ev *hmrdv1.Event) string {
	switch ev.GetKind().(type) {
	case *hmrdv1.Event_Hello:
		return "hello"
	case *hmrdv1.Event_Update:
		return "update"
	case *hmrdv1.Event_FullReload:
		return "full-reload"
	case *hmrdv1.Event_Prune:
		return "prune"
	case *hmrdv1.Event_Error:
		return "error"
	case *hmrdv1.Event_ErrorCleared:
		return "error-cleared"
	case *hmrdv1.Event_Custom:
		return "custom"
	case *hmrdv1.Event_Heartbeat:
		return "heartbeat"
	}
	return "unknown"
}

func describeHello(h *hmrdv1.Hello) string {
	s := fmt.Sprintf("hello: epoch %s, head seq %d", h.GetEpoch(), h.GetHeadSeq())
	if v := h.GetDaemonVersion(); v != "" {
		s += ", daemon " + v
	}
	s += fmt.Sprintf(", protocol %d", h.GetProtocolVersion())
	if h.GetResumed() {
		s += ", resumed"
	}
	if errs := h.GetErrors(); len(errs) > 0 {
		mods := make([]string, len(errs))
		for i, e := range errs {
			mods[i] = e.GetModule()
		}
		noun := "modules"
		if len(errs) == 1 {
			noun = "module"
		}
		s += fmt.Sprintf(", %d %s broken (%s)", len(errs), noun, strings.Join(mods, ", "))
	}
	return s
}

func describeUpdate(u *hmrdv1.Update) string {
	if len(u.GetUpdates()) == 0 {
		return "update (no boundaries)"
	}
	parts := make([]string, 0, len(u.GetUpdates()))
	for _, mu := range u.GetUpdates() {
		parts = append(parts, DescribeModuleUpdate(mu))
	}
	s := "update " + strings.Join(parts, "; ")
	if by := u.GetFirstInvalidatedBy(); by != "" && !strings.Contains(s, "invalidated by") {
		s += " (invalidated by " + by + ")"
	}
	return s
}

// DescribeModuleUpdate is one boundary of an update:
// "/src/app.js accepts /src/stuff.js (via /src/stuff.js → /src/app.js)",
// or "/src/a.css self-accepts (css)".
func DescribeModuleUpdate(mu *hmrdv1.ModuleUpdate) string {
	var s string
	if mu.GetAcceptedPath() == "" || mu.GetAcceptedPath() == mu.GetPath() {
		s = mu.GetPath() + " self-accepts"
	} else {
		s = mu.GetPath() + " accepts " + mu.GetAcceptedPath()
	}
	if mu.GetType() == hmrdv1.UpdateType_UPDATE_TYPE_CSS {
		s += " (css)"
	}
	if chain := mu.GetChain(); len(chain) > 1 {
		s += " (via " + strings.Join(chain, Arrow) + ")"
	}
	if mu.GetIsWithinCircularImport() {
		s += " [within circular import]"
	}
	if by := mu.GetFirstInvalidatedBy(); by != "" {
		s += " (invalidated by " + by + ")"
	}
	return s
}

// DescribeFullReload is "full-reload: <reason>", with the chain when the
// reason does not already spell it out, and the page when not every page.
func DescribeFullReload(fr *hmrdv1.FullReload) string {
	s := "full-reload"
	if fr.GetCause() == hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_RESYNC {
		s += " (resync)"
	}
	reason := fr.GetReason()
	if reason == "" {
		reason = causeWords(fr.GetCause())
	}
	s += ": " + oneLine(reason)
	if chain := strings.Join(fr.GetChain(), Arrow); len(fr.GetChain()) > 1 && !strings.Contains(reason, chain) {
		s += " (chain " + chain + ")"
	}
	if p := fr.GetPath(); p != "" && p != "*" {
		s += " [page " + p + "]"
	}
	return s
}

func describeError(e *hmrdv1.Error) string {
	s := "error "
	if e.GetCode() != "" {
		s += e.GetCode() + " "
	}
	where := e.GetModule()
	if where == "" {
		where = e.GetFile()
	}
	if where != "" {
		if e.GetLine() > 0 {
			where += fmt.Sprintf(":%d", e.GetLine())
			if e.GetColumn() > 0 {
				where += fmt.Sprintf(":%d", e.GetColumn())
			}
		}
		s += where + ": "
	}
	return s + oneLine(e.GetMessage())
}

// causeWords stands in for a missing reason; the daemon always gives one,
// but a line must never end in an empty "full-reload: ".
func causeWords(c hmrdv1.FullReloadCause) string {
	switch c {
	case hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_NO_BOUNDARY:
		return "no accept boundary"
	case hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_DECLINED:
		return "declined"
	case hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_PAGE:
		return "page changed"
	case hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_CONFIG:
		return "configuration changed"
	case hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_INVALIDATE_LOOP:
		return "circular import invalidate"
	case hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_INVALIDATE_ENTRY:
		return "an entry invalidated itself"
	case hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_RESCAN:
		return "the watcher lost events; project rescanned"
	case hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_RESYNC:
		return "resume point lost"
	}
	return "unspecified"
}

// oneLine keeps Describe's promise of one line per event.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.Fields(strings.NewReplacer("\r", " ", "\n", " ").Replace(s)), " ")
}
