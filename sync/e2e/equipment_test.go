package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/mediaimport"
	"github.com/sanxiang-desk/sanxiang/app/mediaimport/mediatest"
	"github.com/sanxiang-desk/sanxiang/internal/browsertest"
	"github.com/sanxiang-desk/sanxiang/internal/npmtools"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// recordOn adds a desk's own recording of kind to case id of l, its file
// n bytes, made with the named microphone or camera; it returns the file's
// SHA-256.
func recordOn(t *testing.T, l *casefile.Log, id, author, kind, with string, n int) string {
	t.Helper()
	data := bytes.Repeat([]byte(kind+with), n/len(kind+with)+1)[:n]
	d, size, err := l.Media().Put(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	rec := casefile.Recording{Session: "s-" + d.String()[:8], Segment: 1, Kind: kind, Device: with, Start: start, End: start.Add(time.Minute),
		DurationMS: 60000, Files: []casefile.MediaFile{{Role: kind, SHA256: d.String(), Size: size, Format: kind, Name: kind + ".bin"}}}
	if kind == casefile.MediaPhoto {
		rec.End, rec.DurationMS = start, 0
		rec.Photo = &casefile.PhotoInfo{Width: 4, Height: 3, Source: "snapshot"}
	}
	body, _ := json.Marshal(rec)
	if _, err := l.AddMedia(context.Background(), id, author, body, []string{d.String()}); err != nil {
		t.Fatal(err)
	}
	return d.String()
}

// equipmentPlatform is the demo city's platform on loopback with two
// officer desks that pushed real recordings: desk A of agency 01 (an audio
// and a photo of its own, and a video imported from a body camera's file)
// and desk B of agency 02 (a video of its own). It returns what each desk
// uploaded, by SHA-256, and the platform's clock.
type equipmentCity struct {
	s        *server.Server
	clock    *time.Time
	a, b     *casefile.Log
	idA, idB client.Identity
	shasA    []string
	shasB    []string
	imported string // the body camera's file, uploaded by desk A
	named    string // a file that names its camera's make and model
}

func newEquipmentCity(t *testing.T, b servertest.Backend) (*equipmentCity, *server.Server, string) {
	t.Helper()
	ctx := context.Background()
	clock := time.Now()
	s, h := b.Serve(t, server.Options{AdminToken: admin, Now: func() time.Time { return clock }})
	if err := demoload.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	c := &equipmentCity{s: s, clock: &clock}
	c.a = openLog(t, "EQ-A")
	caseA := casefiletest.Case(t, c.a)
	c.shasA = append(c.shasA, recordOn(t, c.a, caseA, "990101000001", casefile.MediaAudio, "USB 麦克风", 3001))
	c.shasA = append(c.shasA, recordOn(t, c.a, caseA, "990101000001", casefile.MediaPhoto, "USB 摄像头", 1207))
	mp4 := filepath.Join(t.TempDir(), "DSJ_0001.MP4")
	if err := mediatest.MP4(mp4, time.Now().Add(-2*time.Hour), 320, 240, 10, 20); err != nil {
		t.Fatal(err)
	}
	it := mediaimport.Target{Log: c.a, Case: caseA, Author: "990101000001", Loc: time.UTC}.File(ctx, mp4)
	if it.Err != nil {
		t.Fatalf("import the body camera's file: %v", it.Err)
	}
	c.imported = it.Record.Media[0]
	c.shasA = append(c.shasA, c.imported)
	// A file whose container names its camera (as an EXIF or a maker's
	// box does), imported by an officer no camera is assigned to.
	named := bytes.Repeat([]byte("DSJ-X2 "), 300)
	d, size, err := c.a.Media().Put(bytes.NewReader(named))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-3 * time.Hour).UTC().Truncate(time.Second)
	body, _ := json.Marshal(mediaimport.Body{Recording: casefile.Recording{Session: "imp-x2", Segment: 1, Kind: casefile.MediaVideo,
		Device: "海康威视 DSJ-X2 执法记录仪", Start: start, End: start.Add(time.Minute), DurationMS: 60000,
		Files: []casefile.MediaFile{{Role: casefile.MediaVideo, SHA256: d.String(), Size: size, Format: "mp4", Name: "DSJ_0002.MP4"}}},
		Import: &mediaimport.Imported{Source: "DSJ_0002.MP4", Size: size, Modified: start, Container: "mp4", TimeSource: mediaimport.TimeModified}})
	if _, err := c.a.AddMedia(ctx, caseA, "990101000002", body, []string{d.String()}); err != nil {
		t.Fatal(err)
	}
	c.named = d.String()
	c.shasA = append(c.shasA, c.named)

	c.b = openLog(t, "EQ-B", "990102000001")
	caseB, err := c.b.OpenCase(ctx, "990102000001", casefile.Opening{Act: "inspection", Agency: "02", ItemID: "E2", ItemName: "检查",
		Party: casefile.Party{Kind: "org", Name: "某公司"}, Officers: []casefile.Officer{{CertNo: "990102000001"}}})
	if err != nil {
		t.Fatal(err)
	}
	c.shasB = append(c.shasB, recordOn(t, c.b, caseB, "990102000001", casefile.MediaVideo, "执法仪底座摄像头", 5003))

	for _, x := range []struct {
		l  *casefile.Log
		id *client.Identity
	}{{c.a, &c.idA}, {c.b, &c.idB}} {
		*x.id = enrol(t, s, h, x.l)
		cl := client.New(*x.id)
		if _, err := cl.Push(ctx, x.l); err != nil {
			t.Fatal(err)
		}
		if _, err := cl.PushMedia(ctx, x.l, nil); err != nil {
			t.Fatal(err)
		}
	}
	return c, s, h.URL
}

