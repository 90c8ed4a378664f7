package wire_test

import (
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/hmrd/hmrd/internal/graph/propagate"
	"github.com/hmrd/hmrd/internal/signal"
	"github.com/hmrd/hmrd/internal/transport/wire"
)

var brokenA = &signal.Error{Message: "cannot resolve import \"./b.js\" from /src/a.js: no such file or package", Module: "/src/a.js",
	File: "/home/me/app/src/a.js", Line: 3, Column: 19, Frame: "  3 | import { b } from './b.js'\n    |                   ^", Code: "UNRESOLVED_IMPORT"}

// The hub bounds memory by signal.Event.EstimateSize, which cannot encode
// (the core knows no protobuf): it must stay close to the real encoding
// for every kind of event, small and large.
func TestEstimateSizeMatchesProto(t *testing.T) {
	chain := []string{"/src/components/deeply/nested/Button.tsx", "/src/components/index.ts", "/src/App.tsx"}
	versions := map[string]int64{}
	var updates []propagate.Update
	for i := range 50 {
		id := "/src/mod" + strings.Repeat("x", i) + ".js"
		versions[id] = 1767323045123
		updates = append(updates, propagate.Update{Type: propagate.UpdateJS, Path: id, AcceptedPath: id, Chain: chain})
	}
	bodies := map[string]signal.Body{
		"hello": &signal.Hello{ProtocolVersion: 1, DaemonVersion: "0.1.0", HeadSeq: 12345, Root: "/home/me/app", Resumed: true, SubscriberID: "s42"},
		"hello-with-errors": &signal.Hello{ProtocolVersion: 1, DaemonVersion: "0.1.0", HeadSeq: 12345, Root: "/home/me/app", SubscriberID: "s42",
			Errors: []*signal.Error{brokenA, brokenA, brokenA}},
		"error-cleared": &signal.ErrorCleared{Modules: chain},
		"update":        &signal.Update{Updates: updates, Versions: versions, Triggers: []string{"/src/a.js"}, FirstInvalidatedBy: "/src/a.js"},
		"full-reload": &signal.FullReload{FullReload: propagate.FullReload{Cause: propagate.CauseNoBoundary,
			Reason: "no accept boundary: /src/a.js → /src/main.js (entry, does not accept)", Chain: chain, TriggeredBy: "/src/a.js", Path: "*"}},
		"prune":      &signal.Prune{Paths: chain},
		"error":      &signal.Error{Message: "Unexpected token", Module: "/src/a.js", File: "/home/me/app/src/a.js", Line: 120, Column: 7, Frame: strings.Repeat("  120 | const x = ;\n", 5), Code: "PARSE_ERROR"},
		"custom":     &signal.Custom{Event: "my:event", Data: `{"n":1}`, From: "s3"},
		"custom-1MB": &signal.Custom{Event: "big", Data: `"` + strings.Repeat("x", 1<<20) + `"`},
		"heartbeat":  &signal.Heartbeat{HeadSeq: 99},
	}
	for name, b := range bodies {
		ev := &signal.Event{Project: "app", Seq: 12345, Epoch: "6f1c2a9e0b3d4c5e", Version: 1767323045123, Time: time.Now(), Body: b}
		est, real := ev.EstimateSize(), proto.Size(wire.EventProto(ev))
		// Within 10% and 32 bytes either way.
		if d := est - real; d > real/10+32 || -d > real/10+32 {
			t.Errorf("%s: EstimateSize = %d, encoded size %d", name, est, real)
		}
		noted := &signal.Event{Project: "app", Seq: 12345, Epoch: "6f1c2a9e0b3d4c5e", Version: 1767323045123, Time: time.Now(), Body: b,
			Changes: []signal.Change{{File: "/home/me/app/src/a.ts", Module: "/src/a.ts", Kind: signal.ChangeUpdate}, {Module: "virtual:routes", Kind: signal.ChangeCreate}},
			Notes:   []string{"gate vite-plugin-hmrd (r1) did not acknowledge batch 7 within 5s"}}
		est, real = noted.EstimateSize(), proto.Size(wire.EventProto(noted))
		if d := est - real; d > real/10+32 || -d > real/10+32 {
			t.Errorf("%s with changes and notes: EstimateSize = %d, encoded size %d", name, est, real)
		}
	}
}
