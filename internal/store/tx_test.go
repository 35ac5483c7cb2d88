package store_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lib/pq"

	"nutrigraph/ent"
	"nutrigraph/ent/user"
	"nutrigraph/internal/db"
	"nutrigraph/internal/nutrition"
	"nutrigraph/internal/store"
)

// userCount counts the live users with email.
func userCount(t *testing.T, ctx context.Context, c *ent.Client, email string) int {
	t.Helper()
	n, err := c.User.Query().Where(user.Email(email)).Count(ctx)
	if err != nil {
		t.Fatalf("counting users: %v", err)
	}
	return n
}

func createIn(ctx context.Context, tx *ent.Tx, email string) error {
	_, err := tx.User.Create().SetEmail(email).SetPasswordHash("h").Save(ctx)
	return err
}

func TestWithTx(t *testing.T) {
	eachDialect(t, func(t *testing.T, d *db.DB) {
		ctx := testCtx(t)
		c := d.Client

		t.Run("commits when fn returns nil", func(t *testing.T) {
			err := store.WithTx(ctx, c, func(tx *ent.Tx) error { return createIn(ctx, tx, "commit@example.com") })
			if err != nil {
				t.Fatal(err)
			}
			if n := userCount(t, ctx, c, "commit@example.com"); n != 1 {
				t.Fatalf("%d users after commit, want 1", n)
			}
		})

		t.Run("rolls back and returns fn's error unchanged", func(t *testing.T) {
			boom := nutrition.Conflict("email", "boom")
			err := store.WithTx(ctx, c, func(tx *ent.Tx) error {
				if err := createIn(ctx, tx, "error@example.com"); err != nil {
					return err
				}
				return boom
			})
			if err != boom {
				t.Fatalf("err = %v, want fn's error itself", err)
			}
			if n := userCount(t, ctx, c, "error@example.com"); n != 0 {
				t.Fatalf("%d users after rollback, want 0", n)
			}
		})

		t.Run("rolls back on panic and re-panics", func(t *testing.T) {
			var recovered any
			func() {
				defer func() { recovered = recover() }()
				_ = store.WithTx(ctx, c, func(tx *ent.Tx) error {
					if err := createIn(ctx, tx, "panic@example.com"); err != nil {
						return err
					}
					panic("fn panicked")
				})
			}()
			if recovered != "fn panicked" {
				t.Fatalf("recovered %v, want the panic of fn", recovered)
			}
			// On SQLite in memory there is one connection: had the transaction
			// not been rolled back, this query would wait for it forever.
			if n := userCount(t, ctx, c, "panic@example.com"); n != 0 {
				t.Fatalf("%d users after a panic, want 0", n)
			}
		})

		t.Run("rolls back on runtime.Goexit", func(t *testing.T) {
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				_ = store.WithTx(ctx, c, func(tx *ent.Tx) error {
					if err := createIn(ctx, tx, "goexit@example.com"); err != nil {
						return err
					}
					runtime.Goexit() // what t.FailNow does inside fn
					return nil
				})
			}()
			wg.Wait()
			if n := userCount(t, ctx, c, "goexit@example.com"); n != 0 {
				t.Fatalf("%d users after Goexit, want 0", n)
			}
		})

		t.Run("a failed statement inside fn rolls back the earlier ones", func(t *testing.T) {
			err := store.WithTx(ctx, c, func(tx *ent.Tx) error {
				if err := createIn(ctx, tx, "first@example.com"); err != nil {
					return err
				}
				return createIn(ctx, tx, "first@example.com") // duplicate
			})
			wantCode(t, store.Translate(err), nutrition.CodeConflict, "email")
			if n := userCount(t, ctx, c, "first@example.com"); n != 0 {
				t.Fatalf("%d users, want 0", n)
			}
		})

		t.Run("joins the transaction the context carries", func(t *testing.T) {
			outer, err := c.Tx(ctx)
			if err != nil {
				t.Fatal(err)
			}
			inner := 0
			txCtx := ent.NewTxContext(ctx, outer)
			err = store.WithTx(txCtx, c, func(tx *ent.Tx) error {
				inner++
				if tx != outer {
					t.Errorf("fn got a new transaction, want the one in the context")
				}
				return createIn(ctx, tx, "joined@example.com")
			})
			if err != nil || inner != 1 {
				t.Fatalf("WithTx = %v after %d runs", err, inner)
			}
			// The inner WithTx did not commit: the outer transaction decides.
			if err := outer.Rollback(); err != nil {
				t.Fatalf("outer rollback: %v (the inner WithTx must not end the transaction)", err)
			}
			if n := userCount(t, ctx, c, "joined@example.com"); n != 0 {
				t.Fatalf("%d users after the outer rollback, want 0", n)
			}
		})

		t.Run("joined: an error does not end the outer transaction and is not retried", func(t *testing.T) {
			outer, err := c.Tx(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer outer.Rollback()
			runs := 0
			serialization := &pq.Error{Code: "40001"}
			err = store.WithTx(ent.NewTxContext(ctx, outer), c, func(tx *ent.Tx) error {
				runs++
				return serialization
			})
			if err != serialization || runs != 1 {
				t.Fatalf("WithTx = %v after %d runs; want the error after 1 run", err, runs)
			}
			if err := createIn(ctx, outer, "still-open@example.com"); err != nil {
				t.Fatalf("the outer transaction is no longer usable: %v", err)
			}
		})

		t.Run("retries a serialization failure with a fresh transaction", func(t *testing.T) {
			runs := 0
			err := store.WithTx(ctx, c, func(tx *ent.Tx) error {
				runs++
				if err := createIn(ctx, tx, "retry@example.com"); err != nil {
					return err
				}
				if runs < 3 {
					return fmt.Errorf("updating totals: %w", &pq.Error{Code: "40001", Message: "could not serialize access"})
				}
				return nil
			})
			if err != nil || runs != 3 {
				t.Fatalf("WithTx = %v after %d runs, want nil after 3", err, runs)
			}
			// The rows of the failed runs were rolled back: one user, not three.
			if n := userCount(t, ctx, c, "retry@example.com"); n != 1 {
				t.Fatalf("%d users, want 1", n)
			}
		})

		t.Run("gives up after MaxAttempts", func(t *testing.T) {
			runs := 0
			deadlock := &pq.Error{Code: "40P01", Message: "deadlock detected"}
			err := store.WithTx(ctx, c, func(tx *ent.Tx) error { runs++; return deadlock })
			if !errors.Is(err, deadlock) || runs != store.MaxAttempts {
				t.Fatalf("WithTx = %v after %d runs; want the deadlock after %d", err, runs, store.MaxAttempts)
			}
		})

		t.Run("does not retry other errors", func(t *testing.T) {
			for _, e := range []error{
				errors.New("boom"),
				&pq.Error{Code: "23505"},
				nutrition.NotFound("meal"),
				context.Canceled,
			} {
				runs := 0
				err := store.WithTx(ctx, c, func(tx *ent.Tx) error { runs++; return e })
				if err != e || runs != 1 {
					t.Errorf("WithTx(%v) = %v after %d runs; want one run", e, err, runs)
				}
			}
		})

		t.Run("stops retrying when the context ends", func(t *testing.T) {
			cctx, cancel := context.WithCancel(ctx)
			runs := 0
			err := store.WithTx(cctx, c, func(tx *ent.Tx) error {
				runs++
				cancel()
				return &pq.Error{Code: "40001"}
			})
			if !store.IsRetryable(err) || runs != 1 {
				t.Fatalf("WithTx = %v after %d runs, want the serialization failure after 1 run", err, runs)
			}
		})

		t.Run("begin fails on an ended context", func(t *testing.T) {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			called := false
			err := store.WithTx(cctx, c, func(tx *ent.Tx) error { called = true; return nil })
			if !errors.Is(err, context.Canceled) || called {
				t.Fatalf("WithTx = %v (fn called: %v), want context.Canceled without calling fn", err, called)
			}
		})
	})
}

