// Package graph holds the GraphQL resolvers of nutrigraph. Reads are one-line
// resolvers over the ent client (entgql pagination, filters, eager loading)
// scoped to the viewer by ent privacy rules; writes go through the use cases
// of internal/app.
package graph

import (
	"time"

	"github.com/99designs/gqlgen/graphql"

	"nutrigraph/ent"
	"nutrigraph/graph/generated"
	"nutrigraph/internal/app"
	"nutrigraph/internal/nutrition"
)

// Resolver is the root resolver; it holds the dependencies of every resolver.
type Resolver struct {
	client   *ent.Client
	accounts *app.Accounts
	targets  *app.Targets
	meals    *app.Meals
	foods    *app.Foods
	clock    func() time.Time
}

// Deps are what the resolvers need.
type Deps struct {
	Client   *ent.Client
	Accounts *app.Accounts
	Targets  *app.Targets
	Meals    *app.Meals
	Foods    *app.Foods
	// Clock is the time source (time.Now when nil).
	Clock func() time.Time
}

// NewExecutableSchema returns the executable GraphQL schema served by the API.
func NewExecutableSchema(d Deps) graphql.ExecutableSchema {
	cfg := generated.Config{
		Resolvers: &Resolver{client: d.Client, accounts: d.Accounts, targets: d.Targets, meals: d.Meals, foods: d.Foods, clock: d.Clock},
	}
	// A range of days costs its selection once per day, like a connection
	// costs its selection once per row: a query cannot ask for a year of
	// summaries hundreds of times over within the complexity limit.
	cfg.Complexity.Query.DailySummaries = func(child int, from, to string) int {
		return 1 + rangeDays(from, to)*child
	}
	return generated.NewExecutableSchema(cfg)
}

// rangeDays is the number of days from..to counts for complexity: the
// range's length when valid (at most the longest allowed range), else 1 (the
// resolver refuses it).
func rangeDays(from, to string) int {
	f, err1 := nutrition.ParseDate("from", from)
	t, err2 := nutrition.ParseDate("to", to)
	if err1 != nil || err2 != nil || t.Before(f) {
		return 1
	}
	return min(f.DaysUntil(t)+1, nutrition.MaxRangeDays)
}

// NewSchema returns the executable schema over client alone (reads only:
// the mutations need the use cases of NewExecutableSchema).
func NewSchema(client *ent.Client) graphql.ExecutableSchema {
	return NewExecutableSchema(Deps{Client: client})
}
