// Package officer holds the officer's and legal reviewer's desk: offline
// sign-in, the certificate an officer shows citizens (事中公示: 出示执法证),
// and the enforcement items of their agency. Case files, evidence capture
// and legal review build on this desk.
package officer

import (
	"context"
	"errors"
	"image/color"
	"math"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
)

// Desk is the officer's window. Widgets are fields so tests can drive them.
type Desk struct {
	cat  *catalog.Catalog
	book *account.Book
	cfg  config.Config
	win  fyne.Window

	ID      *widget.Entry
	PIN     *widget.Entry
	SignIn  *widget.Button
	Message *widget.Label
	// Busy says what runs in the background on the form on screen
	// (unsealing a key at sign-in or unlock, an activation).
	Busy *shell.Busy

	// Activation (激活) of a person on this device; ActivateOpen, on the
	// sign-in form, is shown when SetActivate gave the desk an Activator.
	activate              Activator
	ActivateOpen          *widget.Button
	Code, NewPIN, NewPIN2 *widget.Entry
	// ConsentID and ConsentPIN are a person already on the desk who opens
	// its sealed data for an activation (nil when it is open).
	ConsentID, ConsentPIN *widget.Entry
	DoActivate            *widget.Button
	// background runs slow work off the UI's goroutine (go f(); tests run
	// it in place); the work gives its result back through post.
	background func(func())
	// onSignIn runs after a sign-in opened the desk's data (SetOnSignIn).
	onSignIn func(account.Account)
	// openReview asks the platform for a queued case whole, as the
	// reviewer of agency signed in here (SetReviewOpener).
	openReview func(ctx context.Context, agency, device, caseID string) error

	// Signed-in state.
	Me   *account.Account
	Cert *catalog.Officer // nil when the catalog does not list the account
	// CertValues are the certificate page's values by field label, for tests.
	CertValues map[string]*canvas.Text
	Items      *widget.List
	items      []catalog.Item
	SignOut    *widget.Button

	root *fyne.Container

	// The case file, when this device keeps one.
	log *casefile.Log
	cal *calendar.Calendar
	av  []casefile.AVRequirement
	rev *review.Service
	// deadlines are the agencies' own publication deadlines (SetDeadlines).
	deadlines publish.Deadlines
	// notices are the notices (通报) about this device's cases (SetNotices).
	notices []api.Notice
	Cases   *Cases
	// Queue is the reviewer's review queue, nil for officers.
	Queue *Queue
	// Tasks is an officer's drawn inspection tasks (抽查任务), nil for
	// others; tasks are the officers' lists as the device keeps them.
	Tasks    *TaskBoard
	tasks    map[string]client.TaskList
	tabs     *container.AppTabs
	casesTab *container.TabItem

	// Locking after inactivity.
	now        func() time.Time
	lastActive time.Time
	Locked     bool
	Unlock     *widget.Button
	LockPIN    *widget.Entry
	home       fyne.CanvasObject

	capture *Capture
	// post runs UI work from background goroutines: fyne.Do, or in tests a
	// queue the test's goroutine drains (Fyne's test driver runs fyne.Do
	// on the calling goroutine).
	post       func(func())
	sync       Syncer
	syncing    sync.Mutex // one sync at a time: the officer's or the desk's own
	SyncButton *widget.Button
	LastSync   string
	LastSyncAt *widget.Label
	// LastWitnessed says when the witnesses last cosigned the log.
	LastWitnessed *widget.Label
	topBar        *fyne.Container // relaid out when a label's text grows
	// LastSyncError is why the last automatic sync did not finish.
	LastSyncError string
	// CityNotice says the device has not received its city's lists; shown
	// under the top bar while SetCityLists says so.
	CityNotice *widget.Label
	noCity     bool
	// CertNotice warns, from catalog.ExpiryWarning before its end, that
	// the signed-in officer's certificate is about to expire.
	CertNotice *widget.Label
}

// Syncer syncs the device with the platform: it pushes the log and its
// evidence (telling progress of each upload) and pulls what concerns the
// device, and says what it did and what failed, as messages the desk
// translates.
type Syncer interface {
	Sync(ctx context.Context, progress func(client.Upload)) (client.Result, error)
}

// SyncFunc makes a function a Syncer.
type SyncFunc func(ctx context.Context, progress func(client.Upload)) (client.Result, error)

// Sync calls f.
func (f SyncFunc) Sync(ctx context.Context, progress func(client.Upload)) (client.Result, error) {
	return f(ctx, progress)
}

