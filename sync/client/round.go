package client

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// Message is something to tell people, as a translation key and its
// values; a value that is itself a Message is translated too. The screens
// and the command line translate it; this package never words anything.
type Message struct {
	Key  string
	Args map[string]any
}

// Keyed gives the key and values (app/shell translates anything Keyed).
func (m Message) Keyed() (string, map[string]any) { return m.Key, m.Args }

// StepError is a step of a sync or a pull that failed: which step, the
// error, and why in a message for people.
type StepError struct {
	Step string // catalog, identity, people, photos, push, policies, procedures, calendar, av, deadlines, reviewers, opinions, queue, handovers, tasks, media
	Err  error
	Why  Message
}

func (e *StepError) Error() string { return fmt.Sprintf("sync %s: %v", e.Step, e.Err) }
func (e *StepError) Unwrap() error { return e.Err }

// Keyed words the failure as "<step> did not finish: <why>".
func (e *StepError) Keyed() (string, map[string]any) {
	return "sync.step_failed", map[string]any{"Step": Message{Key: "sync.step." + e.Step}, "Why": e.Why}
}

// Result is what a round did and what failed, in order.
type Result struct {
	Done   []Message
	Failed []*StepError
}

// Err joins the failed steps; nil when every step was done.
func (r Result) Err() error {
	errs := make([]error, len(r.Failed))
	for i, f := range r.Failed {
		errs[i] = f
	}
	return errors.Join(errs...)
}

// RoundTimeout bounds one sync round.
const RoundTimeout = 10 * time.Minute

