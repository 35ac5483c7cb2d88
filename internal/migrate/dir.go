package migrate

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"

	"nutrigraph/migrations"
)

// Dialect names, as ent and atlas spell them.
const (
	Postgres = dialect.Postgres // "postgres"
	SQLite   = dialect.SQLite   // "sqlite3"
)

// DefaultDir is the migrations root relative to the repository root; it holds
// one directory per dialect (postgres/, sqlite/).
const DefaultDir = "migrations"

// allDialects is the order in which commands handle both dialects.
var allDialects = []string{Postgres, SQLite}

// parseDialect accepts the spellings people use and returns the dialect name.
func parseDialect(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "postgres", "postgresql", "pg":
		return Postgres, nil
	case "sqlite", "sqlite3":
		return SQLite, nil
	}
	return "", fmt.Errorf("unknown dialect %q: use postgres or sqlite", s)
}

// dialects turns a --dialect flag value into the list of dialects to handle.
func dialects(flag string) ([]string, error) {
	if flag == "" {
		return allDialects, nil
	}
	d, err := parseDialect(flag)
	if err != nil {
		return nil, err
	}
	return []string{d}, nil
}

// dialectDir is the directory of a dialect under the migrations root.
func dialectDir(root, d string) string {
	name, err := migrations.DirName(d)
	if err != nil {
		panic(err) // d comes from parseDialect
	}
	return filepath.Join(root, name)
}

// EmbeddedDir returns the migrations of a dialect that are compiled into the
// binary, as an in-memory Atlas directory holding every .sql file and the
// committed atlas.sum exactly as they are (the sum is not recomputed, so
// migrate.Validate detects a tampered file).
func EmbeddedDir(d string) (*migrate.MemDir, error) {
	fsys, err := migrations.Dir(d)
	if err != nil {
		return nil, err
	}
	return memDirFromFS(fsys, ".")
}

// memDirFromFS copies the .sql files and atlas.sum of dir in fsys into a new
// MemDir, byte for byte.
func memDirFromFS(fsys fs.FS, dir string) (*migrate.MemDir, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	mem := &migrate.MemDir{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || (name != migrate.HashFileName && path.Ext(name) != ".sql") {
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		if err := mem.WriteFile(name, b); err != nil {
			return nil, err
		}
	}
	return mem, nil
}

// copyDir copies a migration directory into a new MemDir, byte for byte
// (atlas.sum included, not recomputed).
func copyDir(src migrate.Dir) (*migrate.MemDir, error) {
	files, err := src.Files()
	if err != nil {
		return nil, err
	}
	mem := &migrate.MemDir{}
	for _, f := range files {
		if err := mem.WriteFile(f.Name(), f.Bytes()); err != nil {
			return nil, err
		}
	}
	switch sum, err := readFile(src, migrate.HashFileName); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		if err := mem.WriteFile(migrate.HashFileName, sum); err != nil {
			return nil, err
		}
	}
	return mem, nil
}

func readFile(dir migrate.Dir, name string) ([]byte, error) {
	f, err := dir.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// openLocalDir opens an existing migration directory on disk.
func openLocalDir(p string) (*migrate.LocalDir, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("migration directory %s: %w", p, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("migration directory %s: not a directory", p)
	}
	return migrate.NewLocalDir(p)
}

// validateDir checks a migration directory against its atlas.sum and turns
// atlas's errors into messages that name the offending file. label names the
// directory in the message (a path, or "embedded postgres migrations").
func validateDir(dir migrate.Dir, label string) error {
	err := migrate.Validate(dir)
	if err == nil {
		return nil
	}
	var cerr *migrate.ChecksumError
	switch {
	case errors.As(err, &cerr):
		switch cerr.Reason {
		case migrate.ReasonEdited:
			return fmt.Errorf("%s: migration file %s was modified after atlas.sum was written (checksum mismatch, atlas.sum line %d); never edit an applied migration, add a new one", label, cerr.File, cerr.Line)
		case migrate.ReasonRemoved:
			return fmt.Errorf("%s: migration file %s is listed in atlas.sum but missing", label, cerr.File)
		case migrate.ReasonAdded:
			return fmt.Errorf("%s: migration file %s is not in atlas.sum (added by hand?); generate migrations with `migrate diff`", label, cerr.File)
		default:
			return fmt.Errorf("%s: migration file %s does not match atlas.sum", label, cerr.File)
		}
	case errors.Is(err, migrate.ErrChecksumMismatch):
		// Returned while reading atlas.sum: its header does not sum its lines.
		return fmt.Errorf("%s: %s was modified by hand (its total checksum does not match its lines)", label, migrate.HashFileName)
	case errors.Is(err, migrate.ErrChecksumFormat):
		return fmt.Errorf("%s: %s is malformed", label, migrate.HashFileName)
	case errors.Is(err, migrate.ErrChecksumNotFound):
		return fmt.Errorf("%s: %s is missing", label, migrate.HashFileName)
	}
	return fmt.Errorf("%s: %w", label, err)
}
