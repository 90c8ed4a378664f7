package rpcserver_test

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/hmrd/hmrd/internal/transport/rpcserver"
	hmrdv1 "github.com/hmrd/hmrd/proto/hmrd/v1"
)

// Enum values the daemon does not know are refused, not read as defaults:
// a bundler newer than the daemon must learn that its fact was not taken.
func TestReportFromProtoRefusesUnknownKinds(t *testing.T) {
	bad := map[string]*hmrdv1.ReportChanges{
		"import kind": {Facts: &hmrdv1.ReportFacts{Modules: []*hmrdv1.ModuleFacts{{Id: "a", Imports: []*hmrdv1.ImportFact{{Target: "b", Kind: 99}}}}}},
		"change kind": {Changes: []*hmrdv1.Change{{Module: "a", Kind: 99}}},
		"unspecified": {Changes: []*hmrdv1.Change{{Module: "a"}}},
	}
	for name, rc := range bad {
		rep := rpcserver.ReportFromProto(rc.GetFacts(), rc.GetChanges())
		if err := rep.Validate(); err == nil {
			t.Errorf("%s: accepted %v", name, rc)
		}
	}
	good := &hmrdv1.ReportChanges{
		Facts:   &hmrdv1.ReportFacts{Modules: []*hmrdv1.ModuleFacts{{Id: "a", Imports: []*hmrdv1.ImportFact{{Target: "b", Kind: hmrdv1.ImportKind_IMPORT_KIND_DYNAMIC}}}}},
		Changes: []*hmrdv1.Change{{Module: "a", Kind: hmrdv1.ChangeKind_CHANGE_KIND_CREATE}},
	}
	rep := rpcserver.ReportFromProto(good.GetFacts(), good.GetChanges())
	if err := rep.Validate(); err != nil {
		t.Errorf("refused %v: %v", good, err)
	}
}

// FuzzRegisterRequest reads arbitrary bytes as a bundler's request, as the
// daemon would: converting and validating it never panics.
func FuzzRegisterRequest(f *testing.F) {
	seed, _ := proto.Marshal(&hmrdv1.RegisterRequest{Id: 1, Kind: &hmrdv1.RegisterRequest_Changes{Changes: &hmrdv1.ReportChanges{
		Changes: []*hmrdv1.Change{{Module: "virtual:a", Kind: hmrdv1.ChangeKind_CHANGE_KIND_UPDATE}},
		Facts:   &hmrdv1.ReportFacts{Modules: []*hmrdv1.ModuleFacts{{Id: "virtual:a", Virtual: true, Imports: []*hmrdv1.ImportFact{{Target: "/src/x.js"}}}}},
	}}})
	f.Add(seed)
	f.Fuzz(func(t *testing.T, data []byte) {
		var req hmrdv1.RegisterRequest
		if proto.Unmarshal(data, &req) != nil {
			return
		}
		facts, changes := req.GetFacts(), []*hmrdv1.Change(nil)
		if c := req.GetChanges(); c != nil {
			facts, changes = c.GetFacts(), c.GetChanges()
		}
		rep := rpcserver.ReportFromProto(facts, changes)
		if rep.Validate() == nil {
			for _, c := range rep.Changes {
				if c.Kind == 0 {
					t.Fatalf("a change without a kind validated: %+v", c)
				}
			}
		}
	})
}
