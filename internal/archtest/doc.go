// Package archtest holds the architecture tests of nutrigraph: they fail when
// a package imports across the layers of DESIGN.md §3 (the domain imports
// only the standard library; the use cases import only the domain and each
// other, never ent, gqlgen, database/sql or an adapter). The package has no
// code of its own.
package archtest
