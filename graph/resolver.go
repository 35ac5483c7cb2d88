// Package graph holds the GraphQL resolvers of nutrigraph. Reads are one-line
// resolvers over the ent client (entgql pagination, filters, eager loading);
// writes go through the use cases of internal/app.
package graph

import (
	"github.com/99designs/gqlgen/graphql"

	"nutrigraph/ent"
	"nutrigraph/graph/generated"
)

// Resolver is the root resolver; it holds the dependencies of every resolver.
type Resolver struct {
	client *ent.Client
}

// NewSchema returns the executable GraphQL schema served by the API.
func NewSchema(client *ent.Client) graphql.ExecutableSchema {
	return generated.NewExecutableSchema(generated.Config{
		Resolvers: &Resolver{client: client},
	})
}
