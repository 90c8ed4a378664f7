package hmrdclient_test

import (
	"testing"

	"github.com/hmrd/hmrd/clients/go/hmrdclient"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

func TestDescribe(t *testing.T) {
	for _, tc := range []struct {
		ev   *hmrdv1.Event
		want string
	}{
		{&hmrdv1.Event{Seq: 12, Kind: &hmrdv1.Event_Update{Update: &hmrdv1.Update{Updates: []*hmrdv1.ModuleUpdate{{
			Type: hmrdv1.UpdateType_UPDATE_TYPE_JS, Path: "/src/app.js", AcceptedPath: "/src/stuff.js",
			Chain: []string{"/src/stuff.js", "/src/app.js"},
		}}}}}, "seq 12 update /src/app.js accepts /src/stuff.js (via /src/stuff.js → /src/app.js)"},
		{&hmrdv1.Event{Seq: 3, Kind: &hmrdv1.Event_Update{Update: &hmrdv1.Update{Updates: []*hmrdv1.ModuleUpdate{
			{Type: hmrdv1.UpdateType_UPDATE_TYPE_CSS, Path: "/a.css", AcceptedPath: "/a.css", Chain: []string{"/a.css"}},
			{Path: "/b.js", AcceptedPath: "/b.js", IsWithinCircularImport: true, Chain: []string{"/c.js", "/b.js"}},
		}}}}, "seq 3 update /a.css self-accepts (css); /b.js self-accepts (via /c.js → /b.js) [within circular import]"},
		{&hmrdv1.Event{Seq: 4, Kind: &hmrdv1.Event_Update{Update: &hmrdv1.Update{FirstInvalidatedBy: "/x.js",
			Updates: []*hmrdv1.ModuleUpdate{{Path: "/m.js", AcceptedPath: "/x.js"}}}}},
			"seq 4 update /m.js accepts /x.js (invalidated by /x.js)"},
		{&hmrdv1.Event{Seq: 13, Kind: &hmrdv1.Event_FullReload{FullReload: &hmrdv1.FullReload{
			Reason: "no accept boundary: /u.js → /main.js (entry, does not accept)", Chain: []string{"/u.js", "/main.js"}, Path: "*",
		}}}, "seq 13 full-reload: no accept boundary: /u.js → /main.js (entry, does not accept)"},
		{&hmrdv1.Event{Seq: 14, Kind: &hmrdv1.Event_FullReload{FullReload: &hmrdv1.FullReload{
			Reason: "declined", Chain: []string{"/a.js", "/b.js"}, Path: "/index.html",
		}}}, "seq 14 full-reload: declined (chain /a.js → /b.js) [page /index.html]"},
		{&hmrdv1.Event{Seq: 9, Kind: &hmrdv1.Event_FullReload{FullReload: &hmrdv1.FullReload{
			Cause: hmrdv1.FullReloadCause_FULL_RELOAD_CAUSE_RESYNC,
		}}}, "seq 9 full-reload (resync): resume point lost"},
		{&hmrdv1.Event{Seq: 15, Kind: &hmrdv1.Event_Prune{Prune: &hmrdv1.Prune{Paths: []string{"/a.js", "/b.js"}}}}, "seq 15 prune /a.js, /b.js"},
		{&hmrdv1.Event{Seq: 16, Kind: &hmrdv1.Event_Error{Error: &hmrdv1.Error{
			Code: "PARSE_ERROR", Module: "/src/app.js", Line: 3, Column: 7, Message: "Unexpected token\n  at x", Frame: "a\n  ^",
		}}}, "seq 16 error PARSE_ERROR /src/app.js:3:7: Unexpected token at x"},
		{&hmrdv1.Event{Seq: 18, Kind: &hmrdv1.Event_ErrorCleared{ErrorCleared: &hmrdv1.ErrorCleared{Modules: []string{"/src/a.js", "/src/b.js"}}}},
			"seq 18 error-cleared /src/a.js, /src/b.js"},
		{&hmrdv1.Event{Seq: 17, Kind: &hmrdv1.Event_Custom{Custom: &hmrdv1.Custom{Event: "my:ev", Data: `{"a":1}`, From: "sub-2"}}}, `seq 17 custom my:ev {"a":1} from sub-2`},
		{&hmrdv1.Event{Seq: 17, Kind: &hmrdv1.Event_Heartbeat{Heartbeat: &hmrdv1.Heartbeat{HeadSeq: 17}}}, "heartbeat: head seq 17"},
		{&hmrdv1.Event{Seq: 17, Kind: &hmrdv1.Event_Hello{Hello: &hmrdv1.Hello{Epoch: "e1", HeadSeq: 17, DaemonVersion: "1.0", ProtocolVersion: 1, Resumed: true}}},
			"hello: epoch e1, head seq 17, daemon 1.0, protocol 1, resumed"},
		{&hmrdv1.Event{Seq: 2, Kind: &hmrdv1.Event_Hello{Hello: &hmrdv1.Hello{Epoch: "e1", HeadSeq: 2, ProtocolVersion: 1,
			Errors: []*hmrdv1.Error{{Module: "/a.js"}, {Module: "/b.js"}}}}},
			"hello: epoch e1, head seq 2, protocol 1, 2 modules broken (/a.js, /b.js)"},
		{nil, "<nil event>"},
	} {
		if got := hmrdclient.Describe(tc.ev); got != tc.want {
			t.Errorf("Describe:\n got %s\nwant %s", got, tc.want)
		}
	}
}
