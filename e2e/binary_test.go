package e2e

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"nutrigraph/internal/config"
	"nutrigraph/internal/migrate"
	"nutrigraph/internal/testdb"
)

// buildBinary builds the server (the module root, one folder up) into a
// temporary folder of t.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "nutrigraph")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// lockedBuffer collects a process's output.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// process is a running server.
type process struct {
	t      *testing.T
	cmd    *exec.Cmd
	base   string
	logs   *lockedBuffer
	exited chan struct{}
	err    error // the Wait result, once exited is closed
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// start runs bin in dir on a free port with LOG_LEVEL=warn and env (every
// other setting unset), and waits until /readyz answers 200.
func start(t *testing.T, bin, dir string, env map[string]string) *process {
	t.Helper()
	addr := freeAddr(t)
	set := map[string]string{"ADDR": addr, "LOG_LEVEL": "warn"}
	for k, v := range env {
		set[k] = v
	}
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = os.Environ()
	for _, k := range config.Names() {
		cmd.Env = append(cmd.Env, k+"="+set[k]) // empty counts as unset: no stray settings from the environment
	}
	p := &process{t: t, cmd: cmd, base: "http://" + addr, logs: &lockedBuffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = cmd.Process.Kill()
			<-p.exited
		}
	})

	deadline := time.Now().Add(60 * time.Second)
	hc := &http.Client{Timeout: 2 * time.Second}
	for {
		res, err := hc.Get(p.base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("server exited before it was ready (%v):\n%s", p.err, p.logs)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz not 200 after 60s:\n%s", p.logs)
		}
	}
}

// stop sends SIGTERM and checks that the server exits 0 within 30s.
func (p *process) stop() {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		p.t.Fatal(err)
	}
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		p.t.Fatalf("still running 30s after SIGTERM:\n%s", p.logs)
	}
	if p.err != nil {
		p.t.Fatalf("exit after SIGTERM: %v\n%s", p.err, p.logs)
	}
}

// freshPostgres returns the URL of a new, empty PostgreSQL database. It
// takes one from testdb (which guards it while the test runs, drops it when
// the test ends and sweeps it if the test binary dies) and empties it, so
// that the server applies every migration itself, as on a new install.
func freshPostgres(t *testing.T) string {
	t.Helper()
	d := testdb.Open(t, "postgres")
	ctx := context.Background()
	var name string
	if err := d.SQL.QueryRowContext(ctx, "SELECT current_database()").Scan(&name); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`DROP SCHEMA IF EXISTS atlas_schema_revisions CASCADE`,
		`DROP SCHEMA public CASCADE`, // with the tables and the pg_trgm extension
		`CREATE SCHEMA public`,
	} {
		if _, err := d.SQL.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("emptying %s: %s: %v", name, stmt, err)
		}
	}
	var objects int
	if err := d.SQL.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema'))
		+ (SELECT count(*) FROM pg_extension WHERE extname <> 'plpgsql')`).Scan(&objects); err != nil {
		t.Fatal(err)
	}
	if objects != 0 {
		t.Fatalf("%s still has %d tables or extensions", name, objects)
	}
	u, err := migrate.WithDatabase(testdb.PostgresURL(), name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
