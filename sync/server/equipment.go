package server

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/mediaimport"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/people"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
)

// The equipment register (issue 24, part 4): each agency's audio-video
// equipment — the enrolled desks that capture, and the body cameras
// (执法记录仪) administrators register by hand — with what each recorded
// and stored, and the counts of officers, reviewers and devices the seed
// asks for.
//
// A device belongs to the agency most of its cases name (the cases
// table, which supervision counts by); a device with no case yet belongs
// to the agency of the people whose keys were made on it; one with
// neither is unassigned (the city's office sees it apart). A recording
// imported from a file is a body camera's: the one of the desk's agency
// whose make and model the file names, or, when the file names none, the
// one camera assigned to the officer who imported it — both as the
// camera's history stood when the recording was made, so reassigning or
// scrapping a camera later does not move what it recorded before.

// DefaultStaleDays is how long without a sync flags a device by default.
const DefaultStaleDays = 7

// cameraSerial is a body camera's serial number as its label prints it.
var cameraSerial = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{3,31}$`)

// Equipment is the register as of now: every agency's ("") or one's.
func (s *Server) Equipment(ctx context.Context, agency string, staleDays int) (_ api.Equipment, err error) {
	defer wrap.Err(&err, "equipment register of %q", agency)
	if staleDays <= 0 {
		staleDays = DefaultStaleDays
	}
	now := s.now().UTC()
	out := api.Equipment{AsOf: now.Format(time.RFC3339), StaleDays: staleDays, Agencies: []api.AgencyEquipment{}, Unassigned: []api.EquipmentDevice{}}
	if err := s.seen.flush(ctx); err != nil {
		s.log.Warn("equipment listed with last seen times up to half a minute old", "err", err)
	}
	ags, err := s.Agencies(ctx)
	if err != nil {
		return out, err
	}
	byCode := map[string]*api.AgencyEquipment{}
	add := func(code string) *api.AgencyEquipment {
		if a, ok := byCode[code]; ok {
			return a
		}
		a := &api.AgencyEquipment{Agency: code, Name: catalog.AgencyName(ags, code), DevicesByKind: map[string]int{},
			Devices: []api.EquipmentDevice{}, Cameras: []api.BodyCamera{}}
		byCode[code] = a
		return a
	}
	for _, a := range ags {
		add(a.Code)
	}
	staff, err := s.staffing(ctx)
	if err != nil {
		return out, err
	}
	for _, st := range staff {
		a := add(st.Agency)
		a.Officers, a.Reviewers = st.Officers, st.Reviewers
	}
	cams, err := s.BodyCameras(ctx, "")
	if err != nil {
		return out, err
	}
	hist, err := s.cameraHistories(ctx)
	if err != nil {
		return out, err
	}
	camsOf := map[string][]*api.BodyCamera{}
	for i := range cams {
		camsOf[cams[i].Agency] = append(camsOf[cams[i].Agency], &cams[i])
	}
	owners, err := s.deviceAgencies(ctx)
	if err != nil {
		return out, err
	}
	devs, err := s.Devices(ctx)
	if err != nil {
		return out, err
	}
	camFiles := map[*api.BodyCamera]map[string]bool{}
	for _, d := range devs {
		e := api.EquipmentDevice{ID: d.ID, Name: d.Name, Kind: d.Kind, Agency: owners[d.ID], Enrolled: d.Enrolled, LastSeen: d.LastSeen,
			State: api.DeviceOK, Capture: []string{}}
		if seen, err := time.Parse(time.RFC3339Nano, d.LastSeen); err != nil || now.Sub(seen) >= time.Duration(staleDays)*24*time.Hour {
			e.State = api.DeviceStale
		}
		if d.Revoked {
			e.State = api.DeviceRevoked
		}
		if err := s.db.QueryRowContext(ctx, `SELECT coalesce(sum(size), 0) FROM media WHERE device = ?`, d.ID).Scan(&e.StorageBytes); err != nil {
			return out, fmt.Errorf("storage of device %s: %w", d.ID, err)
		}
		a := (*api.AgencyEquipment)(nil)
		if e.Agency != "" {
			a = add(e.Agency)
		}
		err := s.deviceRecordings(ctx, d.ID, func(rec casefile.Record, b mediaimport.Body) {
			if b.Import == nil {
				count(&e.Recordings, b.Kind)
				if b.Device != "" && !slices.Contains(e.Capture, b.Device) {
					e.Capture = append(e.Capture, b.Device)
				}
				return
			}
			e.Imported++
			if a == nil {
				return
			}
			cam := cameraOf(camsOf[e.Agency], hist, rec, b)
			if cam == nil {
				count(&a.Unattributed, b.Kind)
				return
			}
			count(&cam.Recordings, b.Kind)
			if at := b.Start.UTC().Format(time.RFC3339); !b.Start.IsZero() && at > cam.LastImport {
				cam.LastImport = at
			}
			if camFiles[cam] == nil {
				camFiles[cam] = map[string]bool{}
			}
			for _, f := range b.Files {
				camFiles[cam][f.SHA256] = true
			}
		})
		if err != nil {
			return out, err
		}
		if a == nil {
			out.Unassigned = append(out.Unassigned, e)
			continue
		}
		a.Devices = append(a.Devices, e)
		if e.State != api.DeviceRevoked {
			a.DevicesByKind[e.Kind]++
		}
		a.StorageBytes += e.StorageBytes
		addRecordings(&a.Recordings, e.Recordings)
	}
	for cam, files := range camFiles {
		for sha := range files {
			var n int64
			err := s.db.QueryRowContext(ctx, `SELECT size FROM media WHERE sha256 = ?`, sha).Scan(&n)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return out, fmt.Errorf("storage of camera %s: %w", cam.Serial, err)
			}
			cam.StorageBytes += n // a file not uploaded yet holds nothing
		}
	}
	for code, list := range camsOf {
		a := add(code)
		for _, c := range list {
			a.Cameras = append(a.Cameras, *c)
			addRecordings(&a.Recordings, c.Recordings)
			if c.Status != api.CameraScrapped {
				a.BodyCameras++
			}
			if c.Status == api.CameraInUse {
				a.BodyCamerasInUse++
			}
		}
	}
	for _, a := range byCode {
		addRecordings(&a.Recordings, a.Unattributed)
		if a.BodyCamerasInUse > 0 {
			a.OfficersPerCamera = float64(a.Officers) / float64(a.BodyCamerasInUse)
		}
		if agency == "" || a.Agency == agency {
			out.Agencies = append(out.Agencies, *a)
		}
	}
	slices.SortFunc(out.Agencies, func(x, y api.AgencyEquipment) int { return cmp.Compare(x.Agency, y.Agency) })
	if agency != "" {
		out.Unassigned = []api.EquipmentDevice{}
	}
	return out, nil
}

func count(r *api.Recordings, kind string) {
	switch kind {
	case casefile.MediaAudio:
		r.Audio++
	case casefile.MediaVideo:
		r.Video++
	case casefile.MediaPhoto:
		r.Photo++
	}
}

func addRecordings(to *api.Recordings, r api.Recordings) {
	to.Audio, to.Video, to.Photo = to.Audio+r.Audio, to.Video+r.Video, to.Photo+r.Photo
}

// cameraState is a camera as one row of its history set it.
type cameraState struct {
	officer, status string
	at              time.Time
}

// cameraAt is the camera's state when a recording was made: the row in
// force then, or its first row for a recording older than its
// registration (a camera registered after its files were imported).
func cameraAt(h []cameraState, t time.Time) cameraState {
	st := h[0]
	for _, r := range h[1:] {
		if r.at.After(t) {
			break
		}
		st = r
	}
	return st
}

// cameraOf is the registered camera of the desk's agency an imported
// recording came from, or nil when none can be named: the file's make and
// model when it names them (several of one model told apart by the
// officer each was assigned to then), else the one camera assigned then
// to the officer who imported it. A camera scrapped by then made nothing.
func cameraOf(cams []*api.BodyCamera, hist map[string][]cameraState, rec casefile.Record, b mediaimport.Body) *api.BodyCamera {
	named := b.Device
	if b.Photo != nil && b.Photo.Make+b.Photo.Model != "" {
		named = b.Photo.Make + " " + b.Photo.Model
	}
	named = strings.ToLower(named)
	when := b.Start
	if when.IsZero() {
		when = rec.At
	}
	var byName, byOfficer []*api.BodyCamera
	for _, c := range cams {
		h := hist[c.Serial]
		if len(h) == 0 {
			continue
		}
		st := cameraAt(h, when)
		if st.status == api.CameraScrapped {
			continue
		}
		mine := st.officer != "" && st.officer == rec.Author
		if named != "" && strings.Contains(named, strings.ToLower(c.Make)) && strings.Contains(named, strings.ToLower(c.Model)) {
			byName = append(byName, c)
			if mine {
				byOfficer = append(byOfficer, c)
			}
		} else if named == "" && mine {
			byOfficer = append(byOfficer, c)
		}
	}
	pick := byOfficer
	if named != "" && len(byName) == 1 {
		pick = byName
	}
	if len(pick) != 1 {
		return nil
	}
	return pick[0]
}

// cameraHistories are every camera's rows, oldest first, by serial.
func (s *Server) cameraHistories(ctx context.Context) (_ map[string][]cameraState, err error) {
	defer wrap.Err(&err, "body camera histories")
	rows, err := s.db.QueryContext(ctx, `SELECT serial, officer, status, at FROM body_cameras ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]cameraState{}
	for rows.Next() {
		var serial, at string
		var st cameraState
		if err := rows.Scan(&serial, &st.officer, &st.status, &at); err != nil {
			return nil, err
		}
		if st.at, err = time.Parse(time.RFC3339Nano, at); err != nil {
			return nil, fmt.Errorf("camera %s: time %q: %w", serial, at, err)
		}
		out[serial] = append(out[serial], st)
	}
	return out, rows.Err()
}

