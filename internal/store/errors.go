package store

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"

	"entgo.io/ent/dialect/sql/schema"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
	"modernc.org/sqlite"

	"nutrigraph/ent"
	"nutrigraph/ent/migrate"
	"nutrigraph/ent/privacy"
	"nutrigraph/internal/nutrition"
)

// Translate turns an error of ent or of a database driver into a domain
// error (*nutrition.Error), so that no SQL text or driver message reaches a
// client:
//
//   - nil → nil; an error that already carries a domain code, and a canceled
//     or timed-out context, pass through unchanged;
//   - ent not-found, sql.ErrNoRows and a privacy denial → NOT_FOUND (another
//     user's row answers exactly like a row that does not exist);
//   - unique violation → CONFLICT with the field of the unique index;
//   - foreign-key violation → NOT_FOUND: the referenced row is missing (the
//     field is known on PostgreSQL only: SQLite does not name the key);
//   - not-null and check violations, values out of range and ent validation
//     errors → BAD_USER_INPUT with the field;
//   - anything else → INTERNAL, whose message is generic; the original error
//     is kept as the cause for logs.
//
// Field names are the GraphQL names of the ent fields (lower camel case, "id"
// as "ID": local_date → localDate, user_id → userID). For a unique index over
// several columns the field is the last column, the most specific one
// (user_id, local_date → localDate).
func Translate(err error) error {
	if err == nil {
		return nil
	}
	var de *nutrition.Error
	if errors.As(err, &de) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if errors.Is(err, privacy.Deny) {
		return wrap(nutrition.NotFound("item"), err)
	}
	var nf *ent.NotFoundError
	if errors.As(err, &nf) {
		label := strings.TrimSuffix(strings.TrimPrefix(nf.Error(), "ent: "), " not found")
		return wrap(nutrition.NotFound(words(label)), err)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return wrap(nutrition.NotFound("item"), err)
	}
	var ve *ent.ValidationError
	if errors.As(err, &ve) {
		return wrap(nutrition.Invalid(FieldName(ve.Name), "%s is invalid", words(ve.Name)), err)
	}
	if v, ok := classify(err); ok {
		return wrap(v.domain(), err)
	}
	if ent.IsConstraintError(err) {
		return wrap(nutrition.Conflict("", "the change conflicts with existing data"), err)
	}
	return &nutrition.Error{Code: nutrition.CodeInternal, Message: "internal error", Err: err}
}

// wrap keeps err as the cause of e, for logs.
func wrap(e *nutrition.Error, err error) *nutrition.Error {
	e.Err = err
	return e
}

// violationKind is the kind of constraint a database reported as violated.
type violationKind int

const (
	unique violationKind = iota + 1
	foreignKey
	notNull
	check
	badValue
)

// violation is a constraint violation as the database reported it.
type violation struct {
	kind       violationKind
	table      string   // SQL table, when known
	constraint string   // constraint or index name, when known (PostgreSQL)
	columns    []string // columns, when known
}

// classify recognizes a constraint violation in err: from the typed error
// of lib/pq or modernc.org/sqlite, or from the message text of any driver
// (ent's ConstraintError keeps the driver's message).
func classify(err error) (violation, bool) {
	var pe *pq.Error
	if errors.As(err, &pe) {
		return classifyPostgres(pe)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		if v, ok := classifySQLite(se.Code(), se.Error()); ok {
			return v, true
		}
	}
	// No typed error (another driver or a message-only wrapper): read the text.
	if v, ok := classifySQLite(0, err.Error()); ok {
		return v, true
	}
	return classifyPostgresText(err.Error())
}

// SQLite extended result codes (https://sqlite.org/rescode.html).
const (
	sqliteConstraint           = 19
	sqliteConstraintCheck      = 275
	sqliteConstraintForeignKey = 787
	sqliteConstraintNotNull    = 1299
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
)

var (
	sqliteUniqueMsg  = regexp.MustCompile(`UNIQUE constraint failed: ([^()]+?)(?: \(\d+\))?$`)
	sqliteNotNullMsg = regexp.MustCompile(`NOT NULL constraint failed: ([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)`)
	sqliteCheckMsg   = regexp.MustCompile(`CHECK constraint failed: ([A-Za-z0-9_]+)`)
)

