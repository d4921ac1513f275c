package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestBrowserSmoke runs the web app's browser test in Debian's Chromium
// against the shared stack: submit 10 and see 55 without a reload, then
// navigate between the pages and reload a deep link.
func TestBrowserSmoke(t *testing.T) {
	stack := sharedStack(t)
	root := repoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "web", "node_modules", "playwright-core")); err != nil {
		t.Fatalf("playwright-core is not installed (%v): run make web-deps", err)
	}

	cmd := exec.Command("node", "--test", "e2e/")
	cmd.Dir = filepath.Join(root, "web")
	cmd.Env = append(os.Environ(),
		"BASE_URL="+stack.URL(),
		"SCREENSHOT_PATH="+filepath.Join(t.TempDir(), "calculator.png"),
	)
	output, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("browser test failed: %v\n%s", err, output)
	}
	t.Logf("browser test output:\n%s", output)
}
