// Command nutrigraph is the nutrigraph server and its operator commands.
//
//	nutrigraph                 serve the GraphQL API (applies pending migrations first)
//	nutrigraph migrate …       versioned migrations (diff, apply, status, validate, lint)
//	nutrigraph --help          every setting
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