// classifySQLite reads a SQLite constraint error from its extended code and
// message. code 0 means unknown: the message alone decides.
func classifySQLite(code int, msg string) (violation, bool) {
	switch {
	case code == sqliteConstraintUnique || code == sqliteConstraintPrimaryKey ||
		(code == 0 || code == sqliteConstraint) && strings.Contains(msg, "UNIQUE constraint failed"):
		v := violation{kind: unique}
		if m := sqliteUniqueMsg.FindStringSubmatch(msg); m != nil {
			// "users.email" or "daily_nutritions.user_id, daily_nutritions.local_date";
			// an index on expressions is reported as "index 'name'".
			for _, part := range strings.Split(m[1], ", ") {
				if name, ok := strings.CutPrefix(part, "index "); ok {
					v.constraint = strings.Trim(name, `'"`)
					continue
				}
				table, col, ok := strings.Cut(part, ".")
				if !ok {
					continue
				}
				v.table = table
				v.columns = append(v.columns, col)
			}
		}
		return v, true
	case code == sqliteConstraintForeignKey ||
		(code == 0 || code == sqliteConstraint) && strings.Contains(msg, "FOREIGN KEY constraint failed"):
		return violation{kind: foreignKey}, true
	case code == sqliteConstraintNotNull ||
		(code == 0 || code == sqliteConstraint) && strings.Contains(msg, "NOT NULL constraint failed"):
		v := violation{kind: notNull}
		if m := sqliteNotNullMsg.FindStringSubmatch(msg); m != nil {
			v.table, v.columns = m[1], []string{m[2]}
		}
		return v, true
	case code == sqliteConstraintCheck ||
		(code == 0 || code == sqliteConstraint) && strings.Contains(msg, "CHECK constraint failed"):
		v := violation{kind: check}
		if m := sqliteCheckMsg.FindStringSubmatch(msg); m != nil {
			v.constraint = m[1]
		}
		return v, true
	}
	return violation{}, false
}

// keyColumns reads the column list of a PostgreSQL detail such as
// "Key (user_id, local_date)=(…) already exists." The values are never used.
var keyColumns = regexp.MustCompile(`^Key \(([^)]*)\)=`)

// classifyPostgres reads a PostgreSQL error by its SQLSTATE code.
func classifyPostgres(pe *pq.Error) (violation, bool) {
	v := violation{table: pe.Table, constraint: pe.Constraint}
	if pe.Column != "" {
		v.columns = []string{pe.Column}
	} else if m := keyColumns.FindStringSubmatch(pe.Detail); m != nil {
		v.columns = strings.Split(m[1], ", ")
	}
	switch pe.Code {
	case pqerror.UniqueViolation:
		v.kind = unique
	case pqerror.ForeignKeyViolation:
		v.kind = foreignKey
	case pqerror.NotNullViolation:
		v.kind = notNull
	case pqerror.CheckViolation:
		v.kind = check
	case pqerror.StringDataRightTruncation, pqerror.NumericValueOutOfRange,
		pqerror.InvalidTextRepresentation, pqerror.InvalidDatetimeFormat, pqerror.DatetimeFieldOverflow,
		// A NUL character (or another byte PostgreSQL's UTF-8 text refuses)
		// in a user's text: their mistake, not the server's.
		pqerror.CharacterNotInRepertoire, pqerror.UntranslatableCharacter:
		v.kind = badValue
	default:
		return violation{}, false
	}
	return v, true
}

var (
	pgUniqueMsg = regexp.MustCompile(`duplicate key value violates unique constraint "([^"]+)"`)
	pgFKMsg     = regexp.MustCompile(`violates foreign key constraint "([^"]+)"`)
	pgNotNull   = regexp.MustCompile(`null value in column "([^"]+)"`)
	pgCheckMsg  = regexp.MustCompile(`violates check constraint "([^"]+)"`)
)

