package client

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/app/hall"
	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// deviceKind is the kind of device an identity enrolled: an identity kept
// before the kind was recorded is an officer's (only officers' devices
// synced then).
func deviceKind(id Identity) string {
	if id.Kind == "" {
		return api.DeviceOfficer
	}
	return id.Kind
}

// hallSteps is a kiosk's or a window's part of a round, after the public
// lists: who may sign (a deactivated person or a revoked key is refused
// here from then on), then the device's own log (the hall records its
// people signed), which the platform takes only from such a device.
func hallSteps(ctx context.Context, c *Client, dev *device.Device, ok func(string, error) bool, done func(string, map[string]any)) {
	if r, err := c.PullPeople(ctx); ok("people", err) && ok("people", dev.SavePeople(r)) && dev.Catalog != nil {
		_, err := PullPhotos(ctx, c.r, dev.Catalog)
		ok("photos", err)
	}
	if pr, err := c.Push(ctx, dev.Log); ok("push", err) {
		done("cli.pushed", map[string]any{"N": pr.Pushed, "Size": pr.Size})
	}
}

// HallLog is a kiosk's or a window's log of its people's acts (sign-ins
// at a window, a kiosk administrator leaving fullscreen): each is a record
// of the device's ledger signed by the person, pushed to the platform
// soon after (Run), or at the next round when the platform cannot be
// reached.
type HallLog struct {
	Dev  *device.Device
	kick chan struct{}
	// OnWindows, when set on a window, hears which windows are open after
	// each push (on Run's goroutine): a paused window's display points to
	// the nearest.
	OnWindows func([]api.OpenWindow)
}

// NewHallLog is the hall log of an open device folder with its ledger.
func NewHallLog(dev *device.Device) *HallLog {
	return &HallLog{Dev: dev, kick: make(chan struct{}, 1)}
}

// Window records a window event (hall.KindWindowSignIn…) by staff at
// window, signed with the staff member's key, held since their sign-in.
func (h *HallLog) Window(ctx context.Context, kind, window, staff string) error {
	_, err := hall.AppendWindow(ctx, h.Dev.Log, kind, window, staff)
	h.Push()
	return err
}

// Kiosk records a kiosk administrator's action, signed with their key.
func (h *HallLog) Kiosk(ctx context.Context, action, admin string) error {
	_, err := hall.AppendKiosk(ctx, h.Dev.Log, action, admin)
	h.Push()
	return err
}

// Push asks Run to push soon.
func (h *HallLog) Push() {
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

// Run pushes the log on an enrolled kiosk or window now, every period,
// and soon after each record, until ctx ends; each push's outcome goes to
// report (on this goroutine). The public lists are pulled apart (Lists).
// A device not enrolled keeps its records for later.
func (h *HallLog) Run(ctx context.Context, period time.Duration, report func(Result, error)) {
	if report == nil {
		report = func(_ Result, err error) {
			if err != nil {
				slog.Error("push the hall log", "err", err)
			}
		}
	}
	for {
		// The hall log runs on kiosks and windows only; an identity kept
		// before the kind was recorded is theirs here.
		if id, err := LoadIdentity(h.Dev.Dir, h.Dev.Keys()); err == nil && id.Kind != api.DeviceOfficer {
			res, err := pushHall(ctx, id, h.Dev)
			if ctx.Err() != nil {
				return
			}
			report(res, err)
			if h.OnWindows != nil && deviceKind(id) == api.DeviceWindow {
				if open, err := New(id).OpenWindows(ctx); err == nil {
					h.OnWindows(open)
				} else if ctx.Err() == nil {
					report(Result{}, err)
				}
			}
		} else if err != nil && !errors.Is(err, os.ErrNotExist) {
			report(Result{}, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-h.kick:
		case <-time.After(period):
		}
	}
}

// pushHall is hallSteps on its own, within a round's time.
func pushHall(ctx context.Context, id Identity, dev *device.Device) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, RoundTimeout)
	defer cancel()
	var res Result
	ok := func(step string, err error) bool {
		if err != nil {
			res.Failed = append(res.Failed, stepFailed(ctx, step, err, id.Platform))
		}
		return err == nil
	}
	done := func(key string, args map[string]any) { res.Done = append(res.Done, Message{key, args}) }
	hallSteps(ctx, NewOnDevice(id, dev.Dir, dev.Keys()), dev, ok, done)
	return res, res.Err()
}

// OpenWindows asks the platform which windows are open now.
func (c *Client) OpenWindows(ctx context.Context) (_ []api.OpenWindow, err error) {
	defer wrap(&err, "ask which windows are open")
	var out []api.OpenWindow
	resp, err := c.r.R().SetContext(ctx).SetResult(&out).Get(api.PathOpenWindows)
	return out, fail(resp, err)
}

// Rating records a citizen's rating of a service at a window, signed with
// the key of the staff member who served (hall.AppendRating), and pushes
// it soon.
func (h *HallLog) Rating(ctx context.Context, b hall.RatingBody) error {
	_, err := hall.AppendRating(ctx, h.Dev.Log, b)
	h.Push()
	return err
}
