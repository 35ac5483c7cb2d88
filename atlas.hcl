// atlas.hcl lets a person with the atlas CLI (https://atlasgo.io) work on the
// same migration directories the server applies. nutrigraph does not need the
// CLI: `go run . migrate diff|apply|status|validate|lint` does the same with
// the atlas Go library (see `go run . migrate help`).
//
//   atlas migrate diff NAME --env postgres      # then the same for --env sqlite
//   atlas migrate lint --env sqlite --latest 1
//   DATABASE_URL=sqlite://nutrigraph.db atlas migrate status --env sqlite
//
// Revisions are recorded where the server records them: in
// "atlas_schema_revisions"."atlas_schema_revisions" on PostgreSQL, in the
// "atlas_schema_revisions" table on SQLite, so the CLI and the server agree on
// what has been applied. The server takes the same advisory lock as
// `atlas migrate apply` ("atlas_migrate_execute").

// The database to migrate (apply, status): same variable as the server.
variable "url" {
  type    = string
  default = getenv("DATABASE_URL")
}

// PostgreSQL dev database: an EMPTY database atlas may clean at will (never
// a real one). `go run . migrate diff` instead creates a temporary database
// on the DEV_DATABASE_URL server; here pass e.g.
// --var pg_dev_url="postgres://postgres@127.0.0.1:5432/empty?search_path=public&sslmode=disable".
// search_path=public keeps the generated statements unqualified, like the
// committed files.
variable "pg_dev_url" {
  type    = string
  default = "docker://postgres/15/dev?search_path=public"
}

env "sqlite" {
  src = "ent://ent/schema"
  dev = "sqlite://dev?mode=memory&_fk=1"
  url = var.url
  migration {
    dir = "file://migrations/sqlite"
  }
  lint {
    destructive {
      error = true
    }
  }
}

env "postgres" {
  src = "ent://ent/schema"
  dev = var.pg_dev_url
  url = var.url
  migration {
    dir              = "file://migrations/postgres"
    revisions_schema = "atlas_schema_revisions"
  }
  lint {
    destructive {
      error = true
    }
  }
}