// stored sums the bytes the platform holds of the files: read back, not
// taken from the test's constants.
func stored(t *testing.T, s *server.Server, shas ...string) int64 {
	t.Helper()
	var n int64
	for _, sha := range shas {
		b, err := readMedia(s, sha)
		if err != nil {
			t.Fatalf("read back %s: %v", sha, err)
		}
		n += int64(len(b))
	}
	return n
}

// consoleAs signs an administrator in and returns a client holding the
// session and the CSRF token of its forms.
func consoleAs(t *testing.T, base, login, pw string) (*http.Client, string) {
	t.Helper()
	jar := &cookieJar{}
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(base+"/admin/login", url.Values{"login": {login}, "password": {pw}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: %d", login, resp.StatusCode)
	}
	code, page := getPage(t, c, base+"/admin/equipment")
	if code != http.StatusOK {
		t.Fatalf("the register for %s: %d", login, code)
	}
	_, csrf, ok := strings.Cut(page, `name="csrf" value="`)
	if !ok {
		t.Fatalf("no CSRF token on the register")
	}
	csrf, _, _ = strings.Cut(csrf, `"`)
	return c, csrf
}

type cookieJar struct{ cs []*http.Cookie }

func (j *cookieJar) SetCookies(_ *url.URL, cs []*http.Cookie) { j.cs = append(j.cs, cs...) }
func (j *cookieJar) Cookies(*url.URL) []*http.Cookie          { return j.cs }

func getPage(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// postCamera posts the body-camera form and returns the status and the
// error code the console answered with.
func postCamera(t *testing.T, c *http.Client, base, path string, form url.Values) (int, string) {
	t.Helper()
	resp, err := c.PostForm(base+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("X-Sanxiang-Error")
}

func equipmentJSON(t *testing.T, base, token, query string) (int, api.Equipment) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+api.PathEquipment+query, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var eq api.Equipment
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&eq); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, eq
}

func agencyOf(eq api.Equipment, code string) *api.AgencyEquipment {
	for i := range eq.Agencies {
		if eq.Agencies[i].Agency == code {
			return &eq.Agencies[i]
		}
	}
	return nil
}

func deviceIn(a *api.AgencyEquipment, id string) *api.EquipmentDevice {
	for i := range a.Devices {
		if a.Devices[i].ID == id {
			return &a.Devices[i]
		}
	}
	return nil
}

// The equipment register on the real platform: two agencies' desks push
// real recordings; agency 01's administrator registers a body camera for
// the officer who imported its file; the register counts each desk's own
// recordings by kind, its storage as the bytes uploaded, the camera's
// import, the seed's counts and ratios, flags a desk quiet for longer
// than the threshold and a revoked one, and holds each agency to its own.
func TestEquipmentRegister(t *testing.T) {
	eachBackend(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		c, s, base := newEquipmentCity(t, b)
		for _, a := range []console.Admin{
			{Login: "scj", Name: "市场监管局 管理员", Role: console.RoleAgency, Agency: "01"},
			{Login: "cgj", Name: "城管局 管理员", Role: console.RoleAgency, Agency: "02"},
			{Login: "city", Name: "市司法局", Role: console.RoleCity},
			{Login: "ops", Name: "平台运维", Role: console.RoleOperator},
		} {
			if err := s.AddAdmin(ctx, a, "password-"+a.Login, "test"); err != nil {
				t.Fatal(err)
			}
		}
		scj, scjCSRF := consoleAs(t, base, "scj", "password-scj")
		cgj, cgjCSRF := consoleAs(t, base, "cgj", "password-cgj")

		// Registering: a bad serial, a model left out, an officer of another
		// agency, each refused with its own code; then the camera.
		camera := func(csrf, serial, officer, status string) url.Values {
			return url.Values{"csrf": {csrf}, "serial": {serial}, "make": {"海康威视"}, "model": {"DSJ-X1"}, "officer": {officer}, "status": {status}}
		}
		for _, bad := range []struct {
			form url.Values
			code string
		}{
			{camera(scjCSRF, "A B!", "990101000001", api.CameraInUse), "bad_serial"},
			{camera(scjCSRF, "x1", "990101000001", api.CameraInUse), "bad_serial"},
			{camera(scjCSRF, "HK2026-0001", "990102000001", api.CameraInUse), "bad_officer"},
			{camera(scjCSRF, "HK2026-0001", "990101000001", "lost"), "bad_status"},
		} {
			if code, got := postCamera(t, scj, base, "/admin/equipment/cameras", bad.form); code != http.StatusUnprocessableEntity || got != bad.code {
				t.Errorf("%v: %d %q, want 422 %s", bad.form, code, got, bad.code)
			}
		}
		noModel := camera(scjCSRF, "HK2026-0001", "990101000001", api.CameraInUse)
		noModel.Set("model", " ")
		if code, got := postCamera(t, scj, base, "/admin/equipment/cameras", noModel); code != http.StatusUnprocessableEntity || got != "bad_model" {
			t.Errorf("no model: %d %q", code, got)
		}
		if code, got := postCamera(t, scj, base, "/admin/equipment/cameras", camera(scjCSRF, "HK2026-0001", "990101000001", api.CameraInUse)); code != http.StatusSeeOther {
			t.Fatalf("register the camera: %d %q", code, got)
		}
		x2 := camera(scjCSRF, "HK2026-0002", "", api.CameraRepair)
		x2.Set("model", "DSJ-X2")
		if code, got := postCamera(t, scj, base, "/admin/equipment/cameras", x2); code != http.StatusSeeOther {
			t.Fatalf("register a second camera: %d %q", code, got)
		}
		// Another agency's administrator can neither change it, nor see it,
		// nor register its serial again.
		if code, got := postCamera(t, cgj, base, "/admin/equipment/cameras/HK2026-0001", camera(cgjCSRF, "", "990102000001", api.CameraScrapped)); code != http.StatusNotFound || got != "not_found" {
			t.Errorf("another agency's camera changed: %d %q", code, got)
		}
		if code, _ := getPage(t, cgj, base+"/admin/equipment/cameras/HK2026-0001"); code != http.StatusNotFound {
			t.Errorf("another agency's camera shown: %d", code)
		}
		if code, got := postCamera(t, cgj, base, "/admin/equipment/cameras", camera(cgjCSRF, "HK2026-0001", "990102000001", api.CameraInUse)); code != http.StatusConflict || got != "serial_taken" {
			t.Errorf("a taken serial registered again: %d %q", code, got)
		}
		if code, _ := postCamera(t, scj, base, "/admin/equipment/cameras", url.Values{"serial": {"HK2026-0003"}, "make": {"x"}, "model": {"y"}, "status": {api.CameraInUse}}); code != http.StatusForbidden {
			t.Errorf("a form without its CSRF token: %d", code)
		}
		// The operator reads the whole register but registers no camera.
		ops, opsCSRF := consoleAs(t, base, "ops", "password-ops")
		if code, got := postCamera(t, ops, base, "/admin/equipment/cameras", camera(opsCSRF, "HK2026-0009", "", api.CameraInUse)); code != http.StatusForbidden || got != "forbidden" {
			t.Errorf("the operator registered a camera: %d %q", code, got)
		}
		if _, page := getPage(t, ops, base+"/admin/equipment"); !strings.Contains(page, "HK2026-0001") || !strings.Contains(page, c.idB.DeviceID) || strings.Contains(page, `id="camera-form"`) {
			t.Errorf("the operator's register: not the whole city, or a form to register")
		}
		_, page := getPage(t, cgj, base+"/admin/equipment")
		if strings.Contains(page, "HK2026-0001") || strings.Contains(page, c.idA.DeviceID) {
			t.Errorf("agency 02's register shows agency 01's equipment")
		}

		// The register, as the city's office reads it through the API.
		code, eq := equipmentJSON(t, base, admin, "")
		if code != http.StatusOK || eq.StaleDays != server.DefaultStaleDays {
			t.Fatalf("the register: %d %+v", code, eq)
		}
		a01, a02 := agencyOf(eq, "01"), agencyOf(eq, "02")
		if a01 == nil || a02 == nil {
			t.Fatalf("the register lacks an agency: %+v", eq.Agencies)
		}
		rep, err := s.Supervision(ctx, time.Now().AddDate(-1, 0, 0), time.Now().AddDate(0, 0, 1))
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range rep.Staffing {
			if a := agencyOf(eq, st.Agency); a == nil || a.Officers != st.Officers || a.Reviewers != st.Reviewers {
				t.Errorf("agency %s: the register's people differ from supervision's staffing %+v", st.Agency, st)
			}
		}
		if a01.Officers == 0 || a01.Reviewers == 0 {
			t.Errorf("agency 01 counts no officers or reviewers: %+v", a01)
		}
		dA, dB := deviceIn(a01, c.idA.DeviceID), deviceIn(a02, c.idB.DeviceID)
		if dA == nil || dB == nil {
			t.Fatalf("the desks are not under their agencies: %+v / %+v", a01.Devices, a02.Devices)
		}
		if want := (api.Recordings{Audio: 1, Photo: 1}); dA.Recordings != want || dA.Imported != 2 {
			t.Errorf("desk A's recordings: %+v, imported %d", dA.Recordings, dA.Imported)
		}
		if dA.StorageBytes != stored(t, s, c.shasA...) || dB.StorageBytes != stored(t, s, c.shasB...) {
			t.Errorf("storage: desk A %d (uploaded %d), desk B %d (uploaded %d)", dA.StorageBytes, stored(t, s, c.shasA...), dB.StorageBytes, stored(t, s, c.shasB...))
		}
		if want := []string{"USB 麦克风", "USB 摄像头"}; fmt.Sprint(dA.Capture) != fmt.Sprint(want) {
			t.Errorf("desk A's capture: %q", dA.Capture)
		}
		if dB.Recordings != (api.Recordings{Video: 1}) || a02.Recordings != (api.Recordings{Video: 1}) {
			t.Errorf("desk B's recordings: %+v, agency 02's %+v", dB.Recordings, a02.Recordings)
		}
		if a01.DevicesByKind[api.DeviceOfficer] != 1 || a02.DevicesByKind[api.DeviceOfficer] != 1 {
			t.Errorf("devices by kind: %v / %v", a01.DevicesByKind, a02.DevicesByKind)
		}
		if len(a01.Cameras) != 2 || a01.BodyCameras != 2 || a01.BodyCamerasInUse != 1 || a01.OfficersPerCamera != float64(a01.Officers) {
			t.Errorf("agency 01's cameras: %d registered, %d in use, %.1f officers each: %+v", a01.BodyCameras, a01.BodyCamerasInUse, a01.OfficersPerCamera, a01.Cameras)
		}
		cam := a01.Cameras[0]
		if cam.Serial != "HK2026-0001" || cam.Recordings != (api.Recordings{Video: 1}) || cam.StorageBytes != stored(t, s, c.imported) ||
			cam.ChangedBy != "scj" || cam.LastImport == "" {
			t.Errorf("the camera's import: %+v", cam)
		}
		if x2 := a01.Cameras[1]; x2.Serial != "HK2026-0002" || x2.Recordings != (api.Recordings{Video: 1}) || x2.StorageBytes != stored(t, s, c.named) {
			t.Errorf("the camera the file names: %+v", x2)
		}
		if a01.Recordings != (api.Recordings{Audio: 1, Video: 2, Photo: 1}) || a01.Unattributed != (api.Recordings{}) {
			t.Errorf("agency 01's recordings: %+v, unattributed %+v", a01.Recordings, a01.Unattributed)
		}
		if a02.BodyCamerasInUse != 0 || a02.OfficersPerCamera != 0 || len(a02.Cameras) != 0 {
			t.Errorf("agency 02's cameras: %+v", a02)
		}
		if dA.State != api.DeviceOK || dB.State != api.DeviceOK {
			t.Errorf("fresh desks flagged: %s / %s", dA.State, dB.State)
		}

		// The camera goes to repair: a new row, the old one kept.
		if code, got := postCamera(t, scj, base, "/admin/equipment/cameras/HK2026-0001", camera(scjCSRF, "", "990101000001", api.CameraRepair)); code != http.StatusSeeOther {
			t.Fatalf("change the camera: %d %q", code, got)
		}
		hist, err := s.BodyCameraHistory(ctx, "HK2026-0001")
		if err != nil || len(hist) != 2 || hist[0].Status != api.CameraInUse || hist[1].Status != api.CameraRepair {
			t.Fatalf("the camera's history: %+v (%v)", hist, err)
		}
		// Handed to another officer: what it recorded before stays its own.
		if code, got := postCamera(t, scj, base, "/admin/equipment/cameras/HK2026-0001", camera(scjCSRF, "", "990101000002", api.CameraInUse)); code != http.StatusSeeOther {
			t.Fatalf("reassign the camera: %d %q", code, got)
		}
		if _, eq := equipmentJSON(t, base, admin, ""); agencyOf(eq, "01").Cameras[0].Recordings != (api.Recordings{Video: 1}) || agencyOf(eq, "01").Cameras[0].Officer != "990101000002" {
			t.Errorf("a reassigned camera: %+v", agencyOf(eq, "01").Cameras[0])
		}
		if _, page := getPage(t, scj, base+"/admin/equipment/cameras/HK2026-0001"); !strings.Contains(page, "在用") || !strings.Contains(page, "维修") {
			t.Errorf("the camera's page does not show its history")
		}
		if entries, _, err := s.Console().AuditLog(ctx, "01", 0, 100); err != nil || !strings.Contains(fmt.Sprint(entries), "camera.change") {
			t.Errorf("the change is not in agency 01's audit log (%v)", err)
		}

		// Eight days on, desk A syncs again and desk B does not; then desk B
		// is revoked.
		*c.clock = c.clock.AddDate(0, 0, 8)
		appendN(t, c.a, 1, "八天后")
		if _, err := client.New(c.idA).Push(ctx, c.a); err != nil {
			t.Fatal(err)
		}
		_, eq = equipmentJSON(t, base, admin, "")
		if a, b := deviceIn(agencyOf(eq, "01"), c.idA.DeviceID), deviceIn(agencyOf(eq, "02"), c.idB.DeviceID); a.State != api.DeviceOK || b.State != api.DeviceStale {
			t.Errorf("after 8 days: desk A %s, desk B %s", a.State, b.State)
		}
		if _, eq = equipmentJSON(t, base, admin, "?stale_days=30"); deviceIn(agencyOf(eq, "02"), c.idB.DeviceID).State != api.DeviceOK {
			t.Errorf("a 30-day threshold flags a desk 8 days quiet")
		}
		if code, _ := equipmentJSON(t, base, admin, "?stale_days=0"); code != http.StatusBadRequest {
			t.Errorf("stale_days=0: %d", code)
		}
		if err := s.Revoke(ctx, c.idB.DeviceID); err != nil {
			t.Fatal(err)
		}
		_, eq = equipmentJSON(t, base, admin, "")
		if d := deviceIn(agencyOf(eq, "02"), c.idB.DeviceID); d.State != api.DeviceRevoked || agencyOf(eq, "02").DevicesByKind[api.DeviceOfficer] != 0 {
			t.Errorf("a revoked desk: %s, counted %v", d.State, agencyOf(eq, "02").DevicesByKind)
		}

		// A token held to agency 02 sees agency 02 only; one without the
		// supervision scope is refused.
		held, err := s.Console().NewToken(ctx, console.Token{Name: "cgj-bi", Scopes: []string{"supervision"}, Agency: "02"}, "test")
		if err != nil {
			t.Fatal(err)
		}
		if code, eq := equipmentJSON(t, base, held, ""); code != http.StatusOK || len(eq.Agencies) != 1 || eq.Agencies[0].Agency != "02" || len(eq.Unassigned) != 0 {
			t.Errorf("an agency's token: %d %+v", code, eq.Agencies)
		}
		devices, err := s.Console().NewToken(ctx, console.Token{Name: "ops", Scopes: []string{"devices"}}, "test")
		if err != nil {
			t.Fatal(err)
		}
		if code, _ := equipmentJSON(t, base, devices, ""); code != http.StatusForbidden {
			t.Errorf("a token without the supervision scope: %d", code)
		}
	})
}

