// Package config reads the settings of the nutrigraph server from environment
// variables and command-line flags, with defaults.
//
// Every setting is one field of Config described by struct tags:
//
//	env      the environment variable (the flag is its lower-case, dashed form:
//	         DB_MAX_OPEN_CONNS → -db-max-open-conns)
//	default  the value used when neither the variable nor the flag is set
//	help     what the setting means, printed by --help
//	enum     for strings: the accepted values, separated by "|"
//	min, max for numbers and durations: the smallest and largest accepted values
//	secret   "true": the value is never printed (help shows only whether it is set)
//
// Adding a setting is one line: a field with its tags. Supported field types
// are string, bool (on/off; default "auto" lets Load derive it), int, int64 and
// time.Duration.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"nutrigraph/internal/db"
)

// Environments, the values of ENV.
const (
	Development = "development"
	Production  = "production"
)

// Config holds every setting of the server.
type Config struct {
	Addr string `env:"ADDR" default:":8080" help:"listen address, host:port; when ADDR is not set and PORT is, the server listens on :PORT"`
	Port int    `env:"PORT" default:"0" min:"0" max:"65535" help:"listen port used when ADDR is not set (platforms such as Heroku or Cloud Run set it); 0: not used"`

	DatabaseURL        string        `env:"DATABASE_URL" default:"sqlite://nutrigraph.db" help:"database: sqlite://FILE (relative to the working directory) or postgres://user:pass@host:5432/db?sslmode=… (the password is never logged)"`
	Migrate            bool          `env:"MIGRATE" default:"on" help:"on: apply pending migrations at start-up (under a lock); off: do not (run 'nutrigraph migrate apply' yourself)"`
	DBMaxOpenConns     int           `env:"DB_MAX_OPEN_CONNS" default:"20" min:"0" help:"most open database connections; 0: unlimited"`
	DBMaxIdleConns     int           `env:"DB_MAX_IDLE_CONNS" default:"10" min:"0" help:"most idle connections kept in the pool; 0: the database/sql default (2)"`
	DBConnMaxLifetime  time.Duration `env:"DB_CONN_MAX_LIFETIME" default:"30m" min:"0s" help:"a connection is closed after this long (0: never)"`
	DBConnMaxIdleTime  time.Duration `env:"DB_CONN_MAX_IDLE_TIME" default:"5m" min:"0s" help:"an idle connection is closed after this long (0: never)"`
	DBConnectTimeout   time.Duration `env:"DB_CONNECT_TIMEOUT" default:"30s" min:"0s" help:"how long start-up keeps retrying the database (exponential back-off, at most 5s apart) before giving up"`
	LogLevel           string        `env:"LOG_LEVEL" default:"info" enum:"debug|info|warn|error" help:"least severe level logged"`
	LogFormat          string        `env:"LOG_FORMAT" default:"json" enum:"json|text" help:"log format: one JSON object per line, or logfmt-like text"`
	Env                string        `env:"ENV" default:"development" enum:"development|production" help:"deployment environment; development turns GraphiQL and introspection on unless GRAPHIQL/INTROSPECTION say otherwise (set production in production)"`
	GraphiQL           bool          `env:"GRAPHIQL" default:"auto" help:"serve the GraphiQL IDE at / (on/off; auto: on in development)"`
	Introspection      bool          `env:"INTROSPECTION" default:"auto" help:"answer GraphQL introspection queries (on/off; auto: on in development)"`
	RequestTimeout     time.Duration `env:"REQUEST_TIMEOUT" default:"30s" min:"1ms" help:"deadline of one request; also bounds reading the request (the write timeout is this plus 10s)"`
	ShutdownTimeout    time.Duration `env:"SHUTDOWN_TIMEOUT" default:"20s" min:"0s" help:"on SIGTERM/SIGINT, how long in-flight requests may finish before connections are cut"`
	MaxBodyBytes       int64         `env:"MAX_BODY_BYTES" default:"1048576" min:"1" help:"largest request body accepted, in bytes; larger ones are answered 413"`
	QueryMaxComplexity int           `env:"QUERY_MAX_COMPLEXITY" default:"20000" min:"1" help:"largest query complexity: each field costs 1, a connection multiplies what it selects by first/last"`
	QueryMaxDepth      int           `env:"QUERY_MAX_DEPTH" default:"15" min:"1" help:"deepest nesting of fields in a query (introspection fields excepted)"`
	QueryMaxTokens     int           `env:"QUERY_MAX_TOKENS" default:"10000" min:"1" help:"most lexical tokens the GraphQL parser reads in one query"`

	FoodsImport          bool          `env:"FOODS_IMPORT" default:"on" help:"on: load the bundled USDA food catalogue at start-up when the database has none or an older version; off: do not ('nutrigraph foods import' loads it)"`
	BillingWebhookSecret string        `env:"BILLING_WEBHOOK_SECRET" default:"" secret:"true" help:"HMAC-SHA256 secret of POST /webhooks/billing (header Nutrigraph-Signature: t=<unix>,v1=<hex>); unset: every event is refused"`
	LoginLimitPerIP      int           `env:"LOGIN_LIMIT_PER_IP" default:"30" min:"1" help:"login attempts allowed per client IP within LOGIN_LIMIT_WINDOW; more are answered 429 with Retry-After"`
	LoginLimitPerEmail   int           `env:"LOGIN_LIMIT_PER_EMAIL" default:"10" min:"1" help:"login attempts allowed per email within LOGIN_LIMIT_WINDOW"`
	LoginLimitWindow     time.Duration `env:"LOGIN_LIMIT_WINDOW" default:"15m" min:"1s" help:"the sliding window of the login limits"`
}

