package browser

import (
	"os"
	"os/exec"
	"testing"
)

// TestNodeUnits runs the runtime's JavaScript unit tests (node --test), so
// that `go test ./...` is the one command that runs every test.
func TestNodeUnits(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("HMRD_BROWSER_TESTS") == "required" {
			t.Fatal("node not found, and HMRD_BROWSER_TESTS=required")
		}
		t.Skip("node not found: skipping the runtime's node --test units")
	}
	out, err := exec.Command(node, "--test", "test/").CombinedOutput()
	if err != nil {
		t.Fatalf("node --test test/: %v\n%s", err, out)
	}
	t.Logf("%s", lastLines(out, 8))
}

func lastLines(b []byte, n int) []byte {
	for i := len(b) - 2; i >= 0; i-- {
		if b[i] == '\n' {
			n--
			if n == 0 {
				return b[i+1:]
			}
		}
	}
	return b
}
