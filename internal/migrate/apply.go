package migrate

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlite"
	sqlitedrv "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"

	"nutrigraph/internal/db"
)

// lockName is the name of the PostgreSQL advisory lock held while applying;
// the atlas CLI uses the same name for `migrate apply`, so the server and the
// CLI exclude each other too.
const lockName = "atlas_migrate_execute"

// operatorVersion is written to the revisions table's operator_version.
const operatorVersion = "nutrigraph"

// LockTimeout bounds how long Up waits for another process that is applying
// migrations to the same database.
var LockTimeout = 2 * time.Minute

// Up applies the pending embedded migrations of d.Dialect to d, one
// transaction per file, under a lock so that servers starting together apply
// each file once. It refuses to run when the embedded directory does not
// match its atlas.sum, or when a file already applied to the database has
// changed since.
func Up(ctx context.Context, d *db.DB, log *slog.Logger) error {
	dir, err := EmbeddedDir(d.Dialect)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	_, err = apply(ctx, d.SQL, d.Dialect, dir, "embedded "+d.Dialect+" migrations", log, 0)
	return err
}

// atlasDriver opens the atlas driver of a dialect over q.
func atlasDriver(dialect string, q schema.ExecQuerier) (migrate.Driver, error) {
	switch dialect {
	case Postgres:
		return postgres.Open(q)
	case SQLite:
		return sqlite.Open(q)
	}
	return nil, fmt.Errorf("unsupported dialect %q", dialect)
}

// fileTx is one migration file's transaction on a dedicated connection.
type fileTx interface {
	schema.ExecQuerier
	Commit() error
	Rollback() error
}

