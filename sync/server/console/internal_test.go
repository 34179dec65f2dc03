package console_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// lockedBuffer is a log the console writes from its handlers' goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestInternalErrorNamesItsID: a console page that fails inside shows an
// error ID, never the error, and the log carries the error under that ID,
// so an administrator who reports the ID can be answered.
func TestInternalErrorNamesItsID(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		f := open(t, b)
		var logged lockedBuffer
		f.room.Log = slog.New(slog.NewTextHandler(&logged, nil))
		f.admin(t, "wang", console.RoleCity, "")
		br := f.browser(t)
		if r := br.login("wang", "password-wang"); r.status != http.StatusSeeOther {
			t.Fatalf("login: %d %s", r.status, r.body)
		}
		if r := br.get("/admin/people"); r.status != http.StatusOK {
			t.Fatalf("people before the break: %d %q", r.status, r.code)
		}
		// The people's table gone from under the console: its page cannot be read.
		if _, err := f.db.ExecContext(context.Background(), `ALTER TABLE people RENAME TO people_gone`); err != nil {
			t.Fatal(err)
		}
		r := br.get("/admin/people")
		id := r.header.Get("X-Sanxiang-Error-ID")
		if r.status != http.StatusInternalServerError || r.code != "internal" || !regexp.MustCompile(`^E[0-9a-f]{12}$`).MatchString(id) {
			t.Fatalf("broken page: %d %q id %q", r.status, r.code, id)
		}
		if !strings.Contains(r.body, "错误编号 "+id) {
			t.Errorf("the page does not name its error ID %s:\n%s", id, r.body)
		}
		if strings.Contains(r.body, "no such table") || strings.Contains(r.body, "does not exist") {
			t.Errorf("the page shows the database's error:\n%s", r.body)
		}
		log := logged.String()
		line := ""
		for l := range strings.SplitSeq(log, "\n") {
			if strings.Contains(l, "error_id="+id) {
				line = l
			}
		}
		if line == "" || !strings.Contains(line, "people") {
			t.Errorf("the log has no error under ID %s that names what failed:\n%s", id, log)
		}
		// Each failure has its own ID.
		if again := br.get("/admin/people").header.Get("X-Sanxiang-Error-ID"); again == "" || again == id {
			t.Errorf("a second failure's ID %q (first %q)", again, id)
		}
	})
}