// classifyPostgresText reads a PostgreSQL violation from a message only.
func classifyPostgresText(msg string) (violation, bool) {
	if m := pgUniqueMsg.FindStringSubmatch(msg); m != nil {
		return violation{kind: unique, constraint: m[1]}, true
	}
	if m := pgFKMsg.FindStringSubmatch(msg); m != nil {
		return violation{kind: foreignKey, constraint: m[1]}, true
	}
	if m := pgNotNull.FindStringSubmatch(msg); m != nil {
		return violation{kind: notNull, columns: []string{m[1]}}, true
	}
	if m := pgCheckMsg.FindStringSubmatch(msg); m != nil {
		return violation{kind: check, constraint: m[1]}, true
	}
	return violation{}, false
}

// domain returns the domain error of the violation.
func (v violation) domain() *nutrition.Error {
	switch v.kind {
	case unique:
		return v.conflict()
	case foreignKey:
		col := v.foreignKeyColumn()
		if col == "" {
			return nutrition.NotFound("referenced item")
		}
		e := nutrition.NotFound(words(strings.TrimSuffix(col, "_id")))
		e.Field = FieldName(col)
		return e
	case notNull:
		if len(v.columns) == 0 {
			return nutrition.Invalid("", "a required value is missing")
		}
		col := v.columns[len(v.columns)-1]
		return nutrition.Invalid(FieldName(col), "%s is required", words(col))
	case check:
		col := v.checkColumn()
		if col == "" {
			return nutrition.Invalid("", "a value is out of range")
		}
		return nutrition.Invalid(FieldName(col), "%s is out of range", words(col))
	default:
		return nutrition.Invalid("", "a value is invalid or too long")
	}
}

// conflictOverrides name the field and message of unique indexes whose
// columns alone would not say what conflicts.
var conflictOverrides = map[string]struct{ field, message string }{
	"target_one_active_per_user": {"active", "the user already has an active target"},
}

// conflict returns the CONFLICT error of a unique violation.
func (v violation) conflict() *nutrition.Error {
	idx := uniqueIndex(v)
	if idx != nil {
		if o, ok := conflictOverrides[idx.Name]; ok {
			return nutrition.Conflict(o.field, "%s", o.message)
		}
		v.columns = v.columns[:0]
		for _, c := range idx.Columns {
			v.columns = append(v.columns, c.Name)
		}
	} else if o, ok := conflictOverrides[v.constraint]; ok {
		return nutrition.Conflict(o.field, "%s", o.message)
	}
	if len(v.columns) == 0 {
		v.columns = columnsFromIndexName(v.table, v.constraint)
	}
	if len(v.columns) == 0 {
		return nutrition.Conflict("", "the change conflicts with existing data")
	}
	col := v.columns[len(v.columns)-1]
	what := "item"
	if l, ok := labelOf(v.table); ok {
		what = l
	}
	if len(v.columns) == 1 && col == "user_id" {
		return nutrition.Conflict(FieldName(col), "the user already has a %s", what)
	}
	return nutrition.Conflict(FieldName(col), "another %s has the same %s", what, words(col))
}

// uniqueIndex finds the unique index of a violation in the ent schema: by
// name (PostgreSQL) or by table and columns (SQLite).
func uniqueIndex(v violation) *schema.Index {
	for _, t := range migrate.Tables {
		if v.table != "" && t.Name != v.table {
			continue
		}
		for _, idx := range t.Indexes {
			if !idx.Unique {
				continue
			}
			if v.constraint != "" {
				if idx.Name == v.constraint {
					return idx
				}
				continue
			}
			if v.table != "" && sameColumns(idx.Columns, v.columns) {
				return idx
			}
		}
	}
	return nil
}

func sameColumns(cols []*schema.Column, names []string) bool {
	if len(cols) != len(names) {
		return false
	}
	for i, c := range cols {
		if c.Name != names[i] {
			return false
		}
	}
	return true
}

// columnsFromIndexName guesses the columns of an index that is not in the
// ent schema, from the way ent names indexes: "<type>_<col>_<col>"
// (e.g. dailynutrition_user_id_local_date).
func columnsFromIndexName(table, name string) []string {
	// PostgreSQL names a column's own UNIQUE constraint "<table>_<col>_key".
	if table != "" {
		if rest, ok := strings.CutPrefix(strings.TrimSuffix(name, "_key"), table+"_"); ok {
			if t := tableNamed(table); t != nil {
				if cols := matchColumns(t, rest); cols != nil {
					return cols
				}
			}
		}
	}
	typ, rest, ok := strings.Cut(name, "_")
	if !ok {
		return nil
	}
	for _, t := range migrate.Tables {
		if table != "" && t.Name != table {
			continue
		}
		if table == "" && !strings.HasPrefix(strings.ReplaceAll(t.Name, "_", ""), typ) {
			continue
		}
		if cols := matchColumns(t, rest); cols != nil {
			return cols
		}
	}
	return nil
}