// ErrHelp is returned by Load when -h or --help was asked for.
var ErrHelp = flag.ErrHelp

// Error is a setting that has an invalid value.
type Error struct {
	// Name is the environment variable of the setting.
	Name string
	// Flag is true when the value came from the command line.
	Flag bool
	// Value is the value given (empty for secret settings).
	Value string
	// Reason says what is accepted.
	Reason string
}

// Error implements error.
func (e *Error) Error() string {
	if e.Flag {
		return fmt.Sprintf("invalid -%s (%s) %q: %s", flagName(e.Name), e.Name, e.Value, e.Reason)
	}
	return fmt.Sprintf("invalid %s %q: %s", e.Name, e.Value, e.Reason)
}

// setting is one field of Config with its tags.
type setting struct {
	name, flag, def, help, enum, min, max string
	secret                                bool
	field                                 reflect.Value
}

func (c *Config) settings() []setting { return settingsOf(c) }

// settingsOf returns the tagged fields of the struct ptr points to.
func settingsOf(ptr any) []setting {
	v := reflect.ValueOf(ptr).Elem()
	t := v.Type()
	out := make([]setting, 0, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name := f.Tag.Get("env")
		if name == "" {
			continue
		}
		out = append(out, setting{
			name:   name,
			flag:   flagName(name),
			def:    f.Tag.Get("default"),
			help:   f.Tag.Get("help"),
			enum:   f.Tag.Get("enum"),
			min:    f.Tag.Get("min"),
			max:    f.Tag.Get("max"),
			secret: f.Tag.Get("secret") == "true",
			field:  v.Field(i),
		})
	}
	return out
}

func flagName(env string) string {
	return strings.ReplaceAll(strings.ToLower(env), "_", "-")
}

// Load reads the settings from the command-line arguments (flags, which win)
// and the environment (getenv). It returns ErrHelp for -h/--help and an
// *Error naming the setting for an invalid value.
func Load(args []string, getenv func(string) string) (Config, error) {
	var c Config
	src, err := load(c.settings(), args, getenv)
	if err != nil {
		return c, err
	}

	// Derived values.
	if !src.explicit["ADDR"] && c.Port > 0 {
		c.Addr = ":" + strconv.Itoa(c.Port)
	}
	dev := c.Env == Development
	if src.auto["GRAPHIQL"] {
		c.GraphiQL = dev
	}
	if src.auto["INTROSPECTION"] {
		c.Introspection = dev
	}
	if _, _, err := db.Parse(c.DatabaseURL); err != nil {
		_, isFlag := src.fromFlag["DATABASE_URL"]
		return c, &Error{Name: "DATABASE_URL", Flag: isFlag, Value: db.Redact(c.DatabaseURL), Reason: "want sqlite://FILE or postgres://…"}
	}
	return c, nil
}

// sources records where the settings came from.
type sources struct {
	fromFlag map[string]string // name → value given as a flag
	explicit map[string]bool   // set by a flag or a non-empty variable
	auto     map[string]bool   // bool settings left to "auto"
}

// load fills the fields behind settings: flag, else environment, else default.
func load(settings []setting, args []string, getenv func(string) string) (sources, error) {
	src := sources{fromFlag: map[string]string{}, explicit: map[string]bool{}, auto: map[string]bool{}}
	fs := flag.NewFlagSet("nutrigraph", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	for _, s := range settings {
		name := s.name
		fs.Func(s.flag, s.help, func(v string) error {
			src.fromFlag[name] = v
			return nil
		})
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return src, ErrHelp
		}
		return src, err
	}
	if fs.NArg() > 0 {
		return src, fmt.Errorf("unexpected argument %q (settings are flags like -addr=:8080 or environment variables)", fs.Arg(0))
	}

	for _, s := range settings {
		raw, isFlag := src.fromFlag[s.name]
		if !isFlag {
			raw = strings.TrimSpace(getenv(s.name))
		}
		if raw == "" && !isFlag {
			raw = s.def
		} else {
			src.explicit[s.name] = true
		}
		if s.field.Kind() == reflect.Bool && raw == "auto" && s.def == "auto" {
			src.auto[s.name] = true
			continue
		}
		if reason := s.set(raw); reason != "" {
			value := raw
			if s.secret {
				value = "(secret)"
			}
			return src, &Error{Name: s.name, Flag: isFlag, Value: value, Reason: reason}
		}
	}
	return src, nil
}

