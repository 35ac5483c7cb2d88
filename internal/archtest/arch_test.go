package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

const module = "nutrigraph"

// pkg is the part of `go list -json` output the checks use.
type pkg struct {
	ImportPath string
	Standard   bool
	DepOnly    bool
	Imports    []string
	Error      *struct{ Err string }
}

// graph is the import graph of some root packages and all their dependencies.
type graph struct {
	roots []string        // the packages the patterns matched, sorted
	pkgs  map[string]*pkg // every package in the graph by import path
}

// load runs `go list -deps -json` on patterns. Patterns that match no
// package (a layer that does not exist yet) give an empty graph, not an error.
func load(t *testing.T, patterns ...string) *graph {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list imports: %v", err)
	}
	args := append([]string{"list", "-e", "-deps", "-json=ImportPath,Standard,DepOnly,Imports,Error"}, patterns...)
	cmd := exec.Command(goBin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	g := &graph{pkgs: map[string]*pkg{}}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decoding go list output: %v", err)
		}
		if p.Error != nil {
			t.Fatalf("go list: package %s: %s", p.ImportPath, p.Error.Err)
		}
		g.pkgs[p.ImportPath] = &p
		if !p.DepOnly {
			g.roots = append(g.roots, p.ImportPath)
		}
	}
	sort.Strings(g.roots)
	return g
}

// violations returns, for every root, each dependency (direct or transitive)
// that allowed rejects, as an import chain "root → … → dep". A forbidden
// package is reported once per root, by its shortest chain, and its own
// imports are not followed further.
func (g *graph) violations(allowed func(importPath string) bool) []string {
	var out []string
	for _, root := range g.roots {
		prev := map[string]string{root: ""}
		queue := []string{root}
		for len(queue) > 0 {
			cur := queue[0]
			queue = queue[1:]
			p := g.pkgs[cur]
			if p == nil {
				continue
			}
			imports := append([]string(nil), p.Imports...)
			sort.Strings(imports)
			for _, imp := range imports {
				if _, seen := prev[imp]; seen || imp == "C" || imp == "unsafe" {
					continue
				}
				prev[imp] = cur
				if !allowed(imp) {
					chain := []string{imp}
					for at := cur; at != ""; at = prev[at] {
						chain = append([]string{at}, chain...)
					}
					out = append(out, strings.Join(chain, " → "))
					continue
				}
				queue = append(queue, imp)
			}
		}
	}
	return out
}

// standard reports whether importPath is in the standard library.
func (g *graph) standard(importPath string) bool {
	p := g.pkgs[importPath]
	return p != nil && p.Standard
}

// within reports whether importPath is dir or a package below it.
func within(importPath, dir string) bool {
	return importPath == dir || strings.HasPrefix(importPath, dir+"/")
}

const (
	domainPkgs = module + "/internal/nutrition"
	appPkgs    = module + "/internal/app"
)

// domainAllowed is the rule of the domain layer: the standard library and the
// domain itself.
func domainAllowed(g *graph) func(string) bool {
	return func(imp string) bool { return g.standard(imp) || within(imp, domainPkgs) }
}

// forbiddenInApp are the infrastructure and interface packages the
// application layer must not reach, directly or through a dependency.
var forbiddenInApp = []string{
	"entgo.io",
	"ariga.io",
	"github.com/99designs/gqlgen",
	"github.com/vektah/gqlparser",
	"database/sql", // exactly: database/sql/driver (imported by uuid) is fine
	"github.com/lib/pq",
	"modernc.org/sqlite",
}

// appAllowed is the rule of the application layer: no ent, gqlgen or SQL,
// and no nutrigraph package other than the domain and the use cases. (HTTP
// is not banned: testify, which the port contract suite in internal/app/contract
// uses, imports net/http.)
func appAllowed(imp string) bool {
	for _, f := range forbiddenInApp {
		if f == "database/sql" {
			if imp == f {
				return false
			}
			continue
		}
		if within(imp, f) {
			return false
		}
	}
	if within(imp, module) {
		return within(imp, domainPkgs) || within(imp, appPkgs)
	}
	return true
}

