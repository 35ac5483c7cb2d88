package catalog_test

import (
	"context"
	"sync/atomic"
	"testing"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	gqlclient "github.com/99designs/gqlgen/client"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"nutrigraph/ent"
	"nutrigraph/graph"
	"nutrigraph/internal/testdb"
)

// countingDriver counts the statements sent to the database.
type countingDriver struct {
	dialect.Driver
	n *atomic.Int64
}

func (d countingDriver) Query(ctx context.Context, query string, args, v any) error {
	d.n.Add(1)
	return d.Driver.Query(ctx, query, args, v)
}

func (d countingDriver) Exec(ctx context.Context, query string, args, v any) error {
	d.n.Add(1)
	return d.Driver.Exec(ctx, query, args, v)
}

type foodsResponse struct {
	Foods struct {
		TotalCount int
		Edges      []struct {
			Node struct {
				ID       string
				Name     string
				SodiumMg *float64
				SugarsG  *float64
				Portions []struct {
					Amount float64
					Unit   string
					Grams  float64
				}
			}
		}
		PageInfo struct {
			HasNextPage bool
			EndCursor   *string
		}
	}
}

// TestFoodsQuery sends foods(search:) through the GraphQL schema: the
// search reaches the resolver, the nutrients and portions come back, and a
// page costs three statements (count, foods, portions) whatever its size.
func TestFoodsQuery(t *testing.T) {
	const query = `query($q: String, $n: Int, $after: Cursor) {
	  foods(search: $q, first: $n, after: $after) {
	    totalCount
	    edges { node { id name sodiumMg sugarsG portions { amount unit grams } } }
	    pageInfo { hasNextPage endCursor }
	  }
	}`
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			d, _ := importOnce(t, dialect)
			var n atomic.Int64
			client := ent.NewClient(ent.Driver(countingDriver{entsql.OpenDB(d.Dialect, d.SQL), &n}))
			srv := handler.New(graph.NewSchema(client))
			srv.AddTransport(transport.POST{})
			c := gqlclient.New(srv)

			for _, size := range []int{5, 50} {
				var resp foodsResponse
				n.Store(0)
				c.MustPost(query, &resp, gqlclient.Var("q", "butter"), gqlclient.Var("n", size))
				f := resp.Foods
				if got := n.Load(); got != 3 {
					t.Errorf("first %d: %d statements, want 3", size, got)
				}
				if f.TotalCount < 50 || len(f.Edges) != size || !f.PageInfo.HasNextPage {
					t.Fatalf("first %d: total %d, %d edges, next %v", size, f.TotalCount, len(f.Edges), f.PageInfo.HasNextPage)
				}
				b := f.Edges[0].Node
				if b.Name != "Butter, salted" || b.SodiumMg == nil || *b.SodiumMg != 643 || len(b.Portions) != 4 || b.Portions[2].Unit != "cup" || b.Portions[2].Grams != 227 {
					t.Errorf("first result: %+v", b)
				}
			}

			// The next page continues where the first ended.
			var p1, p2, both foodsResponse
			c.MustPost(query, &p1, gqlclient.Var("q", "chicken breast"), gqlclient.Var("n", 10))
			c.MustPost(query, &p2, gqlclient.Var("q", "chicken breast"), gqlclient.Var("n", 10), gqlclient.Var("after", *p1.Foods.PageInfo.EndCursor))
			c.MustPost(query, &both, gqlclient.Var("q", "chicken breast"), gqlclient.Var("n", 20))
			for i := range 20 {
				page := p1
				j := i
				if i >= 10 {
					page, j = p2, i-10
				}
				if page.Foods.Edges[j].Node.ID != both.Foods.Edges[i].Node.ID {
					t.Fatalf("item %d differs between two pages of 10 and one of 20", i)
				}
			}

			// Unknown stays unknown: lamb (17226) has no sugars value.
			var lamb foodsResponse
			c.MustPost(query, &lamb, gqlclient.Var("q", "lamb composite retail cuts 1/8 fat choice raw"), gqlclient.Var("n", 10))
			if len(lamb.Foods.Edges) == 0 {
				t.Fatal("lamb: nothing found")
			}
			for _, e := range lamb.Foods.Edges {
				if e.Node.SugarsG != nil {
					t.Errorf("%s: sugars %v, want null", e.Node.Name, *e.Node.SugarsG)
				}
			}
		})
	}
}
