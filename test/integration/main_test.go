package integration

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fibstack/fibstack/devstack"
)

// testMaxIndex is the MAX_INDEX of the stacks under test. It is small so that
// the bound is cheap to test.
const testMaxIndex = 100_000

// binDir holds the api and worker binaries under test: FIBSTACK_BIN_DIR, as
// `make test` sets it, or binaries built by TestMain.
var binDir string

var (
	shared     *devstack.Stack
	sharedErr  error
	sharedOnce sync.Once
	sharedLogs string
	sharedDir  string
)

func TestMain(m *testing.M) {
	code, err := runTests(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration:", err)
		code = 1
	}
	os.Exit(code)
}

func runTests(m *testing.M) (int, error) {
	workDir, err := os.MkdirTemp("", "fibstack-integration-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(workDir)

	binDir = os.Getenv("FIBSTACK_BIN_DIR")
	if binDir == "" {
		binDir = filepath.Join(workDir, "bin")
		if err := buildBinaries(binDir); err != nil {
			return 0, err
		}
	}
	sharedLogs = filepath.Join(workDir, "shared-stack.log")

	code := m.Run()

	if sharedDir != "" {
		defer os.RemoveAll(sharedDir)
	}
	if shared != nil {
		if err := shared.Stop(); err != nil {
			return code, fmt.Errorf("stop the shared stack: %w (its log: %s)", err, sharedLogs)
		}
	}
	return code, nil
}

func buildBinaries(dir string) error {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return err
	}
	for _, service := range []string{"api", "worker"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, service), "./services/"+service)
		cmd.Dir = root
		if output, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("build %s: %w\n%s", service, err, output)
		}
	}
	return nil
}

// stackOptions adjusts a stack for one test.
type stackOptions struct {
	workers int
	env     []string

	// submitRate and submitBurst set nginx's rate limit; the default is
	// high enough for tests that submit quickly.
	submitRate  string
	submitBurst int
}

// testStack is a stack of one test, with the log of its processes.
type testStack struct {
	*devstack.Stack
	logPath string
}

// log returns what the stack's processes have written so far.
func (s *testStack) log(t *testing.T) string {
	t.Helper()

	data, err := os.ReadFile(s.logPath)
	if err != nil {
		t.Fatalf("read stack log: %v", err)
	}
	return string(data)
}

// startStack starts a stack of its own for t, stopped when t ends. Its
// processes' output goes to a log file, printed at the end when t fails.
func startStack(t *testing.T, options stackOptions) *testStack {
	t.Helper()

	// t.TempDir's parent is private to root, and Postgres runs as another
	// user when the tests run as root.
	dataDir, err := os.MkdirTemp("", "fibstack-"+strings.ReplaceAll(t.Name(), "/", "_")+"-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dataDir) })

	logPath := filepath.Join(t.TempDir(), "stack.log")
	stack, err := newStack(dataDir, logPath, options)
	if err != nil {
		t.Fatalf("start stack: %v\n%s", err, tail(logPath))
	}
	t.Cleanup(func() {
		if err := stack.Stop(); err != nil {
			t.Errorf("stop stack: %v", err)
		}
		if t.Failed() {
			t.Logf("stack log:\n%s", tail(logPath))
		}
	})
	return &testStack{Stack: stack, logPath: logPath}
}

// sharedStack returns the stack that the functional tests share, starting it
// on first use.
func sharedStack(t *testing.T) *devstack.Stack {
	t.Helper()

	sharedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "fibstack-shared-")
		if err != nil {
			sharedErr = err
			return
		}
		sharedDir = dir
		shared, sharedErr = newStack(dir, sharedLogs, stackOptions{})
	})
	if sharedErr != nil {
		t.Fatalf("start the shared stack: %v\n%s", sharedErr, tail(sharedLogs))
	}
	return shared
}

func newStack(dataDir, logPath string, options stackOptions) (*devstack.Stack, error) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return nil, err
	}
	logs, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}

	workers := options.workers
	if workers == 0 {
		workers = 2
	}
	if options.submitRate == "" {
		options.submitRate, options.submitBurst = "1000r/s", 1000
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return devstack.Start(ctx, devstack.Config{
		RepoRoot:     root,
		DataDir:      dataDir,
		BinDir:       binDir,
		WorkerPorts:  make([]int, workers),
		Env:          append([]string{fmt.Sprintf("MAX_INDEX=%d", testMaxIndex), "LOG_LEVEL=debug"}, options.env...),
		SubmitRate:   options.submitRate,
		SubmitBurst:  options.submitBurst,
		FastPostgres: true,
		Logs:         logs,
	})
}

// tail returns the last lines of the log at path.
func tail(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	const max = 12000
	if len(data) > max {
		data = data[len(data)-max:]
	}
	return string(data)
}
