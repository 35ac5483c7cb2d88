package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"nutrigraph/internal/catalog"
	"nutrigraph/internal/config"
	"nutrigraph/internal/db"
	"nutrigraph/internal/migrate"
	"nutrigraph/internal/server"
)

// serve runs the API server until ctx is cancelled (SIGINT/SIGTERM), then
// drains in-flight requests. It returns the process exit code: 0 after a
// clean shutdown (and for --help), 2 for invalid settings, 1 otherwise.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := config.Load(args, getenv)
	if errors.Is(err, config.ErrHelp) {
		config.PrintHelp(stdout)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "nutrigraph: %v\nRun 'nutrigraph --help' to see every setting.\n", err)
		return 2
	}
	log := newLogger(cfg, stderr)
	log.LogAttrs(ctx, slog.LevelInfo, "starting", cfg.LogAttrs()...)

	d, err := db.OpenWithRetry(ctx, cfg.DatabaseURL, cfg.Pool(), cfg.DBConnectTimeout, log)
	if err != nil {
		log.Error("cannot open the database", "database", db.Redact(cfg.DatabaseURL), "error", err.Error())
		return 1
	}
	defer func() {
		if err := d.Close(); err != nil {
			log.Error("closing the database", "error", err.Error())
		}
	}()
	log.Info("database open", "database", db.Redact(cfg.DatabaseURL), "dialect", d.Dialect)

	if cfg.Migrate {
		if err := migrate.Up(ctx, d, log); err != nil {
			log.Error("applying migrations failed", "error", err.Error())
			return 1
		}
	} else {
		log.Info("migrations not applied (MIGRATE=off)")
	}

	if cfg.FoodsImport {
		if _, err := catalog.EnsureLoaded(ctx, d, log); err != nil {
			log.Error("loading the food catalogue failed", "error", err.Error())
			return 1
		}
	}

	handler, err := server.Handler(cfg, d, time.Now, log)
	if err != nil {
		log.Error("wiring the application failed", "error", err.Error())
		return 1
	}

	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       cfg.RequestTimeout,
		// Past the request deadline a handler still needs a moment to write
		// its timeout answer.
		WriteTimeout:   cfg.RequestTimeout + 10*time.Second,
		IdleTimeout:    120 * time.Second,
		MaxHeaderBytes: 1 << 20,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		log.Error("cannot listen", "addr", cfg.Addr, "error", err.Error())
		return 1
	}
	log.Info("listening", "addr", ln.Addr().String(), "graphiql", cfg.GraphiQL, "introspection", cfg.Introspection)

	return runServer(ctx, srv, ln, cfg.ShutdownTimeout, log)
}

// runServer serves on ln until ctx is cancelled, then stops accepting
// connections and waits up to shutdownTimeout for in-flight requests to
// finish. It returns 0 after a clean drain, 1 when the server failed or
// requests had to be cut off.
func runServer(ctx context.Context, srv *http.Server, ln net.Listener, shutdownTimeout time.Duration, log *slog.Logger) int {
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		log.Error("server stopped", "error", err.Error())
		return 1
	case <-ctx.Done():
	}

	log.Info("shutting down: draining in-flight requests", "timeout", shutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Error("shutdown: in-flight requests did not finish in time; connections closed", "error", err.Error())
		_ = srv.Close()
		return 1
	}
	log.Info("stopped")
	return 0
}

// newLogger returns the structured logger LOG_FORMAT and LOG_LEVEL ask for.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.SlogLevel()}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
