// Command nutrigraph is the nutrigraph server and its operator commands.
//
//	nutrigraph                 serve the GraphQL API (applies pending migrations first)
//	nutrigraph migrate …       versioned migrations (diff, apply, status, validate, lint)
//	nutrigraph foods …         the food catalogue (import, status)
//	nutrigraph --help          every setting
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	"nutrigraph/internal/catalog"
	"nutrigraph/internal/migrate"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches to an operator command or serves the API; it returns the
// process exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "migrate" {
		return migrate.Main(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) > 0 && args[0] == "foods" {
		return catalog.Main(ctx, args[1:], getenv, stdout, stderr)
	}
	return serve(ctx, args, getenv, stdout, stderr)
}
