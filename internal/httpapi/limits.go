package httpapi

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// MaxPageSize is the largest page a Relay connection returns: `first` and
// `last` must be at most this. entgql would load every row of a connection
// queried without either, so one of them is required whenever `edges` or
// `pageInfo` is selected.
const MaxPageSize = 100

// queryLimits refuses operations before they run: too deep, breaking the
// page-size policy, or with more fields than the complexity limit allows.
// It runs after parsing and validation, with the variables known, so
// `first: $n` is checked with the value of $n.
//
// Every walk below visits each fragment definition once, so its cost is
// linear in the size of the document whatever the fragments spread.
type queryLimits struct {
	maxDepth      int
	maxComplexity int
	schema        *ast.Schema
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = (*queryLimits)(nil)

func (q *queryLimits) ExtensionName() string { return "QueryLimits" }

func (q *queryLimits) Validate(es graphql.ExecutableSchema) error {
	q.schema = es.Schema()
	return nil
}

func (q *queryLimits) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	op := opCtx.Operation
	if op == nil {
		return nil
	}
	if d := depth(op.SelectionSet, map[string]int{}); d > q.maxDepth {
		err := gqlerror.ErrorPosf(op.Position, "operation has depth %d, which exceeds the limit of %d", d, q.maxDepth)
		err.Extensions = map[string]any{"code": CodeDepthLimit}
		return err
	}
	pr := pageRule{schema: q.schema, vars: opCtx.Variables, seen: map[string]bool{}, pages: map[string]bool{}}
	if err := pr.walk(op.SelectionSet, nil); err != nil {
		return err
	}
	// The complexity gqlgen computes is at least the number of fields the
	// operation expands to; counting them first (with fragments memoized)
	// keeps gqlgen's walk, which re-walks each fragment spread, cheap.
	if n := fieldCount(op.SelectionSet, map[string]int{}); n > q.maxComplexity {
		err := gqlerror.ErrorPosf(op.Position, "operation has complexity of at least %d, which exceeds the limit of %d", n, q.maxComplexity)
		err.Extensions = map[string]any{"code": CodeComplexityLimit}
		return err
	}
	return nil
}

// isIntrospection reports fields that read the schema (__schema, __type);
// __typename is an ordinary leaf.
func isIntrospection(f *ast.Field) bool {
	return strings.HasPrefix(f.Name, "__") && f.Name != "__typename"
}

// depth returns how deeply fields nest in ss (a leaf field is 1).
// Introspection fields are left out: their depth is bounded by gqlparser's
// own MaxIntrospectionDepth rule.
func depth(ss ast.SelectionSet, memo map[string]int) int {
	deepest := 0
	for _, sel := range ss {
		d := 0
		switch s := sel.(type) {
		case *ast.Field:
			if isIntrospection(s) {
				continue
			}
			d = 1 + depth(s.SelectionSet, memo)
		case *ast.InlineFragment:
			d = depth(s.SelectionSet, memo)
		case *ast.FragmentSpread:
			if s.Definition == nil {
				continue
			}
			v, ok := memo[s.Name]
			if !ok {
				memo[s.Name] = 0 // cycles are refused by validation; this only guards
				v = depth(s.Definition.SelectionSet, memo)
				memo[s.Name] = v
			}
			d = v
		}
		deepest = max(deepest, d)
	}
	return deepest
}

// fieldCount returns the number of fields ss expands to, fragments
// included, saturating at MaxInt. __schema is left out, as in gqlgen's
// complexity calculation.
func fieldCount(ss ast.SelectionSet, memo map[string]int) int {
	n := 0
	for _, sel := range ss {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" {
				continue
			}
			n = satAdd(n, satAdd(1, fieldCount(s.SelectionSet, memo)))
		case *ast.InlineFragment:
			n = satAdd(n, fieldCount(s.SelectionSet, memo))
		case *ast.FragmentSpread:
			if s.Definition == nil {
				continue
			}
			v, ok := memo[s.Name]
			if !ok {
				memo[s.Name] = 0
				v = fieldCount(s.Definition.SelectionSet, memo)
				memo[s.Name] = v
			}
			n = satAdd(n, v)
		}
	}
	return n
}