// The register in a real browser: agency 01's administrator finds it in
// the console's menu, is told off for a bad serial with its code, then
// registers a body camera through the form and sees it listed with the
// import it is credited with; the city's office sees both agencies side by
// side and reaches the register from the supervision page too. Skipped
// without a Chromium, unless SANXIANG_REQUIRE_BROWSER=1.
func TestEquipmentInTheBrowser(t *testing.T) {
	exe := browsertest.Find(t)
	if testing.Short() {
		t.Skip("a browser is slow")
	}
	ctx := context.Background()
	c, s, base := newEquipmentCity(t, servertest.Backends(t)[0])
	for _, a := range []console.Admin{
		{Login: "scj", Name: "市场监管局 王科长", Role: console.RoleAgency, Agency: "01"},
		{Login: "city", Name: "市司法局 李处长", Role: console.RoleCity},
	} {
		if err := s.AddAdmin(ctx, a, "password-"+a.Login, "test"); err != nil {
			t.Fatal(err)
		}
	}
	br := browsertest.Open(t, exe)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	login := func(who string) {
		br.Do("log in as "+who, chromedp.Navigate(base+"/admin/login"), chromedp.WaitVisible(css(`input[name=login]`)),
			chromedp.SendKeys(css(`input[name=login]`), who), chromedp.SendKeys(css(`input[name=password]`), "password-"+who),
			chromedp.Click(css(`#login`)), chromedp.WaitVisible(css(`.cards`)))
	}
	login("scj")
	br.Do("the register", chromedp.Click(css(`header a[href="/admin/equipment"]`)), chromedp.WaitVisible(css(`#camera-form`)))
	if got := br.Text(`#device-` + c.idA.DeviceID); !strings.Contains(got, "USB 麦克风") || !strings.Contains(got, "音频 1 · 视频 0 · 照片 1") ||
		!strings.Contains(got, "另从文件导入 2 条") || !strings.Contains(got, "正常") {
		t.Errorf("desk A's row: %q", got)
	}
	if got := br.Text(`#equipment-counts`); strings.Contains(got, "城市管理局") {
		t.Errorf("agency 01's administrator sees agency 02: %q", got)
	}
	br.Do("a bad serial", chromedp.SendKeys(css(`#camera-form input[name=serial]`), "HK 01"),
		chromedp.SendKeys(css(`#camera-form input[name=make]`), "海康威视"), chromedp.SendKeys(css(`#camera-form input[name=model]`), "DSJ-X1"),
		chromedp.SendKeys(css(`#camera-form input[name=officer]`), "990101000001"), chromedp.Click(css(`#camera-submit`)),
		chromedp.WaitVisible(css(`.error[data-code=bad_serial]`)))
	if got := br.Text(`.error`); !strings.Contains(got, "序列号不合格式") {
		t.Errorf("the refusal: %q", got)
	}
	br.Do("the serial corrected", chromedp.SetValue(css(`#camera-form input[name=serial]`), "HK2026-0001"),
		chromedp.SetValue(css(`#camera-form select[name=status]`), api.CameraInUse), br.Shot("equipment-camera-form"),
		chromedp.Click(css(`#camera-submit`)), chromedp.WaitVisible(css(`#camera-HK2026-0001`)))
	if got := br.Text(`.notice`); !strings.Contains(got, "执法记录仪已保存") {
		t.Errorf("the notice: %q", got)
	}
	if got := br.Text(`#camera-HK2026-0001`); !strings.Contains(got, "海康威视 DSJ-X1") || !strings.Contains(got, "在用") ||
		!strings.Contains(got, "音频 0 · 视频 1 · 照片 0") {
		t.Errorf("the camera's row: %q", got)
	}
	if got := br.Text(`#equipment-counts tr[data-agency="01"] .in-use`); got != "1" {
		t.Errorf("cameras in use: %q", got)
	}
	br.Do("the camera's page", chromedp.Click(css(`#camera-HK2026-0001 a`)), chromedp.WaitVisible(css(`#camera-history`)), br.Shot("equipment-camera-history"),
		chromedp.SetValue(css(`#camera-form input[name=officer]`), "990101000002"), chromedp.Click(css(`#camera-submit`)),
		chromedp.WaitVisible(css(`#camera-HK2026-0001[data-status=in_use]`)))
	if got := br.Text(`#camera-HK2026-0001`); !strings.Contains(got, "990101000002") || !strings.Contains(got, "音频 0 · 视频 1 · 照片 0") {
		t.Errorf("the reassigned camera's row: %q", got)
	}
	br.Do("log out", chromedp.Click(css(`header form button`)), chromedp.WaitVisible(css(`input[name=login]`)))

	login("city")
	br.Do("the city's register", chromedp.Navigate(base+"/admin/equipment"), chromedp.WaitVisible(css(`#agency-02`)), br.Shot("equipment-register-city"))
	counts := br.Text(`#equipment-counts`)
	if !strings.Contains(counts, "市场监督管理局") || !strings.Contains(counts, "城市管理局") {
		t.Errorf("the city's counts do not set the agencies side by side: %q", counts)
	}
	if got := br.Text(`#device-` + c.idB.DeviceID); !strings.Contains(got, "执法仪底座摄像头") || !strings.Contains(got, "音频 0 · 视频 1 · 照片 0") {
		t.Errorf("desk B's row: %q", got)
	}
	// axe-core over the register (WCAG 2.1 A and AA): no serious or
	// critical violation.
	axe, err := os.ReadFile(npmtools.Path(t, "axe-core/axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	br.Do("inject axe-core", chromedp.Evaluate[chromedp.Void](string(axe)))
	found, err := chromedp.Run(br.Ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		if f.Impact == "serious" || f.Impact == "critical" {
			t.Errorf("axe %s (%s): %s\n\t%s", f.ID, f.Impact, f.Help, strings.Join(f.Nodes, "\n\t"))
		} else {
			t.Logf("axe %s (%s): %s", f.ID, f.Impact, f.Help)
		}
	}
	br.Do("from the supervision page", chromedp.Navigate(base+"/admin/supervision"), chromedp.WaitVisible(css(`header nav a[href="/admin/equipment"]`)),
		chromedp.Click(css(`header nav a[href="/admin/equipment"]`)), chromedp.WaitVisible(css(`#equipment-counts`)))
	t.Logf("screenshots in %s", br.Shots)
}
