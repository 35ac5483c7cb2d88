package main

import (
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"nutrigraph/internal/config"
	"nutrigraph/internal/db"
	"nutrigraph/internal/httpapi"
	"nutrigraph/internal/server"
)

// application is the wired server: the GraphQL schema over the use cases,
// and the routes and middleware beside it.
type application struct {
	schema  graphql.ExecutableSchema
	options []httpapi.Option
}

// wire composes the use cases over the ent adapters and the HTTP endpoints
// (internal/server, which tests import too).
func wire(cfg config.Config, d *db.DB, clock func() time.Time, log *slog.Logger) (*application, error) {
	schema, options, err := server.Wire(cfg, d, clock, log)
	if err != nil {
		return nil, err
	}
	return &application{schema: schema, options: options}, nil
}
