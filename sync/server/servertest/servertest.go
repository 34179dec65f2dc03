// Package servertest opens the reference platform on each storage it
// supports, so one suite of tests runs against all of them: SQLite with a
// media folder always; PostgreSQL when SANXIANG_TEST_POSTGRES names a
// database; PostgreSQL with an S3 bucket when SANXIANG_TEST_S3 also names
// an S3 endpoint (s3+http://KEY:SECRET@HOST:PORT). Each test gets its own
// schema and bucket. With SANXIANG_TEST_REQUIRE_ALL=1 (CI) a missing
// backend fails the test instead of being left out.
package servertest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/sanxiang-desk/sanxiang/sync/api/apitest"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
)

// Backend is one storage the platform can run on.
type Backend struct {
	Name string
	// Where gives a fresh database and media store for one test.
	Where func(t testing.TB) (db, media string)
}

// Backends lists what this machine can run.
func Backends(t testing.TB) []Backend {
	out := []Backend{{Name: "sqlite", Where: func(t testing.TB) (string, string) {
		dir := t.TempDir()
		return filepath.Join(dir, "platform.db"), filepath.Join(dir, "media")
	}}}
	pg, s3 := os.Getenv("SANXIANG_TEST_POSTGRES"), os.Getenv("SANXIANG_TEST_S3")
	if os.Getenv("SANXIANG_TEST_REQUIRE_ALL") == "1" && (pg == "" || s3 == "") {
		t.Fatal("SANXIANG_TEST_REQUIRE_ALL=1 but SANXIANG_TEST_POSTGRES or SANXIANG_TEST_S3 is not set")
	}
	if pg != "" {
		out = append(out, Backend{Name: "postgres", Where: func(t testing.TB) (string, string) {
			return Schema(t, pg), filepath.Join(t.TempDir(), "media")
		}})
		if s3 != "" {
			out = append(out, Backend{Name: "postgres+s3", Where: func(t testing.TB) (string, string) {
				return Schema(t, pg), Bucket(t, s3)
			}})
		}
	}
	return out
}

// Open opens a platform on b for one test and closes it after.
func (b Backend) Open(t testing.TB, o server.Options) *server.Server {
	t.Helper()
	dbURL, media := b.Where(t)
	o.Media = media
	if o.KeyFile == "" && o.Key == "" {
		o.KeyFile = KeyFile(dbURL)
	}
	s, err := server.Open(context.Background(), dbURL, o)
	if err != nil {
		t.Fatalf("open platform on %s: %v", b.Name, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func random() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Schema makes an empty schema in the PostgreSQL database base names and
// returns a URL whose connections use it; it is dropped after the test.
func Schema(t testing.TB, base string) string {
	t.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := "t_" + random()
	if _, err := admin.Exec(`CREATE SCHEMA ` + name); err != nil {
		t.Fatalf("postgres at %s: %v", redact(base), err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	t.Cleanup(func() {
		if a, err := sql.Open("pgx", base); err == nil {
			a.Exec(`DROP SCHEMA ` + name + ` CASCADE`)
			a.Close()
		}
		os.Remove(KeyFile(u.String()))
	})
	return u.String()
}

// KeyFile is the receipt key file every platform instance on the database
// dbURL is given in tests: a PostgreSQL platform keeps no key in the
// database and has no folder of its own, so, as a city's instances share
// one key file, the test's share one named by the schema (removed with
// it). For a SQLite file it is "": the key file beside the database.
func KeyFile(dbURL string) string {
	if !sqldb.IsPostgres(dbURL) {
		return ""
	}
	sum := sha256.Sum256([]byte(dbURL))
	return filepath.Join(os.TempDir(), "sanxiang-test-"+hex.EncodeToString(sum[:8])+".key")
}

// Bucket names a fresh bucket at the S3 endpoint base; the platform makes
// it on first use.
func Bucket(t testing.TB, base string) string {
	return strings.TrimSuffix(base, "/") + "/sanxiang-" + random()
}

func redact(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "(unparsable URL)"
}

// Each runs fn as a subtest against every storage Backends opens here
// (SQLite; PostgreSQL and S3 when configured, as in CI).
func Each(t *testing.T, fn func(t *testing.T, b Backend)) {
	for _, b := range Backends(t) {
		t.Run(b.Name, func(t *testing.T) { fn(t, b) })
	}
}

// Serve opens the platform on b with o and serves it on loopback; both
// are closed when the test ends. Every answer's headers must be printable
// ASCII (ASCIIHeaders), or the test fails.
func (b Backend) Serve(t testing.TB, o server.Options) (*server.Server, *httptest.Server) {
	t.Helper()
	s := b.Open(t, o)
	h := httptest.NewServer(apitest.Checked(t, ASCIIHeaders(t, s.Handler())))
	t.Cleanup(h.Close)
	return s, h
}
