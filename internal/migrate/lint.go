package migrate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlcheck"
	"ariga.io/atlas/sql/sqlclient"

	// Register the dialects' analyzers for sqlcheck.AnalyzerFor.
	_ "ariga.io/atlas/sql/postgres/postgrescheck"
	_ "ariga.io/atlas/sql/sqlite/sqlitecheck"
)

// lintFinding is one diagnostic of an analyzer.
type lintFinding struct {
	File      string // path of the migration file
	Line      int    // line of the statement
	Stmt      int    // 1-based statement number in the file
	Code      string // e.g. DS103
	Analyzer  string // e.g. destructive
	Text      string
	Error     bool // the analyzer treats its findings as errors
	Statement string
}

func (f lintFinding) String() string {
	level := "warning"
	if f.Error {
		level = "error"
	}
	code := f.Code
	if code == "" {
		code = f.Analyzer
	}
	return fmt.Sprintf("%s:%d: statement %d: %s %s: %s [%s] (%s)", f.File, f.Line, f.Stmt, level, code, f.Text, f.Analyzer, oneLine(f.Statement))
}

// selectFiles picks the files of a directory to lint.
type selectFiles func(dirPath string, files []migrate.File) ([]migrate.File, error)

// latestFiles selects the last n files.
func latestFiles(n int) selectFiles {
	return func(_ string, files []migrate.File) ([]migrate.File, error) {
		if n > len(files) {
			n = len(files)
		}
		return files[len(files)-n:], nil
	}
}

// filesSince selects the files that do not exist at the git revision base.
func filesSince(ctx context.Context, base string) selectFiles {
	return func(dirPath string, files []migrate.File) ([]migrate.File, error) {
		var added []migrate.File
		for _, f := range files {
			// "./" makes the path relative to the working directory.
			p := "./" + filepath.ToSlash(filepath.Join(dirPath, f.Name()))
			cmd := exec.CommandContext(ctx, "git", "cat-file", "-e", base+":"+p)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil {
				var ee *exec.ExitError
				if !errors.As(err, &ee) {
					return nil, fmt.Errorf("git: %w", err)
				}
				added = append(added, f)
			}
		}
		return added, nil
	}
}

// checkGitRef fails unless ref names a commit of the repository.
func checkGitRef(ctx context.Context, ref string) error {
	out, err := exec.CommandContext(ctx, "git", "rev-parse", "--verify", "--quiet", ref+"^{commit}").CombinedOutput()
	if err != nil {
		return fmt.Errorf("lint --base %s: not a git revision here (%s)", ref, strings.TrimSpace(string(out)+" "+err.Error()))
	}
	return nil
}

// lintDir replays the files of dir on a clean dev database and analyzes the
// selected ones, statement by statement. It returns the findings; hasErr
// reports an error-level finding.
func lintDir(ctx context.Context, dialect string, dirPath string, dir migrate.Dir, sel selectFiles, devServerURL string) (findings []lintFinding, linted []string, err error) {
	if err := validateDir(dir, dirPath); err != nil {
		return nil, nil, err
	}
	files, err := dir.Files()
	if err != nil {
		return nil, nil, err
	}
	selected, err := sel(dirPath, files)
	if err != nil {
		return nil, nil, err
	}
	if len(selected) == 0 {
		return nil, nil, nil
	}
	isNew := make(map[string]bool, len(selected))
	for _, f := range selected {
		isNew[f.Name()] = true
	}
	dev, err := openDevDB(ctx, dialect, devServerURL)
	if err != nil {
		return nil, nil, err
	}
	defer dev.close()
	drv, err := atlasDriver(dialect, dev.SQL)
	if err != nil {
		return nil, nil, err
	}
	client := &sqlclient.Client{Name: dialect, DB: dev.SQL, Driver: drv}
	for _, f := range files {
		stmts, err := migrate.FileStmtDecls(drv, f)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", f.Name(), err)
		}
		path := filepath.Join(dirPath, f.Name())
		if !isNew[f.Name()] {
			// Base file: replay it to build the state the new files start from.
			for _, s := range stmts {
				if _, err := dev.SQL.ExecContext(ctx, s.Text); err != nil {
					return nil, nil, fmt.Errorf("%s: replaying statement %q: %w", path, oneLine(s.Text), err)
				}
			}
			continue
		}
		fs, err := lintFile(ctx, client, f, path, stmts)
		if err != nil {
			return nil, nil, err
		}
		findings = append(findings, fs...)
		linted = append(linted, path)
	}
	return findings, linted, nil
}

