package config

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"nutrigraph/internal/db"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaults(t *testing.T) {
	c, err := Load(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DatabaseURL != db.DefaultURL || !c.Migrate || c.Env != Development ||
		!c.GraphiQL || !c.Introspection || c.LogFormat != "json" || c.LogLevel != "info" ||
		c.RequestTimeout != 30*time.Second || c.MaxBodyBytes != 1<<20 || c.DBConnectTimeout != 30*time.Second {
		t.Fatalf("unexpected defaults: %+v", c)
	}
}

func TestEnvFlagsAndDerived(t *testing.T) {
	c, err := Load([]string{"-request-timeout=5s", "--db-max-open-conns", "7"}, env(map[string]string{
		"PORT":              "9090",
		"ENV":               "production",
		"MIGRATE":           "off",
		"REQUEST_TIMEOUT":   "1m", // the flag wins
		"DB_MAX_OPEN_CONNS": "3",
		"GRAPHIQL":          "on",
		"LOG_LEVEL":         "debug",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9090" {
		t.Errorf("PORT not honoured: Addr = %q", c.Addr)
	}
	if c.Migrate || c.RequestTimeout != 5*time.Second || c.DBMaxOpenConns != 7 {
		t.Errorf("flags/env not applied: %+v", c)
	}
	if !c.GraphiQL || c.Introspection {
		t.Errorf("production: GraphiQL explicitly on, introspection auto → off; got %v %v", c.GraphiQL, c.Introspection)
	}
	if c.SlogLevel().String() != "DEBUG" {
		t.Errorf("SlogLevel = %v", c.SlogLevel())
	}

	c, err = Load(nil, env(map[string]string{"PORT": "9090", "ADDR": "127.0.0.1:7000"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:7000" {
		t.Errorf("ADDR must win over PORT, got %q", c.Addr)
	}
}

func TestInvalidNamesTheSetting(t *testing.T) {
	for name, value := range map[string]string{
		"DB_MAX_OPEN_CONNS":    "many",
		"DB_MAX_IDLE_CONNS":    "-1",
		"REQUEST_TIMEOUT":      "10",
		"LOG_FORMAT":           "xml",
		"LOG_LEVEL":            "loud",
		"ENV":                  "staging",
		"MIGRATE":              "maybe",
		"GRAPHIQL":             "sometimes",
		"PORT":                 "70000",
		"MAX_BODY_BYTES":       "0",
		"QUERY_MAX_COMPLEXITY": "1e9",
		"DATABASE_URL":         "mysql://x",
	} {
		_, err := Load(nil, env(map[string]string{name: value}))
		var ce *Error
		if !errors.As(err, &ce) || ce.Name != name {
			t.Errorf("%s=%s: got %v, want an *Error naming it", name, value, err)
			continue
		}
		if !strings.Contains(err.Error(), name) {
			t.Errorf("message %q does not name %s", err, name)
		}
	}
	_, err := Load([]string{"-query-max-depth=x"}, env(nil))
	if err == nil || !strings.Contains(err.Error(), "QUERY_MAX_DEPTH") || !strings.Contains(err.Error(), "-query-max-depth") {
		t.Errorf("flag error = %v", err)
	}
	if _, err := Load([]string{"-nope"}, env(nil)); err == nil {
		t.Error("unknown flag accepted")
	}
	if _, err := Load([]string{"stray"}, env(nil)); err == nil {
		t.Error("stray argument accepted")
	}
}

func TestHelp(t *testing.T) {
	for _, arg := range []string{"-h", "--help", "-help"} {
		if _, err := Load([]string{arg}, env(nil)); !errors.Is(err, ErrHelp) {
			t.Errorf("%s: got %v, want ErrHelp", arg, err)
		}
	}
	var b bytes.Buffer
	PrintHelp(&b)
	out := b.String()
	required := []string{"ADDR", "PORT", "DATABASE_URL", "MIGRATE", "DB_MAX_OPEN_CONNS", "DB_MAX_IDLE_CONNS",
		"DB_CONN_MAX_LIFETIME", "DB_CONN_MAX_IDLE_TIME", "DB_CONNECT_TIMEOUT", "LOG_LEVEL", "LOG_FORMAT", "ENV",
		"GRAPHIQL", "INTROSPECTION", "REQUEST_TIMEOUT", "SHUTDOWN_TIMEOUT", "MAX_BODY_BYTES",
		"QUERY_MAX_COMPLEXITY", "QUERY_MAX_DEPTH", "QUERY_MAX_TOKENS",
		"FOODS_IMPORT", "BILLING_WEBHOOK_SECRET", "LOGIN_LIMIT_PER_IP", "LOGIN_LIMIT_PER_EMAIL", "LOGIN_LIMIT_WINDOW"}
	if !reflect.DeepEqual(sorted(Names()), sorted(required)) {
		t.Errorf("settings = %v\nwant %v", Names(), required)
	}
	for _, name := range Names() {
		line := lineOf(out, name+" ")
		if line == "" {
			t.Errorf("help does not list %s", name)
			continue
		}
		if !strings.Contains(line, "-"+flagName(name)) {
			t.Errorf("help line of %s lacks its flag: %q", name, line)
		}
	}
	if !strings.Contains(lineOf(out, "ADDR "), ":8080") || !strings.Contains(lineOf(out, "DATABASE_URL "), db.DefaultURL) {
		t.Errorf("help lacks defaults:\n%s", out)
	}
}

func TestLogAttrsRedactsPassword(t *testing.T) {
	c, err := Load(nil, env(map[string]string{"DATABASE_URL": "postgres://u:hunter2@db:5432/x"}))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range c.LogAttrs() {
		if strings.Contains(a.Value.String(), "hunter2") {
			t.Fatalf("password logged: %v", a)
		}
	}
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

func lineOf(text, prefix string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// secretSettings exercises the secret tag (no Config field is secret yet;
// the billing webhook secret will be).
type secretSettings struct {
	Token string `env:"TEST_TOKEN" secret:"true" help:"a shared secret"`
	Pin   int    `env:"TEST_PIN" default:"1234" secret:"true" help:"a secret number"`
}

func TestSecretsAreNeverShown(t *testing.T) {
	var s secretSettings
	if _, err := load(settingsOf(&s), nil, env(map[string]string{"TEST_TOKEN": "s3cr3t-value"})); err != nil {
		t.Fatal(err)
	}
	if s.Token != "s3cr3t-value" || s.Pin != 1234 {
		t.Fatalf("loaded %+v", s)
	}
	for _, a := range logAttrs(settingsOf(&s)) {
		if strings.Contains(a.String(), "s3cr3t") || strings.Contains(a.String(), "1234") {
			t.Errorf("log attribute shows a secret: %v", a)
		}
	}
	var b bytes.Buffer
	printSettings(&b, settingsOf(&s))
	if !strings.Contains(b.String(), "TEST_TOKEN") || strings.Contains(b.String(), "1234") {
		t.Errorf("help:\n%s", b.String())
	}
	_, err := load(settingsOf(&s), nil, env(map[string]string{"TEST_PIN": "98x76"}))
	var ce *Error
	if !errors.As(err, &ce) || ce.Name != "TEST_PIN" || strings.Contains(err.Error(), "98x76") {
		t.Errorf("invalid secret: %v", err)
	}
}