// syncText words what a sync did, one message a line, and what failed
// (err's own words when no step names it).
func syncText(res client.Result, err error) (done, failed string) {
	var lines []string
	for _, m := range res.Done {
		lines = append(lines, shell.T(m))
	}
	done = strings.Join(lines, "\n")
	lines = nil
	for _, f := range res.Failed {
		lines = append(lines, shell.T(f))
	}
	if len(lines) == 0 && err != nil {
		lines = append(lines, shell.ErrorText(err))
	}
	return done, strings.Join(lines, "\n")
}

// SetCityLists says whether the device holds its city's major-decision
// and audio/video lists; without them the desk says so on every screen.
func (d *Desk) SetCityLists(received bool) {
	d.noCity = !received
	if d.CityNotice != nil {
		d.CityNotice.Hidden = received
		d.CityNotice.Refresh()
	}
}

// SetClock replaces the clock the lock timer reads, for tests.
func (d *Desk) SetClock(now func() time.Time) {
	d.now = now
	d.touch()
}

// touch records activity; every handler of the desk calls it.
func (d *Desk) touch() { d.lastActive = d.now() }

// CheckLock locks the desk when a signed-in officer has left it untouched
// for the configured time: an unattended laptop shows no case file.
func (d *Desk) CheckLock() {
	if d.Me == nil || d.Locked {
		return
	}
	if d.now().Sub(d.lastActive) >= time.Duration(d.cfg.OfficerLockMinutes)*time.Minute {
		d.Lock()
	}
}

// RunLockTimer checks every few seconds until ctx ends.
func (d *Desk) RunLockTimer(ctx context.Context) { shell.Every(ctx, 5*time.Second, d.CheckLock) }

