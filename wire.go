package main

import (
	"context"
	"log/slog"
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

// application is the wired server: the GraphQL schema over the use cases,
// and the routes and middleware beside it.
type application struct {
	schema  graphql.ExecutableSchema
	options []httpapi.Option
}

// wire composes the use cases over the ent adapters and the HTTP endpoints.
func wire(cfg config.Config, d *db.DB, clock func() time.Time, log *slog.Logger) (*application, error) {
	uow := store.NewUnitOfWork(d.Client, d.Dialect)
	hasher := password.Hasher{P: password.Default}
	accounts, err := app.NewAccounts(uow, hasher, clock,
		ratelimit.New(cfg.LoginLimitPerIP, cfg.LoginLimitWindow),
		ratelimit.New(cfg.LoginLimitPerEmail, cfg.LoginLimitWindow))
	if err != nil {
		return nil, err
	}
	targets, err := app.NewTargets(uow, clock)
	if err != nil {
		return nil, err
	}
	meals, err := app.NewMeals(uow, clock)
	if err != nil {
		return nil, err
	}
	foods, err := app.NewFoods(uow, clock)
	if err != nil {
		return nil, err
	}
	billing, err := app.NewBilling(uow, clock)
	if err != nil {
		return nil, err
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
	return &application{
		schema: graph.NewExecutableSchema(graph.Deps{Client: d.Client, Accounts: accounts, Targets: targets, Meals: meals, Foods: foods, Clock: clock}),
		options: []httpapi.Option{
			httpapi.WithAPIMiddleware(api.Authenticate(accounts)),
			httpapi.WithRoute("POST /webhooks/billing", api.BillingWebhook(billing, []byte(cfg.BillingWebhookSecret), clock, log)),
			httpapi.WithAPIRoute("GET /export/entries.csv", api.ExportCSV(store.Exporter{DB: d.SQL, Dialect: d.Dialect}, zone)),
		},
	}, nil
}