// Round is one sync round over an open device folder (catalog, accounts and
// ledger): it pulls the public lists and, on an enrolled device, pushes the
// record log and its evidence and pulls what concerns the device, keeping
// it in the folder. Each step is tried even when an earlier one failed,
// unless it needs that one: a platform that cannot send its calendar still
// takes the officer's records and evidence. Once the platform cannot be
// worked with (no answer, the token refused, a gateway saying it is down)
// the rest is not tried. progress hears of evidence uploads. The error is
// Result.Err.
func Round(ctx context.Context, dev *device.Device, progress func(Upload)) (Result, error) {
	if dev.Catalog == nil || dev.Log == nil {
		return Result{}, errors.New("sync: the device folder was opened without its catalog or ledger")
	}
	ctx, cancel := context.WithTimeout(ctx, RoundTimeout)
	defer cancel()
	var res Result
	offline := false
	platform := dev.Config.PlatformURL
	ok := func(step string, err error) bool {
		if err != nil {
			res.Failed = append(res.Failed, stepFailed(ctx, step, err, platform))
			offline = offline || platformDown(ctx, err)
		}
		return err == nil
	}
	done := func(key string, args map[string]any) { res.Done = append(res.Done, Message{key, args}) }
	result := func() (Result, error) { return res, res.Err() }

	// The lists come over the pinned connection when config.json names
	// the platform the device enrolled with.
	pin := ""
	if id, err := LoadIdentity(dev.Dir, dev.Keys()); err == nil && id.Platform == platform {
		pin = id.TLSPin
	}
	if n, err := PullPinned(ctx, platform, pin, dev.Catalog); ok("catalog", err) {
		done("cli.pulled", map[string]any{"N": n})
	}
	id, err := LoadIdentity(dev.Dir, dev.Keys())
	if errors.Is(err, os.ErrNotExist) {
		done("cli.not_enrolled", nil)
		return result()
	}
	if !ok("identity", err) {
		return result()
	}
	if id.Platform != platform {
		// The lists came from config.json's platform; the records go to
		// the one the device enrolled with.
		platform, offline = id.Platform, false
	}
	if offline {
		return result()
	}
	if id.Locked() {
		// The token is sealed and nobody is signed in: the lists came,
		// the device's own steps wait for a person.
		ok("identity", ErrLocked)
		return result()
	}
	if deviceKind(id) != api.DeviceOfficer {
		// A kiosk or a window holds no case: it pushes its hall log only.
		hallSteps(ctx, NewOnDevice(id, dev.Dir, dev.Keys()), dev, ok, done)
		return result()
	}
	agencies, err := dev.ReviewAgencies(ctx)
	if err != nil {
		return res, fmt.Errorf("sync: %w", err)
	}
	c := NewOnDevice(id, dev.Dir, dev.Keys())
	pushed := false
	steps := []func(){
		// Who may sign first: a key revoked or a person deactivated is
		// refused on this device from now on.
		func() {
			if r, err := c.PullPeople(ctx); ok("people", err) && ok("people", dev.SavePeople(r)) {
				_, err := PullPhotos(ctx, c.r, dev.Catalog)
				ok("photos", err)
			}
		},
		// The city's recovery keys, as notes signed by the platform key
		// this device pinned: the data key is wrapped for each (a lost
		// laptop stays recoverable by the city, and by nobody else).
		func() {
			if notes, err := c.RecoveryNotes(ctx); ok("recovery", err) {
				ok("recovery", dev.Book.AddRecoveryKeys(ctx, notes, c.Identity().PlatformKey))
			}
		},
		// The checkpoint alone first (issue 25): the log's state is fixed
		// by the platform and its witnesses before the records go up, and
		// the answer brings the newest cosigned checkpoint to keep.
		func() {
			if ans, err := c.SendCheckpoint(ctx, dev.Log); ok("checkpoint", err) && ans.CosignedSize > 0 {
				done("cli.witnessed", map[string]any{"Size": ans.CosignedSize})
			}
		},
		func() {
			pr, err := c.Push(ctx, dev.Log)
			if pushed = ok("push", err); pushed {
				done("cli.pushed", map[string]any{"N": pr.Pushed, "Size": pr.Size})
				for _, f := range pr.Flags {
					done("cli.flagged", map[string]any{"Flag": f})
				}
				// The trusted time-stamps of receipts (issue 25): kept
				// ones said, a refused one its own failed step.
				if pr.Timestamps > 0 {
					done("cli.timestamped", map[string]any{"N": pr.Timestamps})
				}
				if pr.TimestampsErr != nil {
					ok("timestamps", pr.TimestampsErr)
				}
			}
		},
		func() {
			if pols, err := c.PullPolicies(ctx); ok("policies", err) && len(pols) > 0 && ok("policies", dev.SavePolicies(pols)) {
				done("cli.policies_pulled", map[string]any{"N": len(pols)})
			}
		},
		// The agencies' procedures: from the next record on, the case log
		// applies them (an empty list: every agency on the national ones).
		func() {
			if procs, err := c.PullProcedures(ctx); ok("procedures", err) && ok("procedures", dev.SaveProcedures(procs)) && len(procs) > 0 {
				done("cli.procedures_pulled", map[string]any{"N": len(procs)})
			}
		},
		func() {
			if cal, err := c.PullCalendar(ctx); ok("calendar", err) {
				ok("calendar", dev.SaveCalendar(cal))
			}
		},
		func() {
			if av, err := c.PullAVLists(ctx); ok("av", err) && len(av) > 0 {
				ok("av", dev.SaveAVLists(av))
			}
			// An empty table is kept too: the agencies went back to the
			// national deadlines.
			if ds, err := c.PullDeadlines(ctx); ok("deadlines", err) {
				ok("deadlines", dev.SaveDeadlines(ds))
			}
		},
		// The notices (通报) about this device's cases, for the desk to
		// show on each case.
		func() {
			if list, err := c.PullNotices(ctx); ok("notices", err) {
				ok("notices", SaveNotices(dev, list))
			}
		},
		// Legal review across devices: the registry first, since taking an
		// opinion checks its reviewer against it.
		func() {
			if reviewers, err := c.PullReviewers(ctx); ok("reviewers", err) && ok("reviewers", dev.SaveReviewers(reviewers)) {
				if took, err := c.TakeOpinions(ctx, dev.Review); ok("opinions", err) && took > 0 {
					done("cli.opinions_taken", map[string]any{"N": took})
				}
			}
		},
		// The review queue goes only to a reviewer of its agency signed
		// in here, who signs the request.
		func() {
			var queue []review.RemoteCase
			asked := false
			for _, a := range agencies {
				rv, signed := signedInReviewer(dev, a)
				if !signed {
					continue
				}
				q, err := c.PullReviewQueue(ctx, a, rv)
				if !ok("queue", err) {
					return
				}
				queue, asked = append(queue, q...), true
			}
			if asked && ok("queue", dev.SaveReviewQueue(queue)) {
				done("cli.queue_pulled", map[string]any{"N": len(queue)})
			}
		},
		// Cases handed over to an officer signed in here, each request
		// signed by that officer.
		func() {
			n := 0
			for _, a := range dev.Book.Keys.SignedIn() {
				// One whose key or certificate the platform revoked asks
				// for nothing in their name.
				if a.Role != account.RoleOfficer || dev.PersonStands(ctx, a, time.Now()) != nil {
					continue
				}
				got, err := c.ReceiveHandovers(ctx, dev.Log, a)
				n += got
				if !ok("handovers", err) {
					return
				}
			}
			if n > 0 {
				done("cli.handovers_received", map[string]any{"N": n})
			}
		},
		// Drawn inspection tasks (双随机) of an officer signed in here: the
		// first of a task's two inspectors' desks to sync takes it up and
		// opens its case; each officer's list is kept for the desk offline.
		func() {
			n, lists := 0, map[string]TaskList{}
			var failed error
			for _, a := range dev.Book.Keys.SignedIn() {
				if a.Role != account.RoleOfficer || dev.PersonStands(ctx, a, time.Now()) != nil {
					continue
				}
				// Only a certificate holder the public list names is ever
				// drawn (and may ask): the list came in the round's first step.
				if _, err := dev.Catalog.Get(ctx, catalog.KindOfficer, a.ID); errors.Is(err, catalog.ErrNotFound) {
					continue
				} else if !ok("tasks", err) {
					return
				}
				before, err := dev.Log.TaskCases(ctx)
				if !ok("tasks", err) {
					return
				}
				states, err := c.TakeUpTasks(ctx, dev.Log, a)
				if states != nil {
					lists[a.ID] = TaskList{At: time.Now().UTC(), Tasks: states}
				}
				for _, st := range states {
					if st.Case != "" && before[st.Task.ID] == "" {
						n++
					}
				}
				if err != nil {
					failed = err
					if platformDown(ctx, err) {
						break
					}
				}
			}
			ok("tasks", failed)
			if len(lists) > 0 {
				ok("tasks", SaveTasks(dev, lists))
			}
			if n > 0 {
				done("cli.tasks_opened", map[string]any{"N": n})
				// The new cases go up in this round, so the platform knows
				// at once which case carries each task.
				_, err := c.Push(ctx, dev.Log)
				ok("push", err)
			}
		},
		// Evidence goes up only behind the records that name it.
		func() {
			if !pushed {
				return
			}
			files, err := c.PushMedia(ctx, dev.Log, progress)
			if files > 0 || err == nil {
				done("cli.media_pushed", map[string]any{"N": files})
			}
			ok("media", err)
		},
	}
	for _, step := range steps {
		if offline {
			break
		}
		step()
	}
	return result()
}

