package signal

import "testing"

// One encoding built from another must not deadlock (JSON from proto).
func TestEncodingsNested(t *testing.T) {
	var e Encodings
	calls := 0
	inner := func() any { calls++; return "proto" }
	outer := e.Get("json", func() any { return e.Get("proto", inner).(string) + "+json" })
	if outer != "proto+json" || e.Get("json", func() any { t.Fatal("recomputed"); return nil }) != "proto+json" || calls != 1 {
		t.Fatalf("outer = %v, calls = %d", outer, calls)
	}
}