// deviceRecordings calls fn with each media record of the device's log.
func (s *Server) deviceRecordings(ctx context.Context, device string, fn func(casefile.Record, mediaimport.Body)) (err error) {
	defer wrap.Err(&err, "recordings of device %s", device)
	rows, err := s.db.QueryContext(ctx, `SELECT data FROM log_records WHERE device = ? ORDER BY seq`, device)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return err
		}
		var rec casefile.Record
		if err := json.Unmarshal(data, &rec); err != nil {
			return fmt.Errorf("a record: %w", err)
		}
		if rec.Kind != casefile.KindMedia {
			continue
		}
		if b, ok := mediaimport.BodyOf(rec); ok {
			fn(rec, b)
		}
	}
	return rows.Err()
}

// deviceAgencies names each device's agency: the one most of its cases
// name, else the one of most of the people whose keys were made on it.
func (s *Server) deviceAgencies(ctx context.Context) (_ map[string]string, err error) {
	defer wrap.Err(&err, "device agencies")
	out := map[string]string{}
	for _, q := range []string{
		`SELECT device, agency, count(*) FROM cases GROUP BY device, agency ORDER BY device, count(*) DESC, agency`,
		`SELECT k.device, p.agency, count(*) FROM person_keys k JOIN people p ON p.id = k.person GROUP BY k.device, p.agency ORDER BY k.device, count(*) DESC, p.agency`,
	} {
		rows, err := s.db.QueryContext(ctx, q)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var dev, agency string
			var n int
			if err := rows.Scan(&dev, &agency, &n); err != nil {
				rows.Close()
				return nil, err
			}
			if _, ok := out[dev]; !ok && agency != "" {
				out[dev] = agency
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// BodyCameras are the registered body cameras as they stand now, of one
// agency or ("") all, by serial.
func (s *Server) BodyCameras(ctx context.Context, agency string) (_ []api.BodyCamera, err error) {
	defer wrap.Err(&err, "body cameras of %q", agency)
	rows, err := s.db.QueryContext(ctx, `SELECT serial, agency, make, model, officer, status, at, actor FROM body_cameras b
		WHERE seq = (SELECT max(seq) FROM body_cameras WHERE serial = b.serial) AND (? = '' OR agency = ?) ORDER BY serial`, agency, agency)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []api.BodyCamera{}
	for rows.Next() {
		var c api.BodyCamera
		if err := rows.Scan(&c.Serial, &c.Agency, &c.Make, &c.Model, &c.Officer, &c.Status, &c.Changed, &c.ChangedBy); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// BodyCameraHistory is every change of one camera, oldest first.
func (s *Server) BodyCameraHistory(ctx context.Context, serial string) (_ []api.BodyCamera, err error) {
	defer wrap.Err(&err, "history of body camera %s", serial)
	rows, err := s.db.QueryContext(ctx, `SELECT serial, agency, make, model, officer, status, at, actor FROM body_cameras WHERE serial = ? ORDER BY seq`, serial)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []api.BodyCamera{}
	for rows.Next() {
		var c api.BodyCamera
		if err := rows.Scan(&c.Serial, &c.Agency, &c.Make, &c.Model, &c.Officer, &c.Status, &c.Changed, &c.ChangedBy); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// PutBodyCamera registers a camera or records a change of one, as a new
// row by actor. scope, when not "", is the one agency the administrator
// may register for: another agency's camera is not found for them. create
// says the form is a new registration (a serial already taken is refused).
func (s *Server) PutBodyCamera(ctx context.Context, scope, actor string, c api.BodyCamera, create bool) (err error) {
	defer wrap.Err(&err, "put body camera %s", c.Serial)
	c.Serial, c.Make, c.Model, c.Officer = strings.TrimSpace(c.Serial), strings.TrimSpace(c.Make), strings.TrimSpace(c.Model), strings.TrimSpace(c.Officer)
	if scope != "" {
		c.Agency = scope
	}
	refuse := func(status int, code, detail string) error {
		return &console.EquipmentError{Code: code, Status: status, Detail: detail}
	}
	if !cameraSerial.MatchString(c.Serial) {
		return refuse(http.StatusUnprocessableEntity, "bad_serial", c.Serial)
	}
	if c.Make == "" || c.Model == "" || len(c.Make) > 64 || len(c.Model) > 64 {
		return refuse(http.StatusUnprocessableEntity, "bad_model", "")
	}
	if !slices.Contains(api.CameraStatuses, c.Status) {
		return refuse(http.StatusUnprocessableEntity, "bad_status", c.Status)
	}
	ags, err := s.Agencies(ctx)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(ags, func(a catalog.Agency) bool { return a.Code == c.Agency }) {
		return refuse(http.StatusUnprocessableEntity, "bad_agency", c.Agency)
	}
	if c.Officer != "" {
		p, err := s.people.Get(ctx, c.Officer)
		switch {
		case errors.Is(err, people.ErrNoPerson):
			return refuse(http.StatusUnprocessableEntity, "bad_officer", c.Officer)
		case err != nil:
			return err
		case p.Agency != c.Agency || p.Role != api.RoleOfficer || !p.Active:
			return refuse(http.StatusUnprocessableEntity, "bad_officer", c.Officer)
		}
	}
	return s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		// Two registrations of one serial at once on PostgreSQL: one waits.
		if err := tx.Lock(ctx, "body_camera "+c.Serial); err != nil {
			return err
		}
		var was string
		err := tx.QueryRowContext(ctx, `SELECT agency FROM body_cameras WHERE serial = ? ORDER BY seq DESC LIMIT 1`, c.Serial).Scan(&was)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if !create {
				return refuse(http.StatusNotFound, "not_found", c.Serial)
			}
		case err != nil:
			return err
		case scope != "" && was != scope:
			if create {
				return refuse(http.StatusConflict, "serial_taken", c.Serial)
			}
			return refuse(http.StatusNotFound, "not_found", c.Serial)
		case create:
			return refuse(http.StatusConflict, "serial_taken", c.Serial)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO body_cameras (serial, agency, make, model, officer, status, at, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Serial, c.Agency, c.Make, c.Model, c.Officer, c.Status, s.now().UTC().Format(time.RFC3339Nano), actor)
		return err
	})
}

// equipmentJSON: GET /api/v1/admin/equipment?stale_days=, the register;
// a token held to one agency gets that agency's.
func (s *Server) equipmentJSON(w http.ResponseWriter, r *http.Request) {
	days, ok := web.IntParam(w, r, "stale_days", DefaultStaleDays, 1, 365)
	if !ok {
		return
	}
	t, _ := console.TokenFrom(r.Context())
	eq, err := s.Equipment(r.Context(), t.Agency, int(days))
	web.Respond(w, r, eq, err)
}

// equipmentDesk is the register as the console shows and edits it.
type equipmentDesk struct{ s *Server }

func (d equipmentDesk) Register(ctx context.Context, scope string, staleDays int) (api.Equipment, error) {
	return d.s.Equipment(ctx, scope, staleDays)
}

func (d equipmentDesk) PutCamera(ctx context.Context, scope, actor string, c api.BodyCamera, create bool) error {
	return d.s.PutBodyCamera(ctx, scope, actor, c, create)
}

func (d equipmentDesk) Camera(ctx context.Context, scope, serial string) ([]api.BodyCamera, error) {
	h, err := d.s.BodyCameraHistory(ctx, serial)
	if err != nil {
		return nil, err
	}
	if len(h) == 0 || (scope != "" && h[len(h)-1].Agency != scope) {
		return nil, &console.EquipmentError{Code: "not_found", Status: http.StatusNotFound, Detail: serial}
	}
	return h, nil
}

var _ console.Equipment = equipmentDesk{}