// signedInReviewer is a legal reviewer of agency signed in on dev.
func signedInReviewer(dev *device.Device, agency string) (account.Account, bool) {
	for _, a := range dev.Book.Keys.SignedIn() {
		if a.Role == account.RoleReviewer && a.Agency == agency {
			return a, true
		}
	}
	return account.Account{}, false
}

// stepFailed names a step of a sync or pull that failed, and why.
func stepFailed(ctx context.Context, step string, err error, platform string) *StepError {
	return &StepError{Step: step, Err: err, Why: Why(ctx, err, platform)}
}

// Why says why a call to the platform failed, as a message for people;
// ctx is the sync's (or pull's) own, whose end is told from a slow
// platform.
func Why(ctx context.Context, err error, platform string) Message {
	var refused *Error
	switch {
	case TrustCode(err) != "":
		// Before "unreachable": a refused certificate is no network trouble.
		return Message{"sync.why_" + TrustCode(err), map[string]any{"URL": platform}}
	case ctx.Err() != nil:
		return Message{Key: "sync.why_timeout"}
	case errors.Is(err, ErrLocked):
		return Message{Key: "sync.why_locked"}
	case errors.Is(err, ErrUnauthorized):
		return Message{Key: "sync.why_unauthorized"}
	case errors.Is(err, ErrFork):
		return Message{Key: "sync.why_fork"}
	case errors.Is(err, ErrRotationNotSigned):
		return Message{Key: "sync.why_rotation_not_signed"}
	case errors.Is(err, ErrCorrupt):
		return Message{Key: "sync.why_corrupt"}
	case errors.Is(err, ledger.ErrReceiptForged):
		return Message{Key: "sync.why_receipt_forged"}
	case errors.Is(err, context.DeadlineExceeded):
		return Message{"sync.why_slow", map[string]any{"URL": platform}}
	case errors.Is(err, ErrUnreachable):
		return Message{"sync.why_unreachable", map[string]any{"URL": platform}}
	case errors.As(err, &refused) && refused.Status >= 500:
		// The platform's own trouble: its detail is for its administrator.
		return Message{"sync.why_platform_error", map[string]any{"Status": refused.Status}}
	case errors.As(err, &refused):
		return Message{"sync.why_refused", map[string]any{"Status": refused.Status, "Message": refused.Problem.Message, "Detail": refused.Problem.Detail}}
	}
	return Message{"sync.why_other", map[string]any{"Error": err.Error()}}
}

