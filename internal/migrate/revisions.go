package migrate

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
)

// The revisions table mirrors the one the atlas CLI writes, so that a person
// with the CLI can run `atlas migrate status/apply` against a database the
// server migrated (and the other way round):
//
//   - PostgreSQL: "atlas_schema_revisions"."atlas_schema_revisions", the
//     CLI's location for a URL that is not bound to one schema (no
//     search_path), which is how nutrigraph connects;
//   - SQLite: "atlas_schema_revisions" in the main database.
const (
	revisionsTable  = "atlas_schema_revisions"
	revisionsSchema = "atlas_schema_revisions" // PostgreSQL only
)

// sqliteTimeFormat is how SQLite datetime values are written (the format
// modernc.org/sqlite uses with _time_format=sqlite, and the atlas CLI's).
const sqliteTimeFormat = "2006-01-02 15:04:05.999999999-07:00"

// revisions implements migrate.RevisionReadWriter over one connection or
// transaction.
type revisions struct {
	q       schema.ExecQuerier
	dialect string
}

var _ migrate.RevisionReadWriter = (*revisions)(nil)

// Ident implements migrate.RevisionReadWriter.
func (r *revisions) Ident() *migrate.TableIdent {
	if r.dialect == Postgres {
		return &migrate.TableIdent{Schema: revisionsSchema, Name: revisionsTable}
	}
	return &migrate.TableIdent{Name: revisionsTable}
}

func (r *revisions) table() string {
	if r.dialect == Postgres {
		return `"` + revisionsSchema + `"."` + revisionsTable + `"`
	}
	return "`" + revisionsTable + "`"
}

// ph returns the n-th (1-based) bind placeholder of the dialect.
func (r *revisions) ph(n int) string {
	if r.dialect == Postgres {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// init creates the revisions table if it does not exist (same columns and
// types as the atlas CLI's).
func (r *revisions) init(ctx context.Context) error {
	var stmts []string
	switch r.dialect {
	case Postgres:
		stmts = []string{
			`CREATE SCHEMA IF NOT EXISTS "` + revisionsSchema + `"`,
			`CREATE TABLE IF NOT EXISTS ` + r.table() + ` (` +
				`"version" character varying NOT NULL, ` +
				`"description" character varying NOT NULL, ` +
				`"type" bigint NOT NULL DEFAULT 2, ` +
				`"applied" bigint NOT NULL DEFAULT 0, ` +
				`"total" bigint NOT NULL DEFAULT 0, ` +
				`"executed_at" timestamptz NOT NULL, ` +
				`"execution_time" bigint NOT NULL, ` +
				`"error" text NULL, ` +
				`"error_stmt" text NULL, ` +
				`"hash" character varying NOT NULL, ` +
				`"partial_hashes" jsonb NULL, ` +
				`"operator_version" character varying NOT NULL, ` +
				`PRIMARY KEY ("version"))`,
		}
	default:
		stmts = []string{
			"CREATE TABLE IF NOT EXISTS " + r.table() + " (" +
				"`version` text NOT NULL, " +
				"`description` text NOT NULL, " +
				"`type` integer NOT NULL DEFAULT 2, " +
				"`applied` integer NOT NULL DEFAULT 0, " +
				"`total` integer NOT NULL DEFAULT 0, " +
				"`executed_at` datetime NOT NULL, " +
				"`execution_time` integer NOT NULL, " +
				"`error` text NULL, " +
				"`error_stmt` text NULL, " +
				"`hash` text NOT NULL, " +
				"`partial_hashes` json NULL, " +
				"`operator_version` text NOT NULL, " +
				"PRIMARY KEY (`version`))",
		}
	}
	for _, s := range stmts {
		if _, err := r.q.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("create revisions table: %w", err)
		}
	}
	return nil
}

// exists reports whether the revisions table exists.
func (r *revisions) exists(ctx context.Context) (bool, error) {
	var q string
	switch r.dialect {
	case Postgres:
		q = `SELECT to_regclass('"` + revisionsSchema + `"."` + revisionsTable + `"') IS NOT NULL`
	default:
		q = `SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = '` + revisionsTable + `'`
	}
	rows, err := r.q.QueryContext(ctx, q)
	if err != nil {
		return false, fmt.Errorf("look for revisions table: %w", err)
	}
	defer rows.Close()
	var ok bool
	if rows.Next() {
		if err := rows.Scan(&ok); err != nil {
			return false, err
		}
	}
	return ok, rows.Err()
}

const revisionColumns = "version, description, type, applied, total, executed_at, execution_time, error, error_stmt, hash, partial_hashes, operator_version"

// ReadRevisions implements migrate.RevisionReadWriter. A missing table means
// no revisions.
func (r *revisions) ReadRevisions(ctx context.Context) ([]*migrate.Revision, error) {
	ok, err := r.exists(ctx)
	if err != nil || !ok {
		return nil, err
	}
	return r.query(ctx, "SELECT "+revisionColumns+" FROM "+r.table()+" ORDER BY version")
}

// ReadRevision implements migrate.RevisionReadWriter.
func (r *revisions) ReadRevision(ctx context.Context, version string) (*migrate.Revision, error) {
	ok, err := r.exists(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, migrate.ErrRevisionNotExist
	}
	revs, err := r.query(ctx, "SELECT "+revisionColumns+" FROM "+r.table()+" WHERE version = "+r.ph(1), version)
	if err != nil {
		return nil, err
	}
	if len(revs) == 0 {
		return nil, migrate.ErrRevisionNotExist
	}
	return revs[0], nil
}

func (r *revisions) query(ctx context.Context, q string, args ...any) ([]*migrate.Revision, error) {
	rows, err := r.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read revisions: %w", err)
	}
	defer rows.Close()
	var revs []*migrate.Revision
	for rows.Next() {
		var (
			rev                         migrate.Revision
			typ, applied, total, execNS int64
			executedAt                  any
			errText, errStmt, partial   sql.NullString
		)
		if err := rows.Scan(&rev.Version, &rev.Description, &typ, &applied, &total, &executedAt, &execNS,
			&errText, &errStmt, &rev.Hash, &partial, &rev.OperatorVersion); err != nil {
			return nil, fmt.Errorf("read revisions: %w", err)
		}
		rev.Type = migrate.RevisionType(typ)
		rev.Applied, rev.Total = int(applied), int(total)
		rev.ExecutionTime = time.Duration(execNS)
		rev.Error, rev.ErrorStmt = errText.String, errStmt.String
		if rev.ExecutedAt, err = parseTime(executedAt); err != nil {
			return nil, fmt.Errorf("read revision %s: executed_at: %w", rev.Version, err)
		}
		if partial.Valid && partial.String != "" && partial.String != "null" {
			if err := json.Unmarshal([]byte(partial.String), &rev.PartialHashes); err != nil {
				return nil, fmt.Errorf("read revision %s: partial_hashes: %w", rev.Version, err)
			}
		}
		revs = append(revs, &rev)
	}
	return revs, rows.Err()
}