// tableNamed returns the ent schema table named name, or nil.
func tableNamed(name string) *schema.Table {
	for _, t := range migrate.Tables {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// matchColumns splits s ("user_id_local_date") into columns of t, or nil.
func matchColumns(t *schema.Table, s string) []string {
	if s == "" {
		return nil
	}
	for _, c := range t.Columns {
		if s == c.Name {
			return []string{c.Name}
		}
		if rest, ok := strings.CutPrefix(s, c.Name+"_"); ok {
			if more := matchColumns(t, rest); more != nil {
				return append([]string{c.Name}, more...)
			}
		}
	}
	return nil
}

// foreignKeyColumn returns the referencing column of a foreign-key violation.
func (v violation) foreignKeyColumn() string {
	if v.constraint != "" {
		for _, t := range migrate.Tables {
			for _, fk := range t.ForeignKeys {
				if fk.Symbol == v.constraint && len(fk.Columns) > 0 {
					return fk.Columns[len(fk.Columns)-1].Name
				}
			}
		}
	}
	if len(v.columns) > 0 {
		return v.columns[len(v.columns)-1]
	}
	return ""
}

// checkColumn returns the column of a check violation: the column the
// database named, else a column of the table whose name ends the constraint
// name (PostgreSQL names them "<table>_<column>_check").
func (v violation) checkColumn() string {
	if len(v.columns) > 0 {
		return v.columns[len(v.columns)-1]
	}
	name := strings.TrimSuffix(v.constraint, "_check")
	if v.table != "" && name != v.constraint {
		if col, ok := strings.CutPrefix(name, v.table+"_"); ok {
			return col
		}
	}
	best := ""
	for _, t := range migrate.Tables {
		if v.table != "" && t.Name != v.table {
			continue
		}
		for _, c := range t.Columns {
			if (name == c.Name || strings.HasSuffix(name, "_"+c.Name)) && len(c.Name) > len(best) {
				best = c.Name
			}
		}
	}
	return best
}

// labelOf returns the singular, human name of a table ("daily_nutritions" →
// "daily nutrition").
func labelOf(table string) (string, bool) {
	l, ok := labels[table]
	return l, ok
}

// FieldName returns the GraphQL name of an ent field or column, the way
// entgql names it: lower camel case with the initialisms ent knows upper-cased
// (email → email, local_date → localDate, user_id → userID).
func FieldName(column string) string {
	parts := strings.Split(column, "_")
	var b strings.Builder
	for i, p := range parts {
		if p == "" {
			continue
		}
		if i == 0 {
			b.WriteString(strings.ToLower(p))
			continue
		}
		if up := strings.ToUpper(p); initialisms[up] {
			b.WriteString(up)
			continue
		}
		b.WriteString(strings.ToUpper(p[:1]) + p[1:])
	}
	return b.String()
}

// initialisms are the words ent's code generator writes in capitals.
var initialisms = map[string]bool{
	"ACL": true, "API": true, "ASCII": true, "AWS": true, "CPU": true, "CSS": true,
	"DNS": true, "EOF": true, "GB": true, "GUID": true, "HCL": true, "HTML": true,
	"HTTP": true, "HTTPS": true, "ID": true, "IP": true, "JSON": true, "KB": true,
	"LHS": true, "MAC": true, "MB": true, "QPS": true, "RAM": true, "RHS": true,
	"RPC": true, "SLA": true, "SMTP": true, "SQL": true, "SSH": true, "SSO": true,
	"TCP": true, "TLS": true, "TTL": true, "UDP": true, "UI": true, "UID": true,
	"URI": true, "URL": true, "UTF8": true, "UUID": true, "VM": true, "XML": true,
	"XMPP": true, "XSRF": true, "XSS": true,
}

// words turns an identifier into words for a message ("local_date" → "local date").
func words(s string) string { return strings.ReplaceAll(s, "_", " ") }