func satAdd(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

func satMul(a, b int) int {
	if a != 0 && b > math.MaxInt/a {
		return math.MaxInt
	}
	return a * b
}

// isConnection reports whether t is a Relay connection type: its name ends
// in "Connection" and it has an `edges` field.
func isConnection(schema *ast.Schema, t *ast.Type) bool {
	if t == nil || !strings.HasSuffix(t.Name(), "Connection") {
		return false
	}
	def := schema.Types[t.Name()]
	return def != nil && def.Fields.ForName("edges") != nil
}

// pageRule enforces the page-size policy on the connections an operation
// selects.
type pageRule struct {
	schema *ast.Schema
	vars   map[string]any
	// seen holds the fragments already walked.
	seen map[string]bool
	// pages memoizes selectsPage per fragment.
	pages map[string]bool
}

func (p *pageRule) walk(ss ast.SelectionSet, path []string) *gqlerror.Error {
	for _, sel := range ss {
		switch s := sel.(type) {
		case *ast.Field:
			if isIntrospection(s) {
				continue
			}
			key := s.Alias
			if key == "" {
				key = s.Name
			}
			fieldPath := append(path[:len(path):len(path)], key)
			if s.Definition != nil && isConnection(p.schema, s.Definition.Type) {
				if err := p.check(s, fieldPath); err != nil {
					return err
				}
			}
			if err := p.walk(s.SelectionSet, fieldPath); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := p.walk(s.SelectionSet, path); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			if s.Definition == nil || p.seen[s.Name] {
				continue
			}
			p.seen[s.Name] = true
			if err := p.walk(s.Definition.SelectionSet, path); err != nil {
				return err
			}
		}
	}
	return nil
}

// check applies the policy to one connection field.
func (p *pageRule) check(f *ast.Field, path []string) *gqlerror.Error {
	args := f.ArgumentMap(p.vars)
	given := 0
	for _, name := range []string{"first", "last"} {
		v, present := args[name]
		if !present || v == nil {
			continue
		}
		given++
		n, ok := toInt(v)
		if !ok || n < 0 || n > MaxPageSize {
			return pageError(f, path, name, "%s: %q must be between 0 and %d, got %v", strings.Join(path, "."), name, MaxPageSize, v)
		}
	}
	if given == 2 {
		// entgql refuses this too, but only while resolving and without a code.
		return pageError(f, path, "last", "%s: pass either \"first\" or \"last\", not both", strings.Join(path, "."))
	}
	if given == 0 && p.selectsPage(f.SelectionSet) {
		return pageError(f, path, "first", "%s: a page size is required: pass \"first\" or \"last\" (at most %d)", strings.Join(path, "."), MaxPageSize)
	}
	return nil
}

func pageError(f *ast.Field, path []string, arg, format string, args ...any) *gqlerror.Error {
	err := gqlerror.ErrorPosf(f.Position, format, args...)
	err.Extensions = map[string]any{
		"code":  CodeBadUserInput,
		"field": strings.Join(append(path[:len(path):len(path)], arg), "."),
	}
	return err
}

// selectsPage reports whether a connection's selection reads rows: `edges`
// or `pageInfo` (a `totalCount`-only selection reads none).
func (p *pageRule) selectsPage(ss ast.SelectionSet) bool {
	for _, sel := range ss {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "edges" || s.Name == "pageInfo" {
				return true
			}
		case *ast.InlineFragment:
			if p.selectsPage(s.SelectionSet) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition == nil {
				continue
			}
			v, ok := p.pages[s.Name]
			if !ok {
				p.pages[s.Name] = false
				v = p.selectsPage(s.Definition.SelectionSet)
				p.pages[s.Name] = v
			}
			if v {
				return true
			}
		}
	}
	return false
}

// toInt converts an argument value as gqlgen hands it over (int64 from a
// literal, json.Number or float64 from variables) to an int.
func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int32:
		return int(n), true
	case int64:
		return int(n), n >= math.MinInt && n <= math.MaxInt
	case float64:
		if n != math.Trunc(n) || n > math.MaxInt32 || n < math.MinInt32 {
			return 0, false
		}
		return int(n), true
	case json.Number:
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil {
			return 0, false
		}
		return toInt(i)
	}
	return 0, false
}

// connectionWeights is the executable schema with a complexity for every
// connection field: the connection's selection counts once per row of the
// page (first/last; 1 when neither is given, which the page-size rule allows
// only for totalCount). entgql generates no complexity functions, and this
// needs no edit of generated code; complexity functions set in
// generated.Config win.
type connectionWeights struct {
	graphql.ExecutableSchema
	connections map[string]bool // "Type.field"
}

func weighConnections(es graphql.ExecutableSchema) graphql.ExecutableSchema {
	schema := es.Schema()
	w := connectionWeights{ExecutableSchema: es, connections: map[string]bool{}}
	for _, def := range schema.Types {
		if def.Kind != ast.Object && def.Kind != ast.Interface {
			continue
		}
		for _, f := range def.Fields {
			if isConnection(schema, f.Type) {
				w.connections[def.Name+"."+f.Name] = true
			}
		}
	}
	return w
}

func (w connectionWeights) Complexity(ctx context.Context, typeName, field string, childComplexity int, args map[string]any) (int, bool) {
	if c, ok := w.ExecutableSchema.Complexity(ctx, typeName, field, childComplexity, args); ok {
		return c, true
	}
	if !w.connections[typeName+"."+field] {
		return 0, false
	}
	rows := 1
	for _, name := range []string{"first", "last"} {
		if n, ok := toInt(args[name]); ok && n > rows {
			rows = n
		}
	}
	return satAdd(1, satMul(rows, childComplexity)), true
}