// parseTime reads a datetime column: time.Time from PostgreSQL (and from
// modernc.org/sqlite for datetime columns), text otherwise.
func parseTime(v any) (time.Time, error) {
	switch v := v.(type) {
	case time.Time:
		return v, nil
	case []byte:
		return parseTime(string(v))
	case string:
		for _, layout := range []string{sqliteTimeFormat, time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
			if t, err := time.Parse(layout, v); err == nil {
				return t, nil
			}
		}
		return time.Time{}, fmt.Errorf("unrecognised time %q", v)
	case nil:
		return time.Time{}, nil
	}
	return time.Time{}, fmt.Errorf("unexpected type %T", v)
}

// WriteRevision implements migrate.RevisionReadWriter (insert or update).
func (r *revisions) WriteRevision(ctx context.Context, rev *migrate.Revision) error {
	var partial any
	if len(rev.PartialHashes) > 0 {
		b, err := json.Marshal(rev.PartialHashes)
		if err != nil {
			return err
		}
		partial = string(b)
	}
	var executedAt any = rev.ExecutedAt.UTC()
	if r.dialect == SQLite {
		executedAt = rev.ExecutedAt.UTC().Format(sqliteTimeFormat)
	}
	cols := strings.Split(revisionColumns, ", ")
	phs := make([]string, len(cols))
	sets := make([]string, 0, len(cols)-1)
	for i, c := range cols {
		phs[i] = r.ph(i + 1)
		if i > 0 {
			sets = append(sets, c+" = excluded."+c)
		}
	}
	q := "INSERT INTO " + r.table() + " (" + revisionColumns + ") VALUES (" + strings.Join(phs, ", ") +
		") ON CONFLICT (version) DO UPDATE SET " + strings.Join(sets, ", ")
	_, err := r.q.ExecContext(ctx, q,
		rev.Version, rev.Description, int64(rev.Type), rev.Applied, rev.Total, executedAt,
		int64(rev.ExecutionTime), nullString(rev.Error), nullString(rev.ErrorStmt), rev.Hash, partial, rev.OperatorVersion)
	if err != nil {
		return fmt.Errorf("write revision %s: %w", rev.Version, err)
	}
	return nil
}

// DeleteRevision implements migrate.RevisionReadWriter.
func (r *revisions) DeleteRevision(ctx context.Context, version string) error {
	_, err := r.q.ExecContext(ctx, "DELETE FROM "+r.table()+" WHERE version = "+r.ph(1), version)
	return err
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// checkAppliedHashes compares the hash stored for every fully applied
// revision with the hash of the same file in dir (from its atlas.sum, which
// migrate.Validate has checked against the files). The atlas executor does
// not re-hash applied files, so an applied migration edited afterwards would
// otherwise go unnoticed.
func checkAppliedHashes(revs []*migrate.Revision, dir migrate.Dir, label string) error {
	sum, err := dir.Checksum()
	if err != nil {
		return err
	}
	files, err := dir.Files()
	if err != nil {
		return err
	}
	byVersion := make(map[string]migrate.File, len(files))
	for _, f := range files {
		byVersion[f.Version()] = f
	}
	for _, rev := range revs {
		if !rev.Type.Has(migrate.RevisionTypeExecute) || rev.Applied != rev.Total {
			continue // baseline or partially applied revisions carry no comparable hash
		}
		f, ok := byVersion[rev.Version]
		if !ok {
			return fmt.Errorf("%s: migration %s_%s.sql is recorded as applied in the database but missing from the migration directory (is this binary older than the database?)", label, rev.Version, rev.Description)
		}
		h, err := sum.SumByName(f.Name())
		if err != nil {
			return fmt.Errorf("%s: %s: %w", label, f.Name(), err)
		}
		if h != rev.Hash {
			return fmt.Errorf("%s: migration file %s was changed after it was applied to this database (stored hash %s, file hash %s); restore the applied version and add a new migration instead", label, f.Name(), rev.Hash, h)
		}
	}
	return nil
}