// platformDown says whether err means the platform cannot be worked with
// now, so the rest of a sync is not tried: no answer, the device's token
// refused, or a gateway saying the platform is down.
func platformDown(ctx context.Context, err error) bool {
	var refused *Error
	return ctx.Err() != nil || errors.Is(err, ErrUnreachable) || errors.Is(err, ErrUnauthorized) ||
		errors.As(err, &refused) && (refused.Status == 502 || refused.Status == 503 || refused.Status == 504)
}

// Lists pulls the public lists for a kiosk or a service window, on a
// schedule and when someone asks, one pull at a time.
type Lists struct {
	turn     chan struct{} // holds one token: whose turn it is to pull
	platform string
	cat      *catalog.Catalog
	dir      string // the device's data folder: its sync.json pins the platform
}

// NewLists pulls from the platform at base into cat.
func NewLists(base string, cat *catalog.Catalog) *Lists {
	return &Lists{turn: make(chan struct{}, 1), platform: base, cat: cat}
}

// OnDevice pulls as the device whose data folder is dir: once it has
// enrolled with the platform it pulls from, every pull is checked against
// the TLS pin it enrolled with (sync.json), as its pushes are.
func (p *Lists) OnDevice(dir string) *Lists {
	p.dir = dir
	return p
}

// Pull pulls once, within two minutes (waiting for a pull under way
// included), and says how many changes arrived. Pages are kept as they
// come: a pull that fails after some has changed the lists all the same,
// and says how many. The error is a *StepError.
func (p *Lists) Pull(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	select {
	case p.turn <- struct{}{}:
		defer func() { <-p.turn }()
	case <-ctx.Done():
		return 0, stepFailed(ctx, "catalog", ctx.Err(), p.platform)
	}
	pin := ""
	if p.dir != "" {
		id, err := LoadIdentity(p.dir, nil)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return 0, stepFailed(ctx, "catalog", err, p.platform)
		}
		if err == nil && id.Platform == p.platform {
			pin = id.TLSPin
		}
	}
	n, err := PullPinned(ctx, p.platform, pin, p.cat)
	if err != nil {
		return n, stepFailed(ctx, "catalog", err, p.platform)
	}
	return n, nil
}

// Every pulls now and then every period until ctx ends, telling done (on
// this goroutine) how many changes arrived. With no network the local copy
// stays and the next pull tries again.
func (p *Lists) Every(ctx context.Context, period time.Duration, done func(n int, err error)) {
	for {
		n, err := p.Pull(ctx)
		if ctx.Err() != nil {
			return
		}
		done(n, err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(period):
		}
	}
}

// String lists the keys of what was done and the steps that failed, for
// logs and tests.
func (r Result) String() string {
	var keys []string
	for _, m := range r.Done {
		keys = append(keys, m.Key)
	}
	for _, f := range r.Failed {
		keys = append(keys, "failed:"+f.Step)
	}
	return strings.Join(keys, " ")
}