// TestWithTxRetriesRealDeadlock makes PostgreSQL detect a real deadlock
// between two transactions that lock two rows in opposite orders: one of
// them is aborted with 40P01, retried by WithTx, and both succeed.
func TestWithTxRetriesRealDeadlock(t *testing.T) {
	eachDialect(t, func(t *testing.T, d *db.DB) {
		if d.Dialect != "postgres" {
			t.Skip("SQLite serializes writers: no deadlock to provoke")
		}
		ctx := testCtx(t)
		c := d.Client
		a := mustCreateUser(t, ctx, c, "a@example.com")
		b := mustCreateUser(t, ctx, c, "b@example.com")

		var runs atomic.Int32
		arrived := make(chan struct{}, 2)
		barrier := func() {
			arrived <- struct{}{}
			deadline := time.After(5 * time.Second)
			for len(arrived) < 2 {
				select {
				case <-deadline:
					return
				case <-time.After(time.Millisecond):
				}
			}
		}
		lockBoth := func(first, second *ent.User) error {
			var attempt atomic.Int32
			return store.WithTx(ctx, c, func(tx *ent.Tx) error {
				runs.Add(1)
				n := attempt.Add(1)
				// Detect the deadlock quickly (the default is one second).
				if _, err := tx.ExecContext(ctx, "SET LOCAL deadlock_timeout = '50ms'"); err != nil {
					return err
				}
				if err := tx.User.UpdateOne(first).SetPlan(user.PlanPREMIUM).Exec(ctx); err != nil {
					return err
				}
				if n == 1 {
					barrier() // both hold their first row now
				}
				return tx.User.UpdateOne(second).SetPlan(user.PlanPREMIUM).Exec(ctx)
			})
		}
		errs := make(chan error, 2)
		go func() { errs <- lockBoth(a, b) }()
		go func() { errs <- lockBoth(b, a) }()
		for i := 0; i < 2; i++ {
			if err := <-errs; err != nil {
				t.Fatalf("transaction failed: %v", err)
			}
		}
		if got := runs.Load(); got < 3 {
			t.Fatalf("%d runs in all; a deadlock should have forced at least one retry", got)
		}
		n, err := c.User.Query().Where(user.PlanEQ(user.PlanPREMIUM)).Count(ctx)
		if err != nil || n != 2 {
			t.Fatalf("%d premium users (%v), want 2", n, err)
		}
	})
}
