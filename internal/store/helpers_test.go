package store_test

import (
	"context"
	"testing"
	"time"

	"nutrigraph/ent"
	"nutrigraph/internal/app"
	"nutrigraph/internal/db"
	"nutrigraph/internal/nutrition"
	"nutrigraph/internal/testdb"
)

// eachDialect runs test once per database dialect testdb offers, each on a
// fresh database with every migration applied. The calling test and its
// dialects run in parallel with the other such tests: each has its own
// database. Call it first in a test.
func eachDialect(t *testing.T, test func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Parallel()
	for _, name := range testdb.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, testdb.Open(t, name))
		})
	}
}

// testCtx is a system context (app.AsSystem: the privacy rules let it
// through, so the tests see the storage mechanics alone) that ends with the
// test, with a deadline so that a hung statement fails the test instead of
// the whole run.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return app.AsSystem(ctx)
}

// wantCode fails the test unless err carries the domain code (and, when
// field is not "-", that field).
func wantCode(t *testing.T, err error, code nutrition.ErrorCode, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("error = nil, want %s", code)
	}
	if got := nutrition.CodeOf(err); got != code {
		t.Fatalf("code = %s, want %s (error: %v)", got, code, err)
	}
	if field != "-" {
		if got := nutrition.FieldOf(err); got != field {
			t.Fatalf("field = %q, want %q (error: %v)", got, field, err)
		}
	}
}

// mustCreateUser creates a live user with email.
func mustCreateUser(t *testing.T, ctx context.Context, c *ent.Client, email string) *ent.User {
	t.Helper()
	u, err := c.User.Create().SetEmail(email).SetPasswordHash("argon2id$test").Save(ctx)
	if err != nil {
		t.Fatalf("creating user %s: %v", email, err)
	}
	return u
}
