package browser

import (
	"os"
	"os/exec"
	"testing"
)

// TestTypeCheck runs tsc --noEmit over the runtime (tsconfig.json: checkJs
// against hot.d.ts). TypeScript is installed by CI (.ci/run: npm ci here);
// without it the test skips.
func TestTypeCheck(t *testing.T) {
	const tsc = "node_modules/typescript/bin/tsc"
	if _, err := os.Stat(tsc); err != nil {
		t.Skip("TypeScript is not installed here (npm ci in internal/runtime/browser): skipping tsc --noEmit")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found: skipping tsc --noEmit")
	}
	out, err := exec.Command(node, tsc, "--noEmit", "-p", "tsconfig.json").CombinedOutput()
	if err != nil {
		t.Fatalf("tsc --noEmit: %v\n%s", err, out)
	}
}
