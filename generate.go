package main

// Generation order is fixed: ent first (it also writes graph/ent.graphql),
// gqlgen second. CI runs `go generate ./...` and fails on any diff.
//go:generate go run -mod=mod ./ent/entc.go
//go:generate go run -mod=mod github.com/99designs/gqlgen generate