func report(t *testing.T, layer string, bad []string) {
	t.Helper()
	if len(bad) > 0 {
		t.Errorf("%s imports across the layers (DESIGN.md §3):\n  %s", layer, strings.Join(bad, "\n  "))
	}
}

func TestDomainImportsOnlyTheStandardLibrary(t *testing.T) {
	g := load(t, domainPkgs+"/...")
	if len(g.roots) == 0 {
		t.Fatalf("no package matches %s/...: the domain package is missing", domainPkgs)
	}
	t.Logf("checked %d domain package(s), %d packages in the graph", len(g.roots), len(g.pkgs))
	report(t, "the domain", g.violations(domainAllowed(g)))
}

func TestUseCasesImportOnlyTheDomain(t *testing.T) {
	g := load(t, appPkgs+"/...")
	if len(g.roots) == 0 {
		t.Logf("no package matches %s/... yet: nothing to check", appPkgs)
		return
	}
	t.Logf("checked %d application package(s), %d packages in the graph", len(g.roots), len(g.pkgs))
	report(t, "the application layer", g.violations(appAllowed))
}

// TestRulesCatchViolations guards the checks themselves: run on adapters that
// do import ent and database/sql, both rules must object, and they must name
// the chain through which the forbidden package is reached.
func TestRulesCatchViolations(t *testing.T) {
	g := load(t, module+"/internal/db")
	if len(g.roots) != 1 {
		t.Fatalf("roots = %v, want internal/db", g.roots)
	}

	domainBad := g.violations(domainAllowed(g))
	appBad := g.violations(appAllowed)
	for _, tc := range []struct {
		rule string
		bad  []string
		want []string
	}{
		{"domain rule", domainBad, []string{
			module + "/internal/db → entgo.io/ent/dialect",
			module + "/internal/db → " + module + "/ent",
		}},
		{"application rule", appBad, []string{
			module + "/internal/db → database/sql",
			module + "/internal/db → entgo.io/ent/dialect",
			module + "/internal/db → github.com/lib/pq",
			module + "/internal/db → " + module + "/ent",
		}},
	} {
		for _, w := range tc.want {
			if !contains(tc.bad, w) {
				t.Errorf("%s did not report %q; it reported:\n  %s", tc.rule, w, strings.Join(tc.bad, "\n  "))
			}
		}
	}

	// A transitive dependency is caught too: internal/db reaches
	// gqlparser only through the generated ent package.
	if !containsPrefix(appBad, module+"/internal/db → "+module+"/ent") {
		t.Errorf("the application rule did not report the generated ent package")
	}
	if got := fmt.Sprint(g.violations(func(string) bool { return true })); got != "[]" {
		t.Errorf("an allow-all rule reported %s", got)
	}
}

func TestAppRule(t *testing.T) {
	for _, tc := range []struct {
		imp  string
		want bool
	}{
		{"context", true},
		{"time", true},
		{"database/sql/driver", true},
		{"github.com/google/uuid", true},
		{module + "/internal/nutrition", true},
		{module + "/internal/app", true},
		{module + "/internal/app/meals", true},
		{module + "/internal/application", false},
		{module + "/internal/store", false},
		{module + "/internal/db", false},
		{module + "/ent", false},
		{module + "/graph", false},
		{"database/sql", false},
		{"net/http", true},
		{"entgo.io/ent", false},
		{"entgo.io/contrib/entgql", false},
		{"github.com/99designs/gqlgen/graphql", false},
		{"github.com/lib/pq", false},
	} {
		if got := appAllowed(tc.imp); got != tc.want {
			t.Errorf("appAllowed(%q) = %v, want %v", tc.imp, got, tc.want)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsPrefix(list []string, prefix string) bool {
	for _, x := range list {
		if strings.HasPrefix(x, prefix) {
			return true
		}
	}
	return false
}
