package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/mediaimport"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
)

// The body-camera register keeps every change as a row the database
// refuses to update or delete; the camera stands as its newest row.
func TestBodyCamerasAppendOnly(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 12, 6, 9, 30, 0, 0, time.UTC)
	s, err := Open(ctx, filepath.Join(t.TempDir(), "p.db"), Options{Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Publish(ctx, nil, []catalog.Agency{{Code: "01", Name: "市场监管局"}}); err != nil {
		t.Fatal(err)
	}
	cam := api.BodyCamera{Serial: "HK-0001", Agency: "01", Make: "海康威视", Model: "DSJ-X1", Status: api.CameraInUse}
	if err := s.PutBodyCamera(ctx, "", "city", cam, true); err != nil {
		t.Fatal(err)
	}
	var ee *console.EquipmentError
	if err := s.PutBodyCamera(ctx, "", "city", cam, true); !errors.As(err, &ee) || ee.Code != "serial_taken" || ee.Status != http.StatusConflict {
		t.Fatalf("the serial registered twice: %v", err)
	}
	if err := s.PutBodyCamera(ctx, "", "city", api.BodyCamera{Serial: "HK-0009", Agency: "01", Make: "a", Model: "b", Status: api.CameraInUse}, false); !errors.As(err, &ee) || ee.Code != "not_found" {
		t.Fatalf("an unregistered camera changed: %v", err)
	}
	at = at.Add(time.Hour)
	cam.Status = api.CameraScrapped
	if err := s.PutBodyCamera(ctx, "01", "scj", cam, false); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE body_cameras SET status = 'in_use'`, `DELETE FROM body_cameras`} {
		if _, err := s.db.ExecContext(ctx, q); err == nil {
			t.Errorf("%s: allowed", q)
		}
	}
	h, err := s.BodyCameraHistory(ctx, "HK-0001")
	if err != nil || len(h) != 2 || h[0].Status != api.CameraInUse || h[0].ChangedBy != "city" || h[1].Status != api.CameraScrapped || h[1].ChangedBy != "scj" {
		t.Fatalf("history: %+v %v", h, err)
	}
	now, err := s.BodyCameras(ctx, "01")
	if err != nil || len(now) != 1 || now[0].Status != api.CameraScrapped {
		t.Fatalf("the camera now: %+v %v", now, err)
	}
}

// An imported recording is credited to a camera as its history stood when
// the recording was made: by the make and model its file names, else by
// the officer the camera was assigned to then; never to a camera scrapped
// by then, nor when two could have made it.
func TestCameraOfByHistory(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	day := func(n int) time.Time { return t0.AddDate(0, 0, n) }
	cams := []*api.BodyCamera{{Serial: "A", Make: "海康威视", Model: "DSJ-X1"}, {Serial: "B", Make: "海康威视", Model: "DSJ-X1"}, {Serial: "C", Make: "Sony", Model: "HDR-1"}}
	hist := map[string][]cameraState{
		"A": {{officer: "o1", status: api.CameraInUse, at: day(0)}, {officer: "o2", status: api.CameraInUse, at: day(10)}},
		"B": {{officer: "o3", status: api.CameraInUse, at: day(0)}},
		"C": {{officer: "o4", status: api.CameraInUse, at: day(0)}, {officer: "o4", status: api.CameraScrapped, at: day(20)}},
	}
	imported := func(author, device string, at time.Time) (casefile.Record, mediaimport.Body) {
		b := mediaimport.Body{Recording: casefile.Recording{Kind: casefile.MediaVideo, Device: device, Start: at}, Import: &mediaimport.Imported{}}
		body, _ := json.Marshal(b)
		return casefile.Record{Kind: casefile.KindMedia, Author: author, At: at, Body: body}, b
	}
	for _, c := range []struct {
		author, device string
		at             time.Time
		want           string
	}{
		{"o1", "", day(5), "A"},              // o1 held A then
		{"o1", "", day(15), ""},              // A went to o2 on day 10
		{"o2", "", day(15), "A"},             //
		{"o2", "", day(5), ""},               // o2 had no camera yet
		{"o9", "", day(-3), ""},              // before any registration, A's first row: o1's
		{"o1", "", day(-3), "A"},             //
		{"o9", "sony hdr-1 v2", day(5), "C"}, // the file names its camera
		{"o9", "Sony HDR-1", day(25), ""},    // scrapped by then
		{"o9", "海康威视 DSJ-X1", day(5), ""},    // two of that model, neither o9's
		{"o3", "海康威视 DSJ-X1", day(5), "B"},   // told apart by the officer
		{"o3", "Panasonic AG-1", day(5), ""}, // names a camera not registered
	} {
		rec, b := imported(c.author, c.device, c.at)
		got := ""
		if cam := cameraOf(cams, hist, rec, b); cam != nil {
			got = cam.Serial
		}
		if got != c.want {
			t.Errorf("%s, %q, day %d: %q, want %q", c.author, c.device, int(c.at.Sub(t0).Hours()/24), got, c.want)
		}
	}
}
