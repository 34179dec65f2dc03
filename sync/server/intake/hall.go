package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/hall"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/people"
)

// Why a push is refused for its hall records (issue 16: kiosks and
// windows push their own logs, such as window sign-ins, and nothing else).
var (
	// errNotHallRecord: a kiosk or a window pushed a record that is not its
	// hall log's (a case's record, a malformed one, another kind's), or an
	// officer's device pushed a hall record. Coded wrong_kind, as the
	// officer-only routes refuse a kiosk's token.
	errNotHallRecord = errors.New("a kiosk or a window may push only its hall records")
	// errNotHallStaff: a hall record not signed by its author, or by a
	// person who is not of the role that works at that device.
	errNotHallStaff = errors.New("a hall record is not signed by its author as staff of that device's role")
)

// hallDevice is the kind of device a hall record's kind is written on.
func hallDevice(kind string) string {
	if hall.Window(kind) {
		return api.DeviceWindow
	}
	return api.DeviceKiosk
}

// checkHallPush is the push's rule on what a kiosk or a window may push:
// every record a well-formed hall record (hall.Check: a hall kind, no
// case, no media, its body naming its author) of that kind of device. An
// officer's device may push no hall record.
func checkHallPush(d Device, raw [][]byte) error {
	for i, data := range raw {
		var r casefile.Record
		if err := json.Unmarshal(data, &r); err != nil {
			if d.Kind == api.DeviceOfficer {
				continue // the officer's rules decide (decodeRecords)
			}
			return fmt.Errorf("%w: a %s device's record %d does not decode: %v", errNotHallRecord, d.Kind, i, err)
		}
		if d.Kind == api.DeviceOfficer {
			if hall.Kind(r.Kind) {
				return fmt.Errorf("%w: an officer's device pushed a %s record (%d)", errNotHallRecord, r.Kind, r.Seq)
			}
			continue
		}
		if err := hall.Check(&r); err != nil {
			return fmt.Errorf("%w: a %s device: %w", errNotHallRecord, d.Kind, err)
		}
		if hallDevice(r.Kind) != d.Kind {
			return fmt.Errorf("%w: a %s device pushed a %s record (%d)", errNotHallRecord, d.Kind, r.Kind, r.Seq)
		}
	}
	return nil
}

// hallRole is the role of the people who sign a hall record's kind.
func hallRole(kind string) string {
	if hall.Window(kind) {
		return api.RoleStaff
	}
	return api.RoleKioskAdmin
}

// checkHallSigner: a hall record is signed by its author (checkSigs has
// verified the signature under a key registered to them on this device),
// who must be a person of the role that works at that device. A person
// the platform has deactivated is flagged, not refused, as a revoked key
// is: the device may not have heard, and its log cannot be rewritten.
func (s *Intake) checkHallSigner(ctx context.Context, r *casefile.Record, signed map[string]bool, pre *sigChecks) (flag string, err error) {
	if !signed[r.Author] {
		return "", fmt.Errorf("%w: record %d (%s) is not signed by %s", errNotHallStaff, r.Seq, r.Kind, r.Author)
	}
	p, err := pre.person(r.Author)
	if errors.Is(err, people.ErrNoPerson) {
		return "", fmt.Errorf("%w: record %d: %s is nobody the platform knows", errNotHallStaff, r.Seq, r.Author)
	}
	if err != nil {
		return "", err
	}
	if p.Role != hallRole(r.Kind) {
		return "", fmt.Errorf("%w: record %d (%s) signed by %s, a %s", errNotHallStaff, r.Seq, r.Kind, r.Author, p.Role)
	}
	if !p.Active {
		return fmt.Sprintf("record %d (%s) signed by %s at %s, whom the platform has deactivated",
			r.Seq, r.Kind, r.Author, r.At.UTC().Format(time.RFC3339)), nil
	}
	return "", nil
}