// lintFile executes the statements of a new file one by one, turning the
// difference between the realm before and after each statement into a
// sqlcheck.Change, then runs every analyzer of the dialect on the file, each
// on its own so that one error-level analyzer does not hide the others.
func lintFile(ctx context.Context, dev *sqlclient.Client, f migrate.File, path string, stmts []*migrate.Stmt) ([]lintFinding, error) {
	from, err := dev.InspectRealm(ctx, nil)
	if err != nil {
		return nil, err
	}
	prev := from
	changes := make([]*sqlcheck.Change, 0, len(stmts))
	for _, s := range stmts {
		if _, err := dev.DB.ExecContext(ctx, s.Text); err != nil {
			return nil, fmt.Errorf("%s: statement %q fails on a clean database: %w", path, oneLine(s.Text), err)
		}
		cur, err := dev.InspectRealm(ctx, nil)
		if err != nil {
			return nil, err
		}
		diff, err := dev.RealmDiff(prev, cur)
		if err != nil {
			return nil, fmt.Errorf("%s: diff after %q: %w", path, oneLine(s.Text), err)
		}
		changes = append(changes, &sqlcheck.Change{Changes: diff, Stmt: s})
		prev = cur
	}
	sum, err := dev.RealmDiff(from, prev)
	if err != nil {
		return nil, err
	}
	analyzers, err := sqlcheck.AnalyzerFor(dev.Name, nil)
	if err != nil {
		return nil, err
	}
	if len(analyzers) == 0 {
		return nil, fmt.Errorf("no analyzers registered for %s", dev.Name)
	}
	file := &sqlcheck.File{File: f, Changes: changes, Sum: schema.Changes(sum), From: from, To: prev}
	var findings []lintFinding
	for _, az := range analyzers {
		var reports []sqlcheck.Report
		pass := &sqlcheck.Pass{
			File:     file,
			Dev:      dev,
			Reporter: sqlcheck.ReportWriterFunc(func(r sqlcheck.Report) { reports = append(reports, r) }),
		}
		aerr := az.Analyze(ctx, pass)
		if aerr != nil && len(reports) == 0 {
			return nil, fmt.Errorf("%s: analyzer %s: %w", path, analyzerName(az), aerr)
		}
		for _, r := range reports {
			for _, d := range r.Diagnostics {
				fd := lintFinding{File: path, Code: d.Code, Analyzer: analyzerName(az), Text: d.Text, Error: aerr != nil}
				fd.Line, fd.Stmt, fd.Statement = locate(f.Bytes(), stmts, d.Pos)
				findings = append(findings, fd)
			}
		}
	}
	return findings, nil
}

func analyzerName(az sqlcheck.Analyzer) string {
	if n, ok := az.(sqlcheck.NamedAnalyzer); ok {
		return n.Name()
	}
	return fmt.Sprintf("%T", az)
}

// locate maps a byte position to its line, statement number and text.
func locate(src []byte, stmts []*migrate.Stmt, pos int) (line, n int, text string) {
	if pos > len(src) {
		pos = len(src)
	}
	line = 1 + bytes.Count(src[:max(pos, 0)], []byte("\n"))
	for i, s := range stmts {
		if s.Pos <= pos {
			n, text = i+1, s.Text
		}
	}
	return line, n, text
}

func (c *cli) lint(ctx context.Context, args []string) error {
	fs := c.flags("lint")
	dialect := fs.String("dialect", "", "")
	root := fs.String("dir", DefaultDir, "")
	base := fs.String("base", "", "")
	latest := fs.Int("latest", 0, "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("lint: unexpected argument %q", pos[0])
	}
	ds, err := dialects(*dialect)
	if err != nil {
		return err
	}
	var sel selectFiles
	switch {
	case *base != "" && *latest != 0:
		return errors.New("lint: use either --base or --latest, not both")
	case *latest < 0:
		return errors.New("lint: --latest must be positive")
	case *base != "":
		if err := checkGitRef(ctx, *base); err != nil {
			return err
		}
		sel = filesSince(ctx, *base)
	case *latest > 0:
		sel = latestFiles(*latest)
	default:
		sel = latestFiles(1)
	}
	return c.runLint(ctx, *root, ds, sel)
}

func (c *cli) runLint(ctx context.Context, root string, ds []string, sel selectFiles) error {
	errs := 0
	for _, d := range ds {
		p := dialectDir(root, d)
		dir, err := openLocalDir(p)
		if err != nil {
			return err
		}
		findings, linted, err := lintDir(ctx, d, p, dir, sel, c.devServerURL())
		if err != nil {
			return err
		}
		if len(linted) == 0 {
			fmt.Fprintf(c.stdout, "%s: no new migration files to lint\n", p)
			continue
		}
		for _, f := range findings {
			w := c.stdout
			if f.Error {
				errs++
				w = c.stderr
			}
			fmt.Fprintln(w, f.String())
		}
		fmt.Fprintf(c.stdout, "%s: linted %s: %d finding(s)\n", p, strings.Join(baseNames(linted), ", "), len(findings))
	}
	if errs > 0 {
		fmt.Fprintf(c.stderr, "migrate: lint found %d error(s)\n", errs)
		return errReported
	}
	return nil
}

func baseNames(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}