// Lock covers the desk until the same officer's PIN is given again.
func (d *Desk) Lock() {
	if d.Me == nil {
		return
	}
	d.Locked = true
	d.home = d.root.Objects[0]
	d.LockPIN, d.Unlock, d.Message = shell.PINControls(shell.L("officer.unlock"), d.TryUnlock)
	out := widget.NewButtonWithIcon(shell.L("window.sign_out"), theme.LogoutIcon(), d.DoSignOut)
	d.Busy = shell.NewBusy(d.LockPIN, d.Unlock, out)
	title := widget.NewLabelWithStyle(shell.L("officer.locked", map[string]any{"Name": d.Me.Name}), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	box := container.NewVBox(title, d.LockPIN, d.Unlock, d.Busy.Content, out, d.Message)
	d.set(container.NewCenter(container.NewGridWrap(fyne.NewSize(420, box.MinSize().Height+40), box)))
}

// TryUnlock checks the locked officer's PIN, with sign-in's lockout, off
// the UI's goroutine: unsealing the key takes a moment.
func (d *Desk) TryUnlock() {
	if d.Me == nil || d.Busy.Running() {
		return
	}
	id, pin := d.Me.ID, d.LockPIN.Text
	d.LockPIN.SetText("")
	d.Message.SetText("")
	d.Busy.Start(shell.L("signin.busy"))
	d.background(func() {
		_, until, err := d.book.SignIn(context.Background(), id, pin, "unlock")
		d.post(func() {
			d.Busy.Stop()
			if !d.Locked || d.Me == nil || d.Me.ID != id { // signed out meanwhile
				return
			}
			if err != nil {
				d.Message.SetText(shell.PINError(err, until))
				return
			}
			d.Locked = false
			d.set(d.home)
			d.touch()
		})
	})
}

// SetCaseFile gives the desk the device's record log, the working-day
// calendar and the agencies' audio/video requirement list.
func (d *Desk) SetCaseFile(l *casefile.Log, cal *calendar.Calendar, av []casefile.AVRequirement) {
	d.log, d.cal, d.av = l, cal, av
}

// SetAVList replaces the audio/video requirement list (after a sync).
func (d *Desk) SetAVList(av []casefile.AVRequirement) {
	d.av = av
	if d.Cases != nil {
		d.Cases.av = av
	}
}

// SetCalendar replaces the working-day calendar (after a sync brought a
// newer one).
func (d *Desk) SetCalendar(cal *calendar.Calendar) {
	d.cal = cal
	if d.Cases != nil {
		d.Cases.cal = cal
	}
	if d.rev != nil {
		d.rev.Calendar = cal
	}
}

// SetSync gives the desk a way to sync with the platform.
func (d *Desk) SetSync(s Syncer) { d.sync = s }

// SyncNow runs the sync in the background with a progress bar for media
// uploads, then reports in a dialog and shows the time of the last sync.
func (d *Desk) SyncNow() {
	if d.sync == nil {
		return
	}
	d.touch()
	d.SyncButton.Disable()
	d.SyncButton.SetText(shell.L("officer.syncing"))
	bar := widget.NewProgressBar()
	status := widget.NewLabel(shell.L("officer.syncing"))
	prog := dialog.NewCustomWithoutButtons(shell.L("officer.sync"), container.NewVBox(status, bar), d.win)
	prog.Resize(fyne.NewSize(420, 0))
	prog.Show()
	go func() {
		d.syncing.Lock() // after an automatic sync under way, if one is
		defer d.syncing.Unlock()
		res, err := d.sync.Sync(context.Background(), func(u client.Upload) {
			fyne.Do(func() {
				d.touch() // an upload in progress is not an idle desk
				if u.Total > 0 {
					bar.SetValue(float64(u.Sent) / float64(u.Total))
				}
				status.SetText(shell.L("officer.uploading", map[string]any{"Sent": u.Sent >> 20, "Total": u.Total >> 20}))
			})
		})
		msg, failed := syncText(res, err)
		fyne.Do(func() {
			prog.Hide()
			d.SyncButton.Enable()
			d.SyncButton.SetText(shell.L("officer.sync"))
			if err != nil {
				// What failed, then what was done all the same.
				text := shell.L("officer.sync_failed", map[string]any{"Error": failed})
				if msg != "" {
					text += "\n\n" + msg
				}
				dialog.ShowError(errors.New(text), d.win)
				return
			}
			d.LastSync, d.LastSyncError = msg, ""
			d.LastSyncAt.SetText(shell.L("officer.last_sync", map[string]any{"Time": d.now().Format("15:04")}))
			d.refreshWitnessed()
			if d.Queue != nil && d.Queue.Form == nil {
				d.Queue.ShowList() // the platform may have sent other devices' cases
			}
			dialog.ShowInformation(shell.L("officer.sync"), msg, d.win)
		})
	}()
}

// AutoSync syncs without a dialog, unless a sync is under way: the
// officer's records and evidence go up whenever a network is there, and
// the top bar says when the last sync finished or that this one did not
// (the 同步 button tells why in full).
func (d *Desk) AutoSync() {
	// With nobody signed in the desk's data is sealed (its token among
	// it): the round waits for a person rather than fail.
	if d.sync == nil || len(d.book.Keys.SignedIn()) == 0 || !d.syncing.TryLock() {
		return
	}
	res, err := d.sync.Sync(context.Background(), func(u client.Upload) {
		d.post(func() {
			d.LastSyncAt.SetText(shell.L("officer.auto_uploading", map[string]any{"Sent": u.Sent >> 20, "Total": u.Total >> 20}))
		})
	})
	d.syncing.Unlock()
	msg, failed := syncText(res, err)
	d.post(func() {
		at := d.now().Format("15:04")
		if err != nil {
			d.LastSyncError = failed
			d.LastSyncAt.SetText(shell.L("officer.auto_sync_failed", map[string]any{"Time": at}))
			return
		}
		d.LastSync, d.LastSyncError = msg, ""
		d.LastSyncAt.SetText(shell.L("officer.last_sync", map[string]any{"Time": at}))
		d.refreshWitnessed()
		if d.Queue != nil && d.Queue.Form == nil && !d.Locked {
			last := d.lastActive
			d.Queue.ShowList()
			d.lastActive = last // a sync is not the officer's touch: the lock still comes
		}
	})
}

// RunAutoSync runs AutoSync half a minute after the desk opens (a laptop
// opened where there is a network sends at once), then every period (never
// if period is 0), until ctx ends; never on the UI's goroutine.
func (d *Desk) RunAutoSync(ctx context.Context, period time.Duration) {
	if period <= 0 {
		return
	}
	next := time.NewTimer(min(period, 30*time.Second))
	defer next.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-next.C:
			d.AutoSync()
			next.Reset(period)
		}
	}
}

// SetReview gives the desk the legal review: officers submit, reviewers
// get a queue. The caller has installed its gate on the log.
func (d *Desk) SetReview(s *review.Service) { d.rev = s }

