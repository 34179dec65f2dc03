// Package hall is the service hall's own log: what window desks and kiosks
// record in their device's ledger and push to the platform, beside (never
// inside) any case. A window records each staff member's sign-in, pause,
// resume and sign-out at a numbered window, and each citizen's rating of
// a service there (好差评, rating.go); a kiosk records each time its
// administrator leaves or enters fullscreen or quits it. Each record names
// no case and is signed by the person it names, with their own key.
//
// The device writes these records (Append) and the platform checks them
// as they arrive (Check) with the same rules.
package hall

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/sanxiang-desk/sanxiang/app/ledger"
)

// The kinds of hall record.
const (
	KindWindowSignIn  = "window.signin"
	KindWindowPause   = "window.pause"
	KindWindowResume  = "window.resume"
	KindWindowSignOut = "window.signout"
	KindWindowRating  = "window.rating"
	KindKioskAdmin    = "kiosk.admin"
)

// What a kiosk administrator did (KioskBody.Action).
const (
	ActionLeaveFullscreen = "leave_fullscreen"
	ActionEnterFullscreen = "enter_fullscreen"
	ActionQuit            = "quit"
)

// WindowBody is a window record's body: the window's number and the staff
// member's staff number.
type WindowBody struct {
	Window string `json:"window"`
	Staff  string `json:"staff"`
}

// KioskBody is a kiosk administrator's record: what they did, and who.
type KioskBody struct {
	Action string `json:"action"`
	Admin  string `json:"admin"`
}

// Window reports whether kind is one of a window's records.
func Window(kind string) bool {
	switch kind {
	case KindWindowSignIn, KindWindowPause, KindWindowResume, KindWindowSignOut, KindWindowRating:
		return true
	}
	return false
}

// Kind reports whether kind is a hall record's.
func Kind(kind string) bool { return Window(kind) || kind == KindKioskAdmin }

// ErrNotHall is a record that is not a well-formed hall record.
var ErrNotHall = errors.New("not a hall record")

// Check says whether r is a well-formed hall record: a hall kind, no case,
// no media, not a correction, and a body that names its author (the staff
// member or the administrator) and, for a window, the window; a rating
// also obeys the rating's rules (CheckRating).
func Check(r *ledger.Record) error {
	if !Kind(r.Kind) {
		return fmt.Errorf("%w: record %d is a %s record", ErrNotHall, r.Seq, r.Kind)
	}
	if r.Case != "" || len(r.Media) > 0 || r.Corrects != nil {
		return fmt.Errorf("%w: record %d (%s) names a case, media or a correction", ErrNotHall, r.Seq, r.Kind)
	}
	var who string
	if Window(r.Kind) {
		var b WindowBody
		if err := json.Unmarshal(r.Body, &b); err != nil || strings.TrimSpace(b.Window) == "" {
			return fmt.Errorf("%w: record %d (%s) names no window", ErrNotHall, r.Seq, r.Kind)
		}
		who = b.Staff
	} else {
		var b KioskBody
		if err := json.Unmarshal(r.Body, &b); err != nil {
			return fmt.Errorf("%w: record %d (%s): %v", ErrNotHall, r.Seq, r.Kind, err)
		}
		switch b.Action {
		case ActionLeaveFullscreen, ActionEnterFullscreen, ActionQuit:
		default:
			return fmt.Errorf("%w: record %d (%s): action %q", ErrNotHall, r.Seq, r.Kind, b.Action)
		}
		who = b.Admin
	}
	if who == "" || who != r.Author {
		return fmt.Errorf("%w: record %d (%s) by %s names %q", ErrNotHall, r.Seq, r.Kind, r.Author, who)
	}
	if r.Kind == KindWindowRating {
		return checkRating(r)
	}
	return nil
}

// Appender is a device's ledger, whose append hook signs a record with its
// author's key (app/device installs it; casefile.Log is one).
type Appender interface {
	Append(ctx context.Context, r *ledger.Record) error
}

// AppendWindow records a window event by staff member staff at window.
func AppendWindow(ctx context.Context, l Appender, kind, window, staff string) (*ledger.Record, error) {
	return appendBody(ctx, l, kind, staff, WindowBody{Window: window, Staff: staff})
}

// AppendKiosk records a kiosk administrator's action.
func AppendKiosk(ctx context.Context, l Appender, action, admin string) (*ledger.Record, error) {
	return appendBody(ctx, l, KindKioskAdmin, admin, KioskBody{Action: action, Admin: admin})
}

func appendBody(ctx context.Context, l Appender, kind, author string, body any) (*ledger.Record, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("hall record %s: %w", kind, err)
	}
	r := &ledger.Record{Kind: kind, Author: author, Body: data}
	if err := Check(r); err != nil {
		return nil, err
	}
	if err := l.Append(ctx, r); err != nil {
		return nil, fmt.Errorf("hall record %s by %s: %w", kind, author, err)
	}
	return r, nil
}
