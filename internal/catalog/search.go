package catalog

import (
	"context"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"nutrigraph/ent"
	"nutrigraph/ent/food"
	"nutrigraph/ent/predicate"
	"nutrigraph/internal/catalog/searchtext"
	"nutrigraph/internal/nutrition"
)

// MaxPageSize is the largest page of foods Search returns; a request
// without first or last gets a first page of this size.
const MaxPageSize = 100

// SearchArgs are the arguments of the foods connection.
type SearchArgs struct {
	After  *ent.Cursor
	First  *int
	Before *ent.Cursor
	Last   *int
	// OrderBy defaults to relevance when Search has words.
	OrderBy *ent.FoodOrder
	Where   *ent.FoodWhereInput
	// Search is the text typed by the user; nil or without words: no search.
	Search *string
}

// Search answers the foods connection: the foods of q filtered and ordered
// by the search, paginated with entgql (cursors, totalCount, eager loading
// of the selected edges). Which foods a viewer may see at all (the shared
// catalogue and their own foods: user_id IS NULL OR user_id = viewer) is
// the Food privacy policy's business, applied to every query of ctx.
//
// Every word of the search must be the start of a word of the food's name
// (accent- and case-insensitive, plurals reduced to their stem, see
// searchtext.Query); archived foods are left out. Results are ordered by
// relevance (ascending; see Relevance) unless a.OrderBy is given.
//
// Errors: nutrition.CodeInvalid for a search longer than
// searchtext.MaxQueryLen bytes or with more than searchtext.MaxQueryWords
// words, and for a page size above MaxPageSize.
func Search(ctx context.Context, q *ent.FoodQuery, a SearchArgs) (*ent.FoodConnection, error) {
	var terms []searchtext.Term
	if a.Search != nil {
		var ok bool
		if terms, ok = searchtext.Query(*a.Search); !ok {
			return nil, nutrition.Invalid("search", "a search has at most %d words and %d characters",
				searchtext.MaxQueryWords, searchtext.MaxQueryLen)
		}
	}
	first := a.First
	switch {
	case first != nil && *first > MaxPageSize:
		return nil, nutrition.Invalid("first", "at most %d foods per page", MaxPageSize)
	case a.Last != nil && *a.Last > MaxPageSize:
		return nil, nutrition.Invalid("last", "at most %d foods per page", MaxPageSize)
	case first == nil && a.Last == nil:
		n := MaxPageSize
		first = &n
	}
	order := a.OrderBy
	if len(terms) > 0 {
		q = q.Where(food.ArchivedAtIsNil(), Matches(terms))
		q.Modify(Relevance(terms))
		if order == nil {
			order = &ent.FoodOrder{Direction: entgql.OrderDirectionAsc, Field: ent.FoodOrderFieldSearchRank}
		}
	}
	opts := []ent.FoodPaginateOption{ent.WithFoodOrder(order)}
	if a.Where != nil {
		opts = append(opts, ent.WithFoodFilter(a.Where.Filter))
	}
	return q.Paginate(ctx, a.After, first, a.Before, a.Last, opts...)
}

// Matches is the predicate of the foods whose name has every term as the
// start of one of its words: search_text LIKE '% term%' for each term (on
// PostgreSQL served by the trigram index on search_text).
//
// On SQLite the same test is written instr(search_text, ' term') > 0: a plain
// substring search, several times faster than LIKE's pattern matching (which
// also folds case, needless on the lower-cased search text).
func Matches(terms []searchtext.Term) predicate.Food {
	return func(s *entsql.Selector) {
		for _, t := range terms {
			s.Where(contains(s.Dialect(), s.C(food.FieldSearchText), " "+t.Prefix))
		}
	}
}

// contains is the predicate "column contains sub" in the dialect's fastest form.
func contains(d, column, sub string) *entsql.Predicate {
	if d == dialect.SQLite {
		return entsql.P(func(b *entsql.Builder) {
			b.WriteString("instr(").Ident(column).Comma().Arg(sub).WriteString(") > 0")
		})
	}
	return entsql.Like(column, "%"+sub+"%")
}

// relevanceTier is the weight of the query-dependent part of the relevance:
// the static rank (searchtext.Rank) is always below it.
const relevanceTier = searchtext.MaxRank

// Relevance returns the query modifier that makes a food's search_rank the
// relevance of the food for the search terms, lower first:
//
//	relevance = tier × 1,000,000 + search_rank (searchtext.Rank)
//	tier      = 2 if the name does not begin with one of the terms, else 0
//	          + 1 if some term matches only as the start of a longer word
//	              ("egg" in "eggplant"), not as the whole word or its plural
//
// so "Apples, raw" comes before "Croissants, apple" and "Egg, whole" before
// "Eggplant, raw", and within a tier simple, common foods come first.
//
// The value is computed in SQL and takes the place of the stored
// search_rank column (the query reads foods from a derived table), so
// entgql's cursor pagination orders and seeks by it like by any column:
// pages are stable for a given search.
func Relevance(terms []searchtext.Term) func(*entsql.Selector) {
	return func(s *entsql.Selector) {
		b := entsql.Dialect(s.Dialect())
		// The derived table is named foods like the table it reads: the
		// outer query's columns ("foods"."name", in predicates, order and
		// count) then resolve to it, whichever table ent takes them from.
		t := b.Table(food.Table)
		cols := make([]string, 0, len(food.Columns))
		for _, c := range food.Columns {
			if c != food.FieldSearchRank {
				cols = append(cols, t.C(c))
			}
		}
		inner := b.Select(cols...).From(t)
		inner.AppendSelectExprAs(relevanceExpr(t.C(food.FieldSearchText), t.C(food.FieldSearchRank), terms), food.FieldSearchRank)
		// Compute the relevance of the matching foods only: the outer
		// query filters the same way, but SQLite does not push predicates
		// into a derived table with computed columns, and would otherwise
		// evaluate the relevance of the whole catalogue for every page.
		Matches(terms)(inner)
		s.From(inner.As(food.Table))
	}
}

// relevanceExpr writes the relevance of the food in SQL; text and rank are
// its qualified search_text and search_rank columns.
func relevanceExpr(text, rank string, terms []searchtext.Term) entsql.Querier {
	return entsql.ExprFunc(func(b *entsql.Builder) {
		b.WriteString("((CASE WHEN ")
		for i, t := range terms {
			if i > 0 {
				b.WriteString(" OR ")
			}
			writeContains(b, text, " "+t.Prefix, true)
		}
		b.WriteString(" THEN 0 ELSE 2 END) + (CASE WHEN ")
		for i, t := range terms {
			if i > 0 {
				b.WriteString(" AND ")
			}
			b.WriteByte('(')
			for j, w := range t.Whole {
				if j > 0 {
					b.WriteString(" OR ")
				}
				writeContains(b, text, " "+w+" ", false)
			}
			b.WriteByte(')')
		}
		b.WriteString(" THEN 0 ELSE 1 END)) * ").Arg(relevanceTier).WriteString(" + ").WriteString(rank)
	})
}

// writeContains writes "text contains sub" (atStart: "text begins with
// sub") in the dialect's fastest form.
func writeContains(b *entsql.Builder, text, sub string, atStart bool) {
	if b.Dialect() == dialect.SQLite {
		b.WriteString("instr(").WriteString(text).Comma().Arg(sub).WriteString(")")
		if atStart {
			b.WriteString(" = 1")
		} else {
			b.WriteString(" > 0")
		}
		return
	}
	pattern := "%" + sub + "%"
	if atStart {
		pattern = sub + "%"
	}
	b.WriteString(text).WriteString(" LIKE ").Arg(pattern)
}
