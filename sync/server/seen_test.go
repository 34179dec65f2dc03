package server

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/api/apitest"
)

// A device's calls are noted in memory and written with the others: the
// devices' list shows them at once, and another instance on the same
// database sees them once this one has written (at the latest when it
// closes).
func TestLastSeenWrittenInBatches(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "p.db")
	at := time.Date(2026, 12, 6, 9, 30, 0, 0, time.UTC)
	s, err := Open(ctx, db, Options{Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	code, err := s.NewEnrolCode(ctx, api.DeviceKiosk)
	if err != nil {
		t.Fatal(err)
	}
	_, vkey, _ := note.GenerateKey(rand.Reader, "sanxiang-SEEN")
	h := apitest.Checked(t, s.Handler())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", api.PathEnrol,
		strings.NewReader(`{"code":"`+code+`","name":"大厅一号","kind":"kiosk","verifier":"`+vkey+`"}`)))
	var er api.EnrolResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &er); err != nil || er.Token == "" {
		t.Fatalf("enrol: %s", rec.Body.String())
	}
	lastSeen := func(s *Server) string {
		t.Helper()
		list, err := s.Devices(ctx)
		if err != nil || len(list) != 1 {
			t.Fatalf("devices: %+v %v", list, err)
		}
		return list[0].LastSeen
	}
	before := lastSeen(s)
	// A second instance on the same file, as the administrator's commands
	// open it.
	other, err := Open(ctx, db, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	req := httptest.NewRequest("GET", api.PathCalendar, nil)
	req.Header.Set("Authorization", "Bearer "+er.Token)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("calendar: %d %s", rec.Code, rec.Body.String())
	}
	if got := lastSeen(other); got != before {
		t.Fatalf("written at once (%q), not with the others", got)
	}
	want := at.Format(time.RFC3339)
	if got := lastSeen(s); got != want {
		t.Fatalf("this instance lists last seen %q, want %q", got, want)
	}
	if got := lastSeen(other); got != want {
		t.Fatalf("after the write another instance sees %q, want %q", got, want)
	}
}
