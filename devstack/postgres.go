package devstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Database settings of the native stack. Postgres trusts local connections
// here, because it listens on 127.0.0.1 only and holds development data.
const (
	databaseUser = "fibstack"
	databaseName = "fibstack"
)

// postgresBinDir returns the folder of initdb and postgres: PG_BIN if set,
// else the newest /usr/lib/postgresql/*/bin.
func postgresBinDir() (string, error) {
	if dir := os.Getenv("PG_BIN"); dir != "" {
		return dir, nil
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	if len(found) == 0 {
		return "", errors.New("devstack: postgres binaries not found in /usr/lib/postgresql/*/bin: run make deps, or set PG_BIN")
	}
	sort.Slice(found, func(i, j int) bool { return versionOf(found[i]) < versionOf(found[j]) })
	return filepath.Dir(found[len(found)-1]), nil
}

func versionOf(path string) int {
	version, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return version
}

// postgresCredential returns the unprivileged user that runs initdb and
// postgres when the caller is root, because both refuse to run as root. It
// returns nil for any other caller.
func postgresCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, errors.New("devstack: Postgres refuses to run as root, and neither user postgres nor nobody exists: create one, or run as another user")
}

// startPostgres initializes a cluster in dir on first use, starts it on
// port, and creates the fibstack database if it is missing.
func startPostgres(ctx context.Context, dir string, port int, fast bool, logs io.Writer) (*Process, error) {
	binDir, err := postgresBinDir()
	if err != nil {
		return nil, err
	}
	credential, err := postgresCredential()
	if err != nil {
		return nil, err
	}
	dataDir := filepath.Join(dir, "data")
	socketDir := filepath.Join(dir, "run")
	for _, d := range []string{dir, socketDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("devstack: create Postgres directory %s: %w", d, err)
		}
		if err := chown(d, credential); err != nil {
			return nil, err
		}
	}

	if _, err := os.Stat(filepath.Join(dataDir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat(dataDir); err == nil {
			return nil, fmt.Errorf("devstack: %s exists but holds no Postgres cluster (PG_VERSION is missing): delete it to start with an empty database", dataDir)
		}
		if err := initCluster(ctx, binDir, dataDir, credential); err != nil {
			return nil, err
		}
	}

	args := []string{"-D", dataDir, "-p", strconv.Itoa(port), "-k", socketDir,
		"-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"}
	if fast {
		// Tests trade durability after a machine crash for speed; a killed
		// Postgres still recovers from its write-ahead log.
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	cmd := exec.Command(filepath.Join(binDir, "postgres"), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: credential}
	p, err := startProcess("postgres", cmd, logs)
	if err != nil {
		return nil, err
	}
	// SIGTERM would wait for every client to disconnect; SIGINT is
	// Postgres's fast shutdown, which ends sessions and stops cleanly.
	p.stopSignal = syscall.SIGINT

	if err := waitFor(ctx, "postgres", p, 30*time.Second, func(ctx context.Context) error {
		return createDatabase(ctx, port)
	}); err != nil {
		p.Kill()
		return nil, err
	}
	return p, nil
}

// initCluster runs initdb into a temporary folder and renames it to dataDir
// once complete, so an interrupted first start leaves no half-made cluster.
func initCluster(ctx context.Context, binDir, dataDir string, credential *syscall.Credential) error {
	partial := dataDir + ".partial"
	if err := os.RemoveAll(partial); err != nil {
		return fmt.Errorf("devstack: remove the unfinished cluster %s: %w", partial, err)
	}

	initdb := exec.CommandContext(ctx, filepath.Join(binDir, "initdb"),
		"-D", partial, "-U", databaseUser, "--auth=trust", "-E", "UTF8", "--no-instructions")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: credential}
	if output, err := initdb.CombinedOutput(); err != nil {
		return fmt.Errorf("devstack: initdb %s: %w\n%s", partial, err, output)
	}

	if err := os.Rename(partial, dataDir); err != nil {
		return fmt.Errorf("devstack: move the new cluster to %s: %w", dataDir, err)
	}
	return nil
}

// createDatabase connects to the maintenance database and creates the
// fibstack database unless it exists.
func createDatabase(ctx context.Context, port int) error {
	conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://%s@%s/postgres?sslmode=disable", databaseUser, hostPort(port)))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)

	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, databaseName).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+databaseName)
	return err
}

// DatabaseURL returns the URL of the stack's database on port.
func DatabaseURL(port int) string {
	return fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable", databaseUser, hostPort(port), databaseName)
}

func chown(path string, credential *syscall.Credential) error {
	if credential == nil {
		return nil
	}
	if err := os.Chown(path, int(credential.Uid), int(credential.Gid)); err != nil {
		return fmt.Errorf("devstack: give %s to uid %d: %w", path, credential.Uid, err)
	}
	return nil
}