// apply executes up to n (all when n <= 0) pending files of dir on sqldb and
// returns the names of the files it applied.
func apply(ctx context.Context, sqldb *sql.DB, dialect string, dir migrate.Dir, label string, log *slog.Logger, n int) (applied []string, err error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := validateDir(dir, label); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	// Everything runs on one connection: the PostgreSQL advisory lock is
	// held by a session, and an in-memory SQLite database has one connection.
	conn, err := sqldb.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	keepConn := true
	defer func() {
		if !keepConn {
			// The session may still hold the lock: never give it back to the pool.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}()
	var begin func() (fileTx, error)
	switch dialect {
	case Postgres:
		// PostgreSQL: a session-level advisory lock (atlas driver's
		// schema.Locker) for the whole run, then one transaction per file.
		drv, err := postgres.Open(conn)
		if err != nil {
			return nil, fmt.Errorf("migrate: %w", err)
		}
		unlock, err := drv.(schema.Locker).Lock(ctx, lockName, LockTimeout)
		if err != nil {
			if errors.Is(err, schema.ErrLocked) {
				return nil, fmt.Errorf("migrate: another process is applying migrations to this database (lock %q not released within %s)", lockName, LockTimeout)
			}
			return nil, fmt.Errorf("migrate: acquire lock: %w", err)
		}
		defer func() {
			if uerr := unlock(); uerr != nil {
				keepConn = false
				err = errors.Join(err, fmt.Errorf("migrate: release lock: %w", uerr))
			}
		}()
		begin = func() (fileTx, error) { return conn.BeginTx(ctx, nil) }
	case SQLite:
		// SQLite has no advisory locks. Each file runs in a BEGIN IMMEDIATE
		// transaction, which takes the database's write lock before anything
		// is read; the pending files are computed inside that transaction.
		// A second process starting at the same time waits for the lock
		// (busy_timeout, then retries up to LockTimeout), then finds the file
		// recorded and skips it, so every file is applied exactly once.
		// Foreign keys are switched off around each file (a migration that
		// rebuilds a table must not cascade on the implicit DELETE of DROP
		// TABLE) and PRAGMA foreign_key_check must report no new violation
		// before COMMIT, as the atlas CLI does.
		begin = func() (fileTx, error) { return beginSQLite(ctx, conn) }
	default:
		return nil, fmt.Errorf("migrate: unsupported dialect %q", dialect)
	}
	for n <= 0 || len(applied) < n {
		name, err := applyNext(ctx, begin, dialect, dir, label, log)
		if err != nil {
			return applied, err
		}
		if name == "" {
			break
		}
		applied = append(applied, name)
	}
	if len(applied) == 0 {
		log.Debug("migrations: database is up to date", "dialect", dialect)
	} else {
		log.Info("migrations applied", "dialect", dialect, "files", len(applied), "version", strings.TrimSuffix(applied[len(applied)-1], ".sql"))
	}
	return applied, nil
}

// applyNext applies the next pending file in its own transaction and returns
// its name, or "" when nothing is pending.
func applyNext(ctx context.Context, begin func() (fileTx, error), dialect string, dir migrate.Dir, label string, log *slog.Logger) (name string, err error) {
	tx, err := begin()
	if err != nil {
		return "", fmt.Errorf("migrate: begin: %w", err)
	}
	done := false
	defer func() {
		if !done {
			if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
				err = errors.Join(err, fmt.Errorf("migrate: rollback: %w", rerr))
			}
		}
	}()
	rrw := &revisions{q: tx, dialect: dialect}
	if err := rrw.init(ctx); err != nil {
		return "", fmt.Errorf("migrate: %w", err)
	}
	revs, err := rrw.ReadRevisions(ctx)
	if err != nil {
		return "", fmt.Errorf("migrate: %w", err)
	}
	if err := checkAppliedHashes(revs, dir, label); err != nil {
		return "", fmt.Errorf("migrate: %w", err)
	}
	drv, err := atlasDriver(dialect, tx)
	if err != nil {
		return "", fmt.Errorf("migrate: %w", err)
	}
	ex, err := migrate.NewExecutor(drv, dir, rrw,
		migrate.WithLogger(&execLogger{log: log}),
		migrate.WithOperatorVersion(operatorVersion))
	if err != nil {
		return "", fmt.Errorf("migrate: %w", err)
	}
	pending, err := ex.Pending(ctx)
	switch {
	case errors.Is(err, migrate.ErrNoPendingFiles):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("migrate: %s: %w", label, err)
	}
	f := pending[0]
	start := time.Now()
	if err := ex.Execute(ctx, f); err != nil {
		var serr *migrate.StmtExecError
		if errors.As(err, &serr) {
			return "", fmt.Errorf("migrate: %s failed (rolled back) at statement %q: %v", f.Name(), oneLine(serr.Stmt.Text), serr.Err)
		}
		return "", fmt.Errorf("migrate: %s failed (rolled back): %w", f.Name(), err)
	}
	done = true
	if err := tx.Commit(); err != nil {
		return "", fmt.Errorf("migrate: commit %s: %w", f.Name(), err)
	}
	log.Info("migration applied", "dialect", dialect, "file", f.Name(), "duration", time.Since(start).String())
	return f.Name(), nil
}

// sqliteTx is a transaction opened with BEGIN IMMEDIATE on a dedicated
// connection (database/sql cannot choose the BEGIN mode).
type sqliteTx struct {
	*sql.Conn
	ctx      context.Context
	commit   func() error
	rollback func() error
}

func (t *sqliteTx) Commit() error   { return t.commit() }
func (t *sqliteTx) Rollback() error { return t.rollback() }

// rawTx is the bare BEGIN IMMEDIATE transaction that sqlite.CommitFunc wraps.
type rawTx struct {
	*sql.Conn
	ctx context.Context
}

func (t rawTx) Commit() error {
	_, err := t.ExecContext(context.WithoutCancel(t.ctx), "COMMIT")
	return err
}

func (t rawTx) Rollback() error {
	_, err := t.ExecContext(context.WithoutCancel(t.ctx), "ROLLBACK")
	return err
}

func beginSQLite(ctx context.Context, conn *sql.Conn) (fileTx, error) {
	var on bool
	if err := conn.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&on); err != nil {
		return nil, fmt.Errorf("read foreign_keys pragma: %w", err)
	}
	if on {
		if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = off"); err != nil {
			return nil, err
		}
	}
	restoreFK := func() {
		if on {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = on")
		}
	}
	deadline := time.Now().Add(LockTimeout)
	for {
		_, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE")
		if err == nil {
			break
		}
		if !isBusy(err) || time.Now().After(deadline) || ctx.Err() != nil {
			restoreFK()
			if isBusy(err) {
				return nil, fmt.Errorf("another process holds the SQLite write lock (waited %s): %w", LockTimeout, err)
			}
			return nil, err
		}
		// busy_timeout already waited inside SQLite; try again shortly.
		select {
		case <-ctx.Done():
			restoreFK()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	raw := rawTx{Conn: conn, ctx: ctx}
	commit, err := sqlite.CommitFunc(ctx, conn, raw, on)
	if err != nil {
		_ = raw.Rollback()
		restoreFK()
		return nil, err
	}
	return &sqliteTx{Conn: conn, ctx: ctx, commit: commit, rollback: sqlite.RollbackFunc(ctx, conn, raw, on)}, nil
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	var se *sqlitedrv.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqlite3lib.SQLITE_BUSY || c == sqlite3lib.SQLITE_LOCKED
	}
	return strings.Contains(err.Error(), "database is locked")
}

// execLogger forwards the executor's progress to slog.
type execLogger struct{ log *slog.Logger }

func (l *execLogger) Log(e migrate.LogEntry) {
	switch e := e.(type) {
	case migrate.LogFile:
		l.log.Info("applying migration", "file", e.File.Name())
	case migrate.LogStmt:
		l.log.Debug("migration statement", "sql", e.SQL)
	case migrate.LogError:
		if e.SQL != "" {
			l.log.Error("migration statement failed", "sql", oneLine(e.SQL), "error", e.Error)
		}
	}
}

// oneLine shortens a statement for messages.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:197] + "..."
	}
	return s
}
