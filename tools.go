//go:build tools

// Package tools pins the versions of the code generators that
// `go generate ./...` runs (go.mod records them).
package tools

import (
	_ "entgo.io/contrib/entgql"
	_ "entgo.io/ent/cmd/ent"
	_ "github.com/99designs/gqlgen"
)
