package migrate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"ariga.io/atlas/sql/migrate"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"

	entmigrate "nutrigraph/ent/migrate"
)

// versionFormatter is atlas's DefaultFormatter (Atlas file format) with a
// fixed version, so that one `migrate diff` gives the files of both dialects
// the same version.
type versionFormatter struct{ version string }

func (f versionFormatter) Format(p *migrate.Plan) ([]migrate.File, error) {
	pp := *p
	if pp.Version == "" {
		pp.Version = f.version
	}
	return migrate.DefaultFormatter.Format(&pp)
}

// nextVersion returns a version (UTC timestamp) later than every file of the
// directories, so that a new file always sorts last.
func nextVersion(dirs ...migrate.Dir) (string, error) {
	v := time.Now().UTC()
	for _, d := range dirs {
		files, err := d.Files()
		if err != nil {
			return "", err
		}
		if len(files) == 0 {
			continue
		}
		last, err := time.Parse("20060102150405", files[len(files)-1].Version())
		if err != nil {
			continue // not a timestamp version: nothing to compare with
		}
		if !v.After(last) {
			v = last.Add(time.Second)
		}
	}
	return v.Format("20060102150405"), nil
}

// planDiff writes into dir a migration file named name with the changes
// between the state of dir (replayed on a clean dev database) and the ent
// schemas. It returns migrate.ErrNoPlan when there is nothing to do.
func planDiff(ctx context.Context, dialect string, dir migrate.Dir, name, version, devServerURL string) error {
	dev, err := openDevDB(ctx, dialect, devServerURL)
	if err != nil {
		return err
	}
	defer dev.close()
	relaxSoftDeleteUniques()
	s := entmigrate.NewSchema(entsql.OpenDB(dialect, dev.SQL))
	return s.NamedDiff(ctx, name,
		schema.WithDir(dir),
		schema.WithMigrationMode(schema.ModeReplay),
		schema.WithDialect(dialect),
		schema.WithFormatter(versionFormatter{version: version}),
		schema.WithErrNoPlan(true),
		schema.WithDropColumn(true),
		schema.WithDropIndex(true),
	)
}

// newFiles returns the files of after that are not in before.
func newFiles(before, after migrate.Dir) ([]migrate.File, error) {
	old, err := before.Files()
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(old))
	for _, f := range old {
		seen[f.Name()] = true
	}
	all, err := after.Files()
	if err != nil {
		return nil, err
	}
	var added []migrate.File
	for _, f := range all {
		if !seen[f.Name()] {
			added = append(added, f)
		}
	}
	return added, nil
}

// diffResult is the outcome of a diff for one dialect.
type diffResult struct {
	Dialect string
	Files   []migrate.File // the new files; none when the schemas and migrations agree
}

// runDiff plans a migration named name for each dialect. With check, it plans
// into an in-memory copy of each directory and leaves the directories
// untouched; otherwise the new files (and atlas.sum) are written to disk.
func runDiff(ctx context.Context, root string, ds []string, name string, check bool, devServerURL string) ([]diffResult, error) {
	dirs := make([]*migrate.LocalDir, len(ds))
	for i, d := range ds {
		dir, err := openLocalDir(dialectDir(root, d))
		if err != nil {
			return nil, err
		}
		if err := validateDir(dir, dir.Path()); err != nil {
			return nil, err
		}
		dirs[i] = dir
	}
	all := make([]migrate.Dir, len(dirs))
	for i := range dirs {
		all[i] = dirs[i]
	}
	version, err := nextVersion(all...)
	if err != nil {
		return nil, err
	}
	var results []diffResult
	for i, d := range ds {
		// Always plan into a copy: a failed plan leaves no half-written file
		// behind, and --check never touches the directory.
		mem, err := copyDir(dirs[i])
		if err != nil {
			return nil, err
		}
		err = planDiff(ctx, d, mem, name, version, devServerURL)
		switch {
		case errors.Is(err, migrate.ErrNoPlan):
			results = append(results, diffResult{Dialect: d})
			continue
		case err != nil:
			return results, fmt.Errorf("%s: %w", dirs[i].Path(), err)
		}
		added, err := newFiles(dirs[i], mem)
		if err != nil {
			return results, err
		}
		if !check {
			for _, f := range added {
				if err := dirs[i].WriteFile(f.Name(), f.Bytes()); err != nil {
					return results, err
				}
			}
			sum, err := readFile(mem, migrate.HashFileName)
			if err != nil {
				return results, err
			}
			if err := dirs[i].WriteFile(migrate.HashFileName, sum); err != nil {
				return results, err
			}
		}
		results = append(results, diffResult{Dialect: d, Files: added})
	}
	return results, nil
}