// set parses raw into the field; it returns why raw is not acceptable, or "".
func (s setting) set(raw string) string {
	f := s.field
	switch {
	case f.Type() == reflect.TypeFor[time.Duration]():
		d, err := time.ParseDuration(raw)
		if err != nil {
			return "want a duration such as 500ms, 30s, 5m or 1h"
		}
		if s.min != "" {
			if m, _ := time.ParseDuration(s.min); d < m {
				return "want at least " + s.min
			}
		}
		f.SetInt(int64(d))
	case f.Kind() == reflect.String:
		if s.enum != "" && !contains(strings.Split(s.enum, "|"), raw) {
			return "want one of " + strings.ReplaceAll(s.enum, "|", ", ")
		}
		f.SetString(raw)
	case f.Kind() == reflect.Bool:
		switch strings.ToLower(raw) {
		case "on", "true", "1", "yes":
			f.SetBool(true)
		case "off", "false", "0", "no":
			f.SetBool(false)
		default:
			if s.def == "auto" {
				return "want on, off or auto"
			}
			return "want on or off"
		}
	case f.Kind() == reflect.Int || f.Kind() == reflect.Int64:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || f.OverflowInt(n) {
			return "want a whole number"
		}
		if s.min != "" {
			if m, _ := strconv.ParseInt(s.min, 10, 64); n < m {
				return "want a whole number of at least " + s.min
			}
		}
		if s.max != "" {
			if m, _ := strconv.ParseInt(s.max, 10, 64); n > m {
				return "want a whole number of at most " + s.max
			}
		}
		f.SetInt(n)
	default:
		return "unsupported setting type " + f.Type().String() // a programming error
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// PrintHelp writes the usage and every setting (name, flag, default, meaning) to w.
func PrintHelp(w io.Writer) {
	var c Config
	fmt.Fprint(w, `nutrigraph serves the nutrigraph GraphQL API (applying pending migrations first).

Usage:
  nutrigraph [-flag=value ...]     serve
  nutrigraph migrate ...           versioned migrations (nutrigraph migrate help)
  nutrigraph foods import|status   load the bundled USDA food catalogue / show its version
  nutrigraph -h | --help           this help

Settings come from environment variables or from the flags named beside them
(a flag wins over the variable). An empty variable counts as unset.

`)
	printSettings(w, c.settings())
}

func printSettings(w io.Writer, settings []setting) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VARIABLE\tFLAG\tDEFAULT\tMEANING")
	for _, s := range settings {
		def := s.def
		switch {
		case def == "":
			def = `""`
		case s.secret:
			def = "(secret)"
		}
		fmt.Fprintf(tw, "%s\t-%s\t%s\t%s\n", s.name, s.flag, def, s.help)
	}
	tw.Flush()
}

// Names returns the environment variable of every setting, in help order.
func Names() []string {
	var c Config
	var out []string
	for _, s := range c.settings() {
		out = append(out, s.name)
	}
	return out
}

// LogAttrs returns the effective settings as log attributes; secrets are
// left out and the database password is redacted.
func (c Config) LogAttrs() []slog.Attr {
	return logAttrs(c.settings())
}

func logAttrs(settings []setting) []slog.Attr {
	var out []slog.Attr
	for _, s := range settings {
		switch {
		case s.secret:
			out = append(out, slog.Bool(s.name+"_SET", !s.field.IsZero()))
		case s.name == "DATABASE_URL":
			out = append(out, slog.String(s.name, db.Redact(s.field.String())))
		case s.field.Kind() == reflect.Bool:
			out = append(out, slog.String(s.name, map[bool]string{true: "on", false: "off"}[s.field.Bool()]))
		default:
			out = append(out, slog.String(s.name, fmt.Sprint(s.field.Interface())))
		}
	}
	return out
}

// SlogLevel returns LOG_LEVEL as a slog.Level.
func (c Config) SlogLevel() slog.Level {
	var l slog.Level
	_ = l.UnmarshalText([]byte(c.LogLevel)) // validated by Load
	return l
}

// Pool returns the connection-pool settings.
func (c Config) Pool() db.Pool {
	return db.Pool{
		MaxOpenConns:    c.DBMaxOpenConns,
		MaxIdleConns:    c.DBMaxIdleConns,
		ConnMaxLifetime: c.DBConnMaxLifetime,
		ConnMaxIdleTime: c.DBConnMaxIdleTime,
	}
}