// HallEntry is one hall record as the platform holds it: who served at
// which window (or looked after which kiosk), when, on which device.
type HallEntry struct {
	Device string    `json:"device"`
	Seq    int64     `json:"seq"`
	Kind   string    `json:"kind"`
	At     time.Time `json:"at"`
	Person string    `json:"person"`
	Window string    `json:"window,omitempty"`
	Action string    `json:"action,omitempty"`
	// Signed says the author's signature is on the record (the push
	// verified it under their registered key).
	Signed bool `json:"signed"`
}

// HallLog lists the hall records of every kiosk and window, oldest first
// by device and place in its log; device "" for all.
func (s *Intake) HallLog(ctx context.Context, device string) (_ []HallEntry, err error) {
	defer wrap.Err(&err, "hall log")
	rows, err := s.db.QueryContext(ctx, `SELECT l.device, l.seq, l.data FROM log_records l JOIN devices d ON d.id = l.device
		WHERE d.kind IN (?, ?) AND (? = '' OR l.device = ?) ORDER BY l.device, l.seq`,
		api.DeviceWindow, api.DeviceKiosk, device, device)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []HallEntry
	for rows.Next() {
		var e HallEntry
		var data []byte
		if err := rows.Scan(&e.Device, &e.Seq, &data); err != nil {
			return nil, err
		}
		var r casefile.Record
		if json.Unmarshal(data, &r) != nil || !hall.Kind(r.Kind) {
			continue
		}
		e.Kind, e.At, e.Person = r.Kind, r.At, r.Author
		_, e.Signed = r.SigBy(r.Author)
		var b struct{ Window, Action string }
		_ = json.Unmarshal(r.Body, &b)
		e.Window, e.Action = b.Window, b.Action
		out = append(out, e)
	}
	return out, rows.Err()
}

// OpenWindows lists the windows open now: each window device whose latest
// hall record is a sign-in or a resume (one read of each device's newest
// record), with the staff member's name from the people registry.
func (s *Intake) OpenWindows(ctx context.Context) (_ []api.OpenWindow, err error) {
	defer wrap.Err(&err, "open windows")
	rows, err := s.db.QueryContext(ctx, `SELECT l.device, l.data FROM log_records l JOIN devices d ON d.id = l.device
		WHERE d.kind = ? AND l.seq = (SELECT max(seq) FROM log_records m WHERE m.device = l.device)
		ORDER BY l.device`, api.DeviceWindow)
	if err != nil {
		return nil, err
	}
	out := []api.OpenWindow{}
	var rated []int // windows whose newest record is a rating
	for rows.Next() {
		var dev string
		var data []byte
		if err := rows.Scan(&dev, &data); err != nil {
			rows.Close()
			return nil, err
		}
		var r casefile.Record
		// A rating is made only while staff serve (the desk asks for none
		// while paused), so a window whose newest record is one is open.
		if json.Unmarshal(data, &r) != nil || r.Kind != hall.KindWindowSignIn && r.Kind != hall.KindWindowResume && r.Kind != hall.KindWindowRating {
			continue
		}
		var b hall.WindowBody
		if json.Unmarshal(r.Body, &b) != nil || b.Window == "" {
			continue
		}
		out = append(out, api.OpenWindow{Window: b.Window, Device: dev, Staff: r.Author, Since: r.At})
		if r.Kind == hall.KindWindowRating {
			rated = append(rated, len(out)-1)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, i := range rated {
		if err := s.openSince(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	for i := range out {
		if p, err := s.people.Get(ctx, out[i].Staff); err == nil {
			out[i].Name = p.Name
		}
	}
	return out, nil
}

// openSince finds when a window whose newest record is a rating opened:
// its latest sign-in or resume, among the records before (a day's
// ratings at most: further back, the rating's time stands).
func (s *Intake) openSince(ctx context.Context, w *api.OpenWindow) error {
	rows, err := s.db.QueryContext(ctx, `SELECT data FROM log_records WHERE device = ? ORDER BY seq DESC LIMIT 2000`, w.Device)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return err
		}
		var r casefile.Record
		if json.Unmarshal(data, &r) == nil && (r.Kind == hall.KindWindowSignIn || r.Kind == hall.KindWindowResume) {
			w.Since = r.At
			return nil
		}
	}
	return rows.Err()
}
