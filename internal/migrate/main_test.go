package migrate_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	atlasmigrate "ariga.io/atlas/sql/migrate"

	"nutrigraph/internal/migrate"
	"nutrigraph/internal/testdb"
)

func TestHelpListsEveryCommandFlagAndEnv(t *testing.T) {
	code, out, _ := runMain(t, nil, "help")
	if code != 0 {
		t.Fatalf("help exit %d", code)
	}
	for _, want := range []string{
		"diff NAME", "diff --check", "apply", "status", "validate", "lint", "help",
		"--dialect", "--dir", "--url", "--n", "--base", "--latest", "--check",
		"DATABASE_URL", "DEV_DATABASE_URL", migrate.DefaultDevServerURL,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("help does not mention %q", want)
		}
	}
	code, _, errOut := runMain(t, nil, "frobnicate")
	if code != 1 || !strings.Contains(errOut, `unknown command "frobnicate"`) || !strings.Contains(errOut, "Commands:") {
		t.Fatalf("unknown command: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runMain(t, nil, "diff")
	if code != 1 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.Contains(errOut, "NAME") {
		t.Fatalf("diff without NAME: exit %d, stderr %q (want one line)", code, errOut)
	}
}

// checkedDialects are the --dialect values to run dev-database commands
// with: sqlite, plus postgres when reachable (required under CI=true).
func checkedDialects(t *testing.T) []string {
	var out []string
	for _, d := range testdb.Dialects(t) {
		out = append(out, dirName(d))
	}
	return out
}

func TestDiffCheckIsCleanForCommittedMigrations(t *testing.T) {
	for _, d := range checkedDialects(t) {
		t.Run(d, func(t *testing.T) {
			code, out, errOut := runMain(t, devEnv(), "diff", "--check", "--dialect", d, "--dir", repoMigrations)
			if code != 0 {
				t.Fatalf("diff --check on the committed migrations: exit %d\n%s%s", code, out, errOut)
			}
			if !strings.Contains(out, "no drift") {
				t.Fatalf("output %q", out)
			}
		})
	}
}

func TestDiffCheckDetectsDriftAndDiffFixesIt(t *testing.T) {
	for _, d := range checkedDialects(t) {
		t.Run(d, func(t *testing.T) {
			root := copyMigrations(t)
			dir := filepath.Join(root, d)
			// Remove the last statement of the first migration, as if a
			// schema change had not been turned into a migration.
			files := sqlFiles(t, dir)
			b, err := os.ReadFile(files[0])
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
			removed := lines[len(lines)-1]
			if !strings.HasPrefix(removed, "CREATE ") {
				t.Fatalf("unexpected last line %q", removed)
			}
			if err := os.WriteFile(files[0], []byte(strings.Join(lines[:len(lines)-2], "\n")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			local, err := atlasmigrate.NewLocalDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			writeSum(t, local)

			code, out, errOut := runMain(t, devEnv(), "diff", "--check", "--dialect", d, "--dir", root)
			if code != 1 || !strings.Contains(errOut, "DRIFT") || !strings.Contains(errOut, strings.TrimSuffix(removed, ";")) {
				t.Fatalf("diff --check after removing %q: exit %d\nstdout %s\nstderr %s", removed, code, out, errOut)
			}
			if n := len(sqlFiles(t, dir)); n != len(files) {
				t.Fatalf("diff --check wrote files: %d, want %d", n, len(files))
			}

			code, out, errOut = runMain(t, devEnv(), "diff", "restore_index", "--dialect", d, "--dir", root)
			if code != 0 || !strings.Contains(out, "_restore_index.sql") {
				t.Fatalf("diff restore_index: exit %d\n%s%s", code, out, errOut)
			}
			after := sqlFiles(t, dir)
			if len(after) != len(files)+1 {
				t.Fatalf("%d files after diff, want %d", len(after), len(files)+1)
			}
			nb, _ := os.ReadFile(after[len(after)-1])
			if !strings.Contains(string(nb), strings.TrimSuffix(removed, ";")) {
				t.Fatalf("new file does not restore %q:\n%s", removed, nb)
			}
			if code, out, errOut := runMain(t, devEnv(), "diff", "--check", "--dialect", d, "--dir", root); code != 0 {
				t.Fatalf("diff --check after diff: exit %d\n%s%s", code, out, errOut)
			}
			if code, _, errOut := runMain(t, nil, "validate", "--dialect", d, "--dir", root); code != 0 {
				t.Fatalf("validate after diff: %s", errOut)
			}
			// Nothing left to do: a clear message, exit 0, no new file.
			code, out, _ = runMain(t, devEnv(), "diff", "again", "--dialect", d, "--dir", root)
			if code != 0 || !strings.Contains(out, "nothing to do") || len(sqlFiles(t, dir)) != len(after) {
				t.Fatalf("second diff: exit %d, %q", code, out)
			}
		})
	}
}

func TestDiffBothDialectsShareOneVersion(t *testing.T) {
	if len(checkedDialects(t)) < 2 {
		t.Skip("needs PostgreSQL")
	}
	root := copyMigrations(t)
	for _, d := range []string{"postgres", "sqlite"} {
		dir := filepath.Join(root, d)
		files := sqlFiles(t, dir)
		b, _ := os.ReadFile(files[0])
		lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
		_ = os.WriteFile(files[0], []byte(strings.Join(lines[:len(lines)-2], "\n")+"\n"), 0o644)
		local, _ := atlasmigrate.NewLocalDir(dir)
		writeSum(t, local)
	}
	code, out, errOut := runMain(t, devEnv(), "diff", "both", "--dir", root)
	if code != 0 {
		t.Fatalf("diff: %d %s %s", code, out, errOut)
	}
	pg := sqlFiles(t, filepath.Join(root, "postgres"))
	sl := sqlFiles(t, filepath.Join(root, "sqlite"))
	if filepath.Base(pg[len(pg)-1]) != filepath.Base(sl[len(sl)-1]) {
		t.Fatalf("new files differ: %s vs %s", pg[len(pg)-1], sl[len(sl)-1])
	}
}

func TestValidateRefusesTamperedFileAndSum(t *testing.T) {
	root := copyMigrations(t)
	if code, out, errOut := runMain(t, nil, "validate", "--dir", root); code != 0 || strings.Count(out, ": ok") != 2 {
		t.Fatalf("validate clean copy: exit %d %s %s", code, out, errOut)
	}
	file := sqlFiles(t, filepath.Join(root, "sqlite"))[0]
	orig, _ := os.ReadFile(file)
	if err := os.WriteFile(file, append(append([]byte{}, orig...), "DROP TABLE users;\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runMain(t, nil, "validate", "--dir", root)
	if code != 1 || !strings.Contains(errOut, filepath.Base(file)) || !strings.Contains(errOut, "modified") {
		t.Fatalf("tampered file: exit %d, stderr %q", code, errOut)
	}
	_ = os.WriteFile(file, orig, 0o644)

	sum := filepath.Join(root, "postgres", "atlas.sum")
	sb, _ := os.ReadFile(sum)
	tampered := regexp.MustCompile(`(?m)^(\S+\.sql) h1:.`).ReplaceAllString(string(sb), "${1} h1:A")
	if tampered == string(sb) {
		tampered = regexp.MustCompile(`(?m)^(\S+\.sql) h1:.`).ReplaceAllString(string(sb), "${1} h1:B")
	}
	_ = os.WriteFile(sum, []byte(tampered), 0o644)
	code, _, errOut = runMain(t, nil, "validate", "--dir", root)
	if code != 1 || !strings.Contains(errOut, "atlas.sum") || !strings.Contains(errOut, filepath.Join(root, "postgres")) {
		t.Fatalf("tampered atlas.sum: exit %d, stderr %q", code, errOut)
	}
}

func TestStatusAndApplyCommands(t *testing.T) {
	for _, dialect := range testdb.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			_, u := emptyDB(t, dialect)
			env := map[string]string{"DATABASE_URL": u}
			dir, _ := migrate.EmbeddedDir(dialect)
			files, _ := dir.Files()
			last := files[len(files)-1]

			code, out, errOut := runMain(t, env, "status")
			if code != 0 {
				t.Fatalf("status: %d %s", code, errOut)
			}
			for _, want := range []string{"Current version: none", "Applied:         0", "Pending:         " + strconv.Itoa(len(files)), last.Name(), "pending migrations"} {
				if !strings.Contains(out, want) {
					t.Errorf("status before apply lacks %q:\n%s", want, out)
				}
			}

			code, out, errOut = runMain(t, env, "apply")
			if code != 0 || !strings.Contains(out, "applied "+last.Name()) {
				t.Fatalf("apply: %d %s %s", code, out, errOut)
			}
			code, out, _ = runMain(t, env, "apply")
			if code != 0 || !strings.Contains(out, "already up to date") {
				t.Fatalf("second apply: %d %s", code, out)
			}

			code, out, _ = runMain(t, env, "status")
			if code != 0 {
				t.Fatalf("status: %d", code)
			}
			for _, want := range []string{"Current version: " + last.Version(), "Applied:         " + strconv.Itoa(len(files)), "Pending:         0", "up to date"} {
				if !strings.Contains(out, want) {
					t.Errorf("status after apply lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

func TestApplyReportsBadURL(t *testing.T) {
	code, _, errOut := runMain(t, map[string]string{"DATABASE_URL": "mysql://x"}, "apply")
	if code != 1 || !strings.HasPrefix(errOut, "migrate: ") || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

// lintRoot writes a migrations root with a base file and one new file per
// dialect (sum included) and returns it.
func lintRoot(t *testing.T, newFiles map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"postgres", "sqlite"} {
		dir := filepath.Join(root, d)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		_ = os.WriteFile(filepath.Join(dir, "20250101000000_base.sql"), []byte("CREATE TABLE t (id integer NOT NULL, note text NULL, PRIMARY KEY (id));\n"), 0o644)
		if nf, ok := newFiles[d]; ok {
			_ = os.WriteFile(filepath.Join(dir, "20250102000000_change.sql"), []byte(nf), 0o644)
		}
		local, err := atlasmigrate.NewLocalDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		writeSum(t, local)
	}
	return root
}

func TestLintFlagsDestructiveChange(t *testing.T) {
	root := lintRoot(t, map[string]string{
		"postgres": "-- drop the note\nALTER TABLE t DROP COLUMN note;\n",
		"sqlite":   "-- drop the note\nALTER TABLE t DROP COLUMN note;\n",
	})
	for _, d := range checkedDialects(t) {
		t.Run(d, func(t *testing.T) {
			code, out, errOut := runMain(t, devEnv(), "lint", "--dir", root, "--dialect", d)
			want := filepath.Join(root, d, "20250102000000_change.sql") + `:2: statement 1: error DS103: Dropping non-virtual column "note"`
			t.Logf("stdout:\n%sstderr:\n%s", out, errOut)
			if code != 1 || !strings.Contains(errOut, want) {
				t.Fatalf("lint: exit %d\nstdout %s\nstderr %s\nwant %q", code, out, errOut, want)
			}
		})
	}
}

// A column drop as atlas writes it for SQLite (table copy) is reported as a
// dropped column, not as a dropped table.
func TestLintSQLiteTableCopyIsOneModification(t *testing.T) {
	root := lintRoot(t, map[string]string{"sqlite": "PRAGMA foreign_keys = off;\n" +
		"CREATE TABLE `new_t` (`id` integer NOT NULL, PRIMARY KEY (`id`));\n" +
		"INSERT INTO `new_t` (`id`) SELECT `id` FROM `t`;\n" +
		"DROP TABLE `t`;\n" +
		"ALTER TABLE `new_t` RENAME TO `t`;\n" +
		"PRAGMA foreign_keys = on;\n"})
	code, out, errOut := runMain(t, nil, "lint", "--dir", root, "--dialect", "sqlite")
	if code != 1 || !strings.Contains(errOut, `DS103: Dropping non-virtual column "note"`) || strings.Contains(errOut, "DS102") {
		t.Fatalf("lint: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
}

func TestLintPassesHarmlessChange(t *testing.T) {
	root := lintRoot(t, map[string]string{
		"postgres": "ALTER TABLE t ADD COLUMN extra text NULL;\nCREATE INDEX t_note ON t (note);\n",
		"sqlite":   "ALTER TABLE t ADD COLUMN extra text NULL;\nCREATE INDEX t_note ON t (note);\n",
	})
	for _, d := range checkedDialects(t) {
		t.Run(d, func(t *testing.T) {
			code, out, errOut := runMain(t, devEnv(), "lint", "--dir", root, "--dialect", d, "--latest", "1")
			if code != 0 || !strings.Contains(out, "linted 20250102000000_change.sql: 0 finding(s)") {
				t.Fatalf("lint: exit %d\nstdout %s\nstderr %s", code, out, errOut)
			}
		})
	}
}

func TestLintWarnsOnDataDependentChange(t *testing.T) {
	root := lintRoot(t, map[string]string{"sqlite": "CREATE UNIQUE INDEX t_note ON t (note);\n"})
	code, out, errOut := runMain(t, nil, "lint", "--dir", root, "--dialect", "sqlite")
	if code != 0 || !strings.Contains(out, "warning MF101") {
		t.Fatalf("lint: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
}

func TestLintBaseSelectsFilesAddedSinceGitRef(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	root := lintRoot(t, nil)
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "base")
	// A new destructive file after the base commit.
	dir := filepath.Join(root, "sqlite")
	_ = os.WriteFile(filepath.Join(dir, "20250102000000_drop.sql"), []byte("ALTER TABLE t DROP COLUMN note;\n"), 0o644)
	local, _ := atlasmigrate.NewLocalDir(dir)
	writeSum(t, local)

	t.Chdir(root)
	code, out, errOut := runMain(t, nil, "lint", "--base", "HEAD", "--dialect", "sqlite", "--dir", ".")
	if code != 1 || !strings.Contains(errOut, "20250102000000_drop.sql:1: statement 1: error DS103") || strings.Contains(out+errOut, "20250101000000_base.sql") {
		t.Fatalf("lint --base HEAD: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	git("add", ".")
	git("commit", "-q", "-m", "drop")
	code, out, _ = runMain(t, nil, "lint", "--base", "HEAD", "--dialect", "sqlite", "--dir", ".")
	if code != 0 || !strings.Contains(out, "no new migration files") {
		t.Fatalf("lint --base HEAD after commit: exit %d %s", code, out)
	}
	code, _, errOut = runMain(t, nil, "lint", "--base", "no-such-ref", "--dir", ".")
	if code != 1 || !strings.Contains(errOut, "no-such-ref") {
		t.Fatalf("bad ref: exit %d %s", code, errOut)
	}
}
