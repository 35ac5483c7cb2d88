package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"nutrigraph/internal/config"
)

func noEnv(string) string { return "" }

func TestServeHelpListsEverySetting(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := serve(context.Background(), []string{"--help"}, noEnv, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d, stderr: %s", code, stderr.String())
	}
	for _, name := range config.Names() {
		if !strings.Contains(stdout.String(), name+" ") {
			t.Errorf("--help does not list %s", name)
		}
	}
	for _, want := range []string{"DEFAULT", "MEANING", ":8080", "sqlite://nutrigraph.db"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}

func TestServeInvalidSettingExits2(t *testing.T) {
	for name, value := range map[string]string{
		"DB_MAX_OPEN_CONNS": "lots",
		"REQUEST_TIMEOUT":   "soon",
		"LOG_FORMAT":        "xml",
	} {
		var stdout, stderr bytes.Buffer
		getenv := func(k string) string {
			if k == name {
				return value
			}
			return ""
		}
		if code := serve(context.Background(), nil, getenv, &stdout, &stderr); code != 2 {
			t.Errorf("%s=%s: exit %d, want 2", name, value, code)
		}
		if !strings.Contains(stderr.String(), name) {
			t.Errorf("%s=%s: message does not name it: %q", name, value, stderr.String())
		}
	}
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds the server once per test run.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "nutrigraph-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "nutrigraph")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New("go build: " + err.Error() + "\n" + string(out))
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// logLines collects the JSON log lines a process writes.
type logLines struct {
	mu    sync.Mutex
	lines []map[string]any
	raw   strings.Builder
}

func (l *logLines) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		_ = json.Unmarshal(sc.Bytes(), &m)
		l.mu.Lock()
		l.raw.WriteString(sc.Text() + "\n")
		if m != nil {
			l.lines = append(l.lines, m)
		}
		l.mu.Unlock()
	}
}

func (l *logLines) find(msg string) map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.lines {
		if m["msg"] == msg {
			return m
		}
	}
	return nil
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.raw.String()
}

// TestServerStartsInAnEmptyFolder runs the built binary the way an operator
// would: no settings but a free port, in an empty working directory.
func TestServerStartsInAnEmptyFolder(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ADDR=127.0.0.1:0", "LOG_FORMAT=json")
	for _, k := range config.Names() {
		if k != "ADDR" && k != "LOG_FORMAT" {
			cmd.Env = append(cmd.Env, k+"=") // empty counts as unset: no stray settings from the test's environment
		}
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logs logLines
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	readDone := make(chan struct{})
	go func() { logs.read(stderr); close(readDone) }()
	exited := make(chan error, 1)
	go func() { <-readDone; exited <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	}()

	var addr string
	deadline := time.Now().Add(60 * time.Second)
	for addr == "" {
		if time.Now().After(deadline) {
			t.Fatalf("no \"listening\" log line in 60s:\n%s", logs.String())
		}
		select {
		case err := <-exited:
			t.Fatalf("server exited early (%v):\n%s", err, logs.String())
		case <-time.After(50 * time.Millisecond):
		}
		if m := logs.find("listening"); m != nil {
			addr, _ = m["addr"].(string)
		}
	}
	base := "http://" + addr

	if _, err := os.Stat(filepath.Join(dir, "nutrigraph.db")); err != nil {
		t.Errorf("nutrigraph.db not created in the working directory: %v", err)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s = %d", path, res.StatusCode)
		}
	}

	res, err := http.Post(base+"/graphql", "application/json",
		strings.NewReader(`{"query":"{ __schema { types { name kind } } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	var introspection struct {
		Data struct {
			Schema struct {
				Types []struct{ Name, Kind string }
			} `json:"__schema"`
		}
		Errors []any
	}
	err = json.NewDecoder(res.Body).Decode(&introspection)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK || len(introspection.Errors) > 0 {
		t.Fatalf("introspection: %d %v %v", res.StatusCode, err, introspection.Errors)
	}
	objects := map[string]bool{}
	for _, ty := range introspection.Data.Schema.Types {
		if ty.Kind == "OBJECT" {
			objects[ty.Name] = true
		}
	}
	for _, entity := range []string{"User", "Profile", "BillingAccount", "Session", "Target", "TargetNutrient",
		"TargetSnapshot", "Food", "FoodPortion", "Meal", "FoodEntry", "MealNutrition", "DailyNutrition", "BillingEvent"} {
		if !objects[entity] {
			t.Errorf("introspection does not list the type %s", entity)
		}
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("still running 30s after SIGTERM:\n%s", logs.String())
	}
	if logs.find("stopped") == nil {
		t.Errorf("no \"stopped\" log line:\n%s", logs.String())
	}
	for _, m := range logs.lines {
		if m["msg"] == "http request" && m["request_id"] == nil {
			t.Errorf("access log line without request id: %v", m)
		}
	}
}

func TestBinaryHelpAndInvalidSetting(t *testing.T) {
	bin := binary(t)
	out, err := exec.Command(bin, "--help").Output()
	if err != nil {
		t.Fatalf("--help: %v", err)
	}
	for _, name := range config.Names() {
		if !bytes.Contains(out, []byte(name+" ")) {
			t.Errorf("--help does not list %s", name)
		}
	}

	cmd := exec.Command(bin)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "QUERY_MAX_DEPTH=deep")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("invalid setting: %v, want exit status 2", err)
	}
	if !strings.Contains(stderr.String(), "QUERY_MAX_DEPTH") {
		t.Errorf("message does not name the setting: %q", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(cmd.Dir, "nutrigraph.db")); err == nil {
		t.Error("the database was created although the settings are invalid")
	}
}

// TestShutdownDrainsInFlightRequests: a request running when the signal
// comes is answered; new connections are refused; a request that outlives
// the shutdown timeout is cut off and the exit code says so.
func TestShutdownDrainsInFlightRequests(t *testing.T) {
	for _, tc := range []struct {
		name     string
		work     time.Duration
		timeout  time.Duration
		wantCode int
	}{
		{"drained", 300 * time.Millisecond, 5 * time.Second, 0},
		{"cut off", 5 * time.Second, 200 * time.Millisecond, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			started := make(chan struct{})
			srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				close(started)
				select {
				case <-time.After(tc.work):
					_, _ = io.WriteString(w, "done")
				case <-r.Context().Done():
				}
			})}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ctx, stop := context.WithCancel(context.Background())
			exit := make(chan int, 1)
			go func() { exit <- runServer(ctx, srv, ln, tc.timeout, slog.New(slog.DiscardHandler)) }()

			type reply struct {
				body string
				err  error
			}
			got := make(chan reply, 1)
			go func() {
				res, err := http.Get("http://" + ln.Addr().String() + "/")
				if err != nil {
					got <- reply{err: err}
					return
				}
				b, err := io.ReadAll(res.Body)
				res.Body.Close()
				got <- reply{string(b), err}
			}()
			<-started
			stop() // the signal
			time.Sleep(50 * time.Millisecond)
			if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
				t.Error("new connections still accepted while shutting down")
			}
			code := <-exit
			r := <-got
			if code != tc.wantCode {
				t.Errorf("exit code %d, want %d", code, tc.wantCode)
			}
			if tc.wantCode == 0 && (r.err != nil || r.body != "done") {
				t.Errorf("in-flight request not answered: %q %v", r.body, r.err)
			}
			if tc.wantCode == 1 && r.err == nil && r.body == "done" {
				t.Error("request that outlived the timeout was answered")
			}
		})
	}
}
