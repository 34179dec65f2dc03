package server_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// A PostgreSQL platform has no folder of its own to keep its key beside:
// given no key file and no key, it refuses to start rather than keep the
// key in the database, and given a file it makes the key there.
func TestPostgresPlatformNeedsAKeyOutsideTheDatabase(t *testing.T) {
	pg := os.Getenv("SANXIANG_TEST_POSTGRES")
	if pg == "" {
		if os.Getenv("SANXIANG_TEST_REQUIRE_ALL") == "1" {
			t.Fatal("SANXIANG_TEST_REQUIRE_ALL=1 but SANXIANG_TEST_POSTGRES is not set")
		}
		t.Skip("needs PostgreSQL (SANXIANG_TEST_POSTGRES)")
	}
	ctx := context.Background()
	db := servertest.Schema(t, pg)
	_, err := server.Open(ctx, db, server.Options{Media: t.TempDir()})
	if !errors.Is(err, server.ErrNoKey) || !strings.Contains(err.Error(), "PostgreSQL 平台需要") {
		t.Fatalf("opened without a key: %v", err)
	}
	file := filepath.Join(t.TempDir(), "platform.key")
	s, err := server.Open(ctx, db, server.Options{Media: t.TempDir(), KeyFile: file})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	secret, err := os.ReadFile(file)
	if err != nil || !strings.HasPrefix(string(secret), "PRIVATE+KEY+") {
		t.Fatalf("key file: %q %v", secret, err)
	}
	conn, err := sql.Open("pgx", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var inDB string
	if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(signer), '') FROM platform_key`).Scan(&inDB); err != nil || inDB != "" {
		t.Fatalf("the database holds %q (%v)", inDB, err)
	}
}
