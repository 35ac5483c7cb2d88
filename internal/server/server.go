// Package server composes nutrigraph: the use cases of internal/app over the
// ent adapters, the GraphQL schema over them, and the HTTP endpoints beside
// it (bearer authentication, the billing webhook, the CSV export). The main
// package serves what Wire returns; tests build the same handler with
// httpapi.New, so that they exercise the production wiring.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"nutrigraph/ent/profile"
	"nutrigraph/graph"
	"nutrigraph/internal/api"
	"nutrigraph/internal/app"
	"nutrigraph/internal/config"
	"nutrigraph/internal/db"
	"nutrigraph/internal/httpapi"
	"nutrigraph/internal/nutrition"
	"nutrigraph/internal/password"
	"nutrigraph/internal/ratelimit"
	"nutrigraph/internal/store"
)

// Option changes how Wire composes the application.
type Option func(*options)

type options struct {
	hasher app.PasswordHasher
}

// WithPasswordHasher replaces the password hasher (argon2id with
// password.Default). Tests use cheaper argon2id parameters; production
// never sets it.
func WithPasswordHasher(h app.PasswordHasher) Option {
	return func(o *options) { o.hasher = h }
}

// Wire composes the use cases over the ent adapters of d and returns the
// executable GraphQL schema and the options that add the bearer-token
// middleware, POST /webhooks/billing and GET /export/entries.csv to the
// handler built by httpapi.New. clock is the time source of every use case
// (trial ends, session expiry, rate limits, webhook timestamps).
func Wire(cfg config.Config, d *db.DB, clock func() time.Time, log *slog.Logger, opts ...Option) (graphql.ExecutableSchema, []httpapi.Option, error) {
	o := options{hasher: password.Hasher{P: password.Default}}
	for _, opt := range opts {
		opt(&o)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	uow := store.NewUnitOfWork(d.Client, d.Dialect)
	accounts, err := app.NewAccounts(uow, o.hasher, clock,
		ratelimit.New(cfg.LoginLimitPerIP, cfg.LoginLimitWindow),
		ratelimit.New(cfg.LoginLimitPerEmail, cfg.LoginLimitWindow))
	if err != nil {
		return nil, nil, err
	}
	targets, err := app.NewTargets(uow, clock)
	if err != nil {
		return nil, nil, err
	}
	meals, err := app.NewMeals(uow, clock)
	if err != nil {
		return nil, nil, err
	}
	foods, err := app.NewFoods(uow, clock)
	if err != nil {
		return nil, nil, err
	}
	billing, err := app.NewBilling(uow, clock)
	if err != nil {
		return nil, nil, err
	}
	if cfg.BillingWebhookSecret == "" {
		log.Warn("BILLING_WEBHOOK_SECRET is not set: POST /webhooks/billing refuses every event")
	}
	zone := func(ctx context.Context, user uuid.UUID) (*time.Location, error) {
		p, err := d.Client.Profile.Query().Where(profile.UserID(user)).Only(ctx)
		if err != nil {
			return nil, err
		}
		loc, err := nutrition.LoadZone(p.TimeZone)
		if err != nil {
			return time.UTC, nil
		}
		return loc, nil
	}
	schema := graph.NewExecutableSchema(graph.Deps{Client: d.Client, Accounts: accounts, Targets: targets, Meals: meals, Foods: foods, Clock: clock})
	return schema, []httpapi.Option{
		httpapi.WithAPIMiddleware(api.Authenticate(accounts)),
		httpapi.WithRoute("POST /webhooks/billing", api.BillingWebhook(billing, []byte(cfg.BillingWebhookSecret), clock, log)),
		httpapi.WithAPIRoute("GET /export/entries.csv", api.ExportCSV(store.Exporter{DB: d.SQL, Dialect: d.Dialect}, zone)),
	}, nil
}

// Handler is the whole HTTP handler of the server: Wire's schema and routes
// behind httpapi.New with the HTTP settings of cfg. serve.go and the tests
// that drive the real server build it here, so they serve the same thing.
func Handler(cfg config.Config, d *db.DB, clock func() time.Time, log *slog.Logger, opts ...Option) (http.Handler, error) {
	schema, routes, err := Wire(cfg, d, clock, log, opts...)
	if err != nil {
		return nil, err
	}
	return httpapi.New(httpapi.Config{
		GraphiQL:       cfg.GraphiQL,
		Introspection:  cfg.Introspection,
		RequestTimeout: cfg.RequestTimeout,
		MaxBodyBytes:   cfg.MaxBodyBytes,
		MaxComplexity:  cfg.QueryMaxComplexity,
		MaxDepth:       cfg.QueryMaxDepth,
		MaxTokens:      cfg.QueryMaxTokens,
	}, d, schema, log, routes...), nil
}
