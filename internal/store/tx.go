// Package store holds the ent adapters of nutrigraph: the transaction
// boundary (WithTx), the translation of database errors into domain errors
// (Translate) and, on top of them, the repositories the use cases need.
package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"

	"nutrigraph/ent"
)

// MaxAttempts is how many times WithTx runs a transaction that PostgreSQL
// aborted with a serialization failure or a deadlock before it gives up.
const MaxAttempts = 5

// retryBaseDelay is the wait before the first retry; it doubles, with jitter.
var retryBaseDelay = 5 * time.Millisecond

// WithTx runs fn in a transaction of client: it commits when fn returns nil
// and rolls back when fn returns an error or panics (the panic goes on after
// the rollback). fn's error is returned unchanged (not translated: see
// Translate); a failed commit or begin is returned wrapped.
//
// When PostgreSQL aborts the transaction with a serialization failure or a
// deadlock (SQLSTATE 40001, 40P01) — reported by fn's error or by the commit —
// WithTx rolls back and runs fn again in a new transaction, up to MaxAttempts
// times in all, with a short growing pause. fn must therefore be re-runnable:
// no effects outside tx, and no state carried from one run to the next.
//
// If ctx already carries a transaction (ent.NewTxContext, e.g. entgql's
// transactioner), fn joins it: WithTx runs fn once with that transaction and
// neither commits, rolls back nor retries — the owner of the transaction does.
// An error of fn still reaches the owner, which then rolls everything back.
//
// WithTx is the only place in nutrigraph that begins transactions.
func WithTx(ctx context.Context, client *ent.Client, fn func(tx *ent.Tx) error) error {
	if tx := ent.TxFromContext(ctx); tx != nil {
		return fn(tx)
	}
	delay := retryBaseDelay
	for attempt := 1; ; attempt++ {
		err := runTx(ctx, client, fn)
		if err == nil || attempt >= MaxAttempts || !IsRetryable(err) {
			return err
		}
		pause := delay + rand.N(delay) // jitter: concurrent losers do not collide again
		delay *= 2
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}

// runTx runs fn once in a new transaction.
func runTx(ctx context.Context, client *ent.Client, fn func(tx *ent.Tx) error) (err error) {
	tx, err := client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("store: begin transaction: %w", err)
	}
	finished := false
	defer func() {
		if finished {
			return
		}
		// fn panicked (or called runtime.Goexit, e.g. t.FailNow): roll back,
		// then let the panic go on.
		r := recover()
		_ = tx.Rollback()
		if r != nil {
			panic(r)
		}
	}()
	err = fn(tx)
	finished = true
	if err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			return fmt.Errorf("%w (rollback failed: %v)", err, rerr)
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// IsRetryable reports whether err says that PostgreSQL aborted the
// transaction because of a serialization failure or a deadlock, so that
// running it again may succeed.
func IsRetryable(err error) bool {
	var pe *pq.Error
	if !errors.As(err, &pe) {
		return false
	}
	return pe.Code == pqerror.TRSerializationFailure || pe.Code == pqerror.TRDeadlockDetected
}