// New builds the desk; win is where dialogs open.
func New(cat *catalog.Catalog, book *account.Book, cfg config.Config, win fyne.Window) *Desk {
	d := &Desk{cat: cat, book: book, cfg: cfg, win: win, root: container.NewStack(), now: time.Now, post: fyne.Do,
		background: func(f func()) { go f() }}
	d.LastSyncAt = widget.NewLabel(shell.L("officer.never_synced"))
	d.showSignIn()
	return d
}

// Content is the desk's whole screen.
func (d *Desk) Content() fyne.CanvasObject { return d.root }

func (d *Desk) set(o fyne.CanvasObject) {
	d.root.Objects = []fyne.CanvasObject{o}
	d.root.Refresh()
}

func (d *Desk) showSignIn() {
	d.ID = widget.NewEntry()
	d.ID.SetPlaceHolder(shell.L("officer.id_hint"))
	d.PIN, d.SignIn, d.Message = shell.PINControls(shell.L("officer.sign_in"), d.TrySignIn)
	form := widget.NewForm(
		widget.NewFormItem(shell.L("field.cert_no"), d.ID),
		widget.NewFormItem(shell.L("window.pin"), d.PIN),
	)
	title := widget.NewLabelWithStyle(shell.L("officer.sign_in_title"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	note := widget.NewLabelWithStyle(shell.L("officer.offline_note"), fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	d.ActivateOpen = widget.NewButtonWithIcon(shell.L("activate.open"), theme.AccountIcon(), d.ShowActivate)
	d.ActivateOpen.Importance = widget.LowImportance
	if d.activate == nil {
		d.ActivateOpen.Hide()
	}
	d.Busy = shell.NewBusy(d.ID, d.PIN, d.SignIn, d.ActivateOpen)
	box := container.NewVBox(title, form, d.SignIn, d.Busy.Content, d.Message, note, d.ActivateOpen)
	d.set(container.NewCenter(container.NewGridWrap(fyne.NewSize(480, box.MinSize().Height+100), box)))
}

// SetOnSignIn sets what runs after each sign-in, off the screen's
// goroutine, once the person's key has opened the desk's sealed data.
func (d *Desk) SetOnSignIn(fn func(account.Account)) { d.onSignIn = fn }

// TrySignIn checks the certificate number and PIN against the accounts
// enrolled on this device; it works with no network. Unsealing the
// person's key takes a moment, so it runs off the UI's goroutine while
// the form says so.
func (d *Desk) TrySignIn() {
	if d.Busy.Running() {
		return
	}
	id, pin := d.ID.Text, d.PIN.Text
	d.PIN.SetText("")
	d.say("", false)
	d.Busy.Start(shell.L("signin.busy"))
	d.background(func() {
		a, until, err := d.book.SignIn(context.Background(), id, pin, "officer")
		if err == nil && a.Role == account.RoleStaff {
			// Window staff sign nothing here: their key is put away, and
			// the data they opened is locked again if nobody else is in.
			if lerr := d.book.Log(context.Background(), a.ID, "signout", "officer"); lerr != nil {
				fyne.LogError("officer log", lerr)
			}
			err = errNotOfficer
		}
		if err == nil && d.onSignIn != nil {
			// The data is open now: what waited for it (a recording a
			// crash cut short, the drawn tasks) is done before the desk
			// shows.
			d.onSignIn(a)
		}
		d.post(func() {
			d.Busy.Stop()
			d.signedIn(a, until, err)
		})
	})
}

// signedIn shows what a sign-in came to: why it was refused, or the desk.
func (d *Desk) signedIn(a account.Account, until time.Time, err error) {
	if err != nil {
		switch {
		case errors.Is(err, errNotOfficer):
			d.say(shell.L("officer.err_not_officer"), false)
		// The desk's field is the certificate number (执法证号), and its
		// errors say so; the hall's screens, signed in by 工号, keep theirs.
		case errors.Is(err, account.ErrUnknown):
			d.say(shell.L("officer.err_unknown"), false)
		case errors.Is(err, account.ErrWrongPIN):
			d.say(shell.L("officer.err_pin"), false)
		default:
			d.say(shell.SignInError(err, until), false)
		}
		return
	}
	d.Me = &a
	d.touch()
	d.Cert = nil
	if it, err := d.cat.Get(context.Background(), catalog.KindOfficer, a.ID); err == nil {
		d.Cert = it.(*catalog.Officer)
	}
	d.showHome()
}

var errNotOfficer = errors.New("window staff account")

// DoSignOut returns to the sign-in form.
func (d *Desk) DoSignOut() {
	if d.Me != nil {
		if err := d.book.Log(context.Background(), d.Me.ID, "signout", "officer"); err != nil {
			fyne.LogError("officer log", err)
		}
	}
	d.Me, d.Cert, d.items, d.Cases, d.Queue, d.Tasks, d.Locked = nil, nil, nil, nil, nil, nil, false
	d.tabs, d.casesTab = nil, nil
	d.showSignIn()
}

func (d *Desk) showHome() {
	role := shell.L("role." + string(d.Me.Role))
	who := widget.NewLabelWithStyle(d.Me.Name+"　"+role+"　"+d.Me.Unit, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.SignOut = widget.NewButtonWithIcon(shell.L("window.sign_out"), theme.LogoutIcon(), d.DoSignOut)
	d.SyncButton = widget.NewButtonWithIcon(shell.L("officer.sync"), theme.ViewRefreshIcon(), d.SyncNow)
	if d.LastSyncAt == nil {
		d.LastSyncAt = widget.NewLabel(shell.L("officer.never_synced"))
	}
	top := container.NewHBox(who, layout.NewSpacer(), d.SignOut)
	if d.sync != nil {
		d.refreshWitnessed()
		top = container.NewHBox(who, layout.NewSpacer(), d.LastSyncAt, d.LastWitnessed, d.SyncButton, d.SignOut)
		d.topBar = top
	}
	tabs := container.NewAppTabs()
	if d.log != nil {
		d.Cases = newCases(d, d.log, d.cal, d.av, d.rev)
		if d.rev != nil && d.Me.Role == account.RoleReviewer {
			d.Queue = newQueue(d.Cases)
			tabs.Append(container.NewTabItemWithIcon(shell.L("review.tab"), theme.ConfirmIcon(), d.Queue.root))
		}
		d.casesTab = container.NewTabItemWithIcon(shell.L("officer.tab_cases"), theme.FolderOpenIcon(), d.Cases.Content())
		tabs.Append(d.casesTab)
		if d.Me.Role == account.RoleOfficer {
			d.Tasks = newTaskBoard(d)
			tabs.Append(container.NewTabItemWithIcon(shell.L("task.tab"), theme.ListIcon(), d.Tasks.Content()))
		}
	}
	d.tabs = tabs
	tabs.Append(container.NewTabItemWithIcon(shell.L("officer.tab_cert"), theme.AccountIcon(), d.certificate()))
	tabs.Append(container.NewTabItemWithIcon(shell.L("officer.tab_items"), theme.ListIcon(), d.itemList()))
	d.CityNotice = widget.NewLabel(shell.L("officer.no_city_lists"))
	d.CityNotice.Wrapping = fyne.TextWrapWord
	d.CityNotice.Importance = widget.WarningImportance
	d.CityNotice.Hidden = !d.noCity
	d.CertNotice = widget.NewLabel("")
	d.CertNotice.Wrapping = fyne.TextWrapWord
	d.CertNotice.Importance = widget.WarningImportance
	d.CertNotice.Hidden = true
	if d.Cert != nil {
		now := d.now()
		if end, err := d.Cert.End(now.Location()); err == nil && !end.IsZero() && end.Sub(now) <= catalog.ExpiryWarning {
			today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
			days := int(math.Round(end.AddDate(0, 0, -1).Sub(today).Hours() / 24)) // to the last valid day
			d.CertNotice.SetText(shell.L("cert.expires_soon", map[string]any{"Date": d.Cert.ValidUntil, "Days": days}))
			d.CertNotice.Hidden = false
		}
	}
	d.set(container.NewBorder(container.NewVBox(top, d.CityNotice, d.CertNotice, widget.NewSeparator()), nil, nil, nil, tabs))
}

// certificate is what an officer turns to a citizen: who they are, whether
// the certificate is valid, and a QR code to check it on the platform. It
// reads at arm's length: a light card with large dark text, whatever the
// desk's theme, the photo's frame (the officer list carries no photo: the
// frame shows the surname and says so), and the QR code beside.
func (d *Desk) certificate() fyne.CanvasObject {
	if d.Cert == nil {
		return container.NewCenter(widget.NewLabel(shell.L("officer.no_cert")))
	}
	o := d.Cert
	ink := color.NRGBA{0x1c, 0x1c, 0x1e, 0xff}
	muted := color.NRGBA{0x5a, 0x5d, 0x66, 0xff}
	text := func(s string, c color.Color, size float32, bold bool) *canvas.Text {
		t := canvas.NewText(s, c)
		t.TextSize = size
		t.TextStyle.Bold = bold
		return t
	}
	const size = 26
	labels, values := container.NewVBox(), container.NewVBox()
	d.CertValues = map[string]*canvas.Text{}
	for _, f := range o.Fields() {
		v := f.Value
		if f.ValueIsKey {
			v = shell.L(v)
		}
		if v == "" {
			continue
		}
		c := color.Color(ink)
		if f.Label == "field.cert_status" {
			c = color.NRGBA{0x1b, 0x7a, 0x3d, 0xff}
			if o.Status != catalog.CertValid {
				c = color.NRGBA{0xc6, 0x28, 0x28, 0xff}
			}
		}
		l := text(shell.L(f.Label), muted, size, false)
		l.Alignment = fyne.TextAlignTrailing
		labels.Add(l)
		val := text(v, c, size, f.Label == "field.name" || f.Label == "field.cert_no" || f.Label == "field.cert_status")
		values.Add(val)
		d.CertValues[f.Label] = val
	}
	rows := container.New(layout.NewCustomPaddedHBoxLayout(20), labels, values)

	// The photo's frame, 3:4, with the surname in it.
	initial := ""
	if r := []rune(o.Name); len(r) > 0 {
		initial = string(r[0])
	}
	frame := canvas.NewRectangle(color.NRGBA{0xe9, 0xec, 0xf2, 0xff})
	frame.StrokeColor = color.NRGBA{0x9a, 0xa0, 0xab, 0xff}
	frame.StrokeWidth = 2
	frame.SetMinSize(fyne.NewSize(180, 240))
	letter := text(initial, muted, 96, true)
	letter.Alignment = fyne.TextAlignCenter
	noPhoto := text(shell.L("officer.cert_no_photo"), muted, 16, false)
	noPhoto.Alignment = fyne.TextAlignCenter
	photo := container.NewStack(frame, container.NewCenter(letter), container.NewVBox(layout.NewSpacer(), noPhoto, widget.NewLabel("")))

	title := text(shell.L("officer.cert_title"), ink, 34, true)
	title.Alignment = fyne.TextAlignCenter
	qr := shell.QRImage(api.PublicURL(d.cfg.PlatformURL, string(catalog.KindOfficer), o.ID), 220)
	scan := text(shell.L("officer.scan_to_check"), ink, 18, false)
	scan.Alignment = fyne.TextAlignCenter
	body := container.NewBorder(container.NewVBox(title, widget.NewSeparator()), nil,
		container.NewVBox(photo), container.NewVBox(qr, scan),
		container.NewPadded(rows))
	paper := canvas.NewRectangle(color.NRGBA{0xfa, 0xfb, 0xfd, 0xff})
	paper.CornerRadius = 12
	paper.StrokeColor = color.NRGBA{0x2f, 0x5d, 0xa8, 0xff}
	paper.StrokeWidth = 3
	card := container.NewStack(paper, container.New(layout.NewCustomPaddedLayout(24, 24, 32, 32), body))
	hint := widget.NewLabelWithStyle(shell.L("officer.cert_show"), fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	return container.NewVScroll(container.NewCenter(container.NewVBox(card, hint)))
}

// itemList lists the enforcement items of the officer's agency.
func (d *Desk) itemList() fyne.CanvasObject {
	items, err := d.cat.Search(context.Background(), catalog.Query{Kind: catalog.KindItem, Agency: d.Me.Agency, Limit: 1000})
	if err != nil {
		fyne.LogError("officer items", err)
	}
	d.items = items
	d.Items = widget.NewList(
		func() int { return len(d.items) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewLabel(""), widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			it := d.items[i]
			row.Objects[0].(*widget.Label).SetText("[" + shell.L("act."+string(it.Category())) + "]")
			row.Objects[1].(*widget.Label).SetText(it.Title())
		})
	d.Items.OnSelected = func(i widget.ListItemID) {
		d.Items.Unselect(i)
		it := d.items[i]
		dlg := dialog.NewCustom(it.Title(), shell.L("dialog.close"), shell.FieldsForm(it.Fields()), d.win)
		dlg.Resize(fyne.NewSize(640, 420))
		dlg.Show()
	}
	return d.Items
}
