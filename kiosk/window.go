package kiosk

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/hall"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// WindowDesk is the service window: the staff member's console, where they
// sign in to a window and pick what the citizen should see, and the
// citizen-facing Display beside it (事中公示: who serves here, their unit,
// position and service items).
type WindowDesk struct {
	cat      *catalog.Catalog
	book     *account.Book
	cfg      config.Config
	agencies []catalog.Agency

	// Sign-in form.
	WindowNo *widget.Select
	StaffID  *widget.Entry
	PIN      *widget.Entry
	SignIn   *widget.Button
	Message  *widget.Label
	// Busy says what runs in the background on the form on screen
	// (unsealing a key at sign-in, an activation).
	Busy *shell.Busy

	// Activation (激活) of a staff member on this device; ActivateOpen, on
	// the sign-in form, is shown when SetActivate gave an Activator.
	activate              Activator
	ActivateOpen          *widget.Button
	Code, NewPIN, NewPIN2 *widget.Entry
	DoActivate            *widget.Button
	// background runs slow work off the UI's goroutine (go f(); tests run
	// it in place); post brings its result back (fyne.Do).
	background func(func())
	post       func(func())
	// hall records sign-ins, pauses and sign-outs in the device's log,
	// signed by the staff member, for the platform (SetHall).
	hall HallRecorder
	// open are the windows the platform last said were open (SetOpenWindows).
	open []api.OpenWindow

	// Signed-in console.
	Staff  *account.Account
	Window string
	Paused bool
	Pause  *widget.Button
	// Pausing asks first when staff will be back: ReturnTime offers the
	// next quarter hours and takes a typed time (15:30); ConfirmPause
	// pauses with it. PausedNote says on the console that the window is
	// paused and until when.
	ReturnTime   *widget.SelectEntry
	ConfirmPause *widget.Button
	PauseMessage *widget.Label
	PausedNote   *widget.Label
	pausePanel   *fyne.Container
	header       *fyne.Container // the console, laid out again as its top rows show and hide
	// ReturnAt is when a paused window expects staff back.
	ReturnAt time.Time
	// returnOptions are the times ReturnTime offers.
	returnOptions []string
	now           func() time.Time
	SignOut       *widget.Button
	Guides        *ListScreen
	Fees          *ListScreen
	// Rate is 办结 and the citizen's rating (rating.go).
	Rate DeskRating
	// Mine lists the window's own guides and fees where the hall
	// configures them (windowTab); nil otherwise.
	Mine     *widget.List
	ownItems []catalog.Item // what Mine lists

	Display *Display
	console *fyne.Container

	// Public lists: when they last changed, a button to pull them from the
	// platform now, and what the last pull said.
	Updated    *widget.Label
	UpdateNow  *widget.Button
	PullResult *widget.Label
	pull       Puller
	screen     *fyne.Container
	canvas     fyne.Canvas // the console's (Attach)
}

// NewWindowDesk builds the console and its display on the local catalog
// and account book.
func NewWindowDesk(cat *catalog.Catalog, book *account.Book, cfg config.Config) (*WindowDesk, error) {
	agencies, err := cat.Agencies(context.Background())
	if err != nil {
		return nil, err
	}
	d := &WindowDesk{cat: cat, book: book, cfg: cfg, agencies: agencies, post: fyne.Do,
		background: func(f func()) { go f() }, now: time.Now}
	d.Display = newDisplay(cfg.PlatformURL)
	d.Display.cat = cat // the staff's photos
	d.console = container.NewStack()
	d.Updated = widget.NewLabel(updatedText(cat))
	d.PullResult = widget.NewLabel("")
	d.PullResult.Truncation = fyne.TextTruncateEllipsis
	d.UpdateNow = widget.NewButtonWithIcon(shell.L("window.update_lists"), theme.ViewRefreshIcon(), func() { d.PullNow() })
	d.UpdateNow.Hide() // until SetPull
	bottom := container.NewBorder(nil, nil, d.UpdateNow, d.Updated, d.PullResult)
	d.screen = container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), bottom), nil, nil, d.console)
	d.showSignIn()
	return d, nil
}

// SetWindowNo preselects the window this computer stands at (--window-no)
// on the sign-in form.
func (d *WindowDesk) SetWindowNo(n string) error {
	choice, ok := d.windowChoice(n)
	if !ok {
		return fmt.Errorf("window number %q: %w", n, ErrNoSuchWindow)
	}
	d.Window = windowNumber(choice)
	d.WindowNo.SetSelected(choice)
	return nil
}

// ErrNoSuchWindow is a window number the hall does not have (its
// configured windows, else 1 to hall_windows).
var ErrNoSuchWindow = errors.New("no such window in the hall")

// Attach gives the desk the console's window, and the keyboard to its
// sign-in form.
func (d *WindowDesk) Attach(w fyne.Window) {
	d.canvas = w.Canvas()
	d.FocusSignIn()
}

// FocusSignIn puts the keyboard in the sign-in form's first empty field,
// so staff type their number straight away; it does nothing before the
// console is attached to its window or while someone is signed in.
func (d *WindowDesk) FocusSignIn() {
	c := d.canvas
	if d.Staff != nil || c == nil {
		return
	}
	if d.WindowNo.Selected == "" {
		c.Focus(d.WindowNo)
		return
	}
	c.Focus(d.StaffID)
}

// Console is the staff member's screen.
func (d *WindowDesk) Console() fyne.CanvasObject { return d.screen }

// SetPull gives the desk a way to pull the public lists from the platform
// now.
func (d *WindowDesk) SetPull(p Puller) {
	d.pull = p
	d.UpdateNow.Show()
}

// PullNow pulls the public lists in the background and shows the result
// at the bottom of the console; what arrived is on screen at once. The
// channel closes when the console shows the result.
func (d *WindowDesk) PullNow() <-chan struct{} {
	done := make(chan struct{})
	if d.pull == nil {
		close(done)
		return done
	}
	d.UpdateNow.Disable()
	d.PullResult.Importance = widget.MediumImportance
	d.PullResult.SetText(shell.L("window.updating"))
	before := d.mine()
	go func() {
		n, err := d.pull.Pull(context.Background())
		fyne.Do(func() {
			defer close(done)
			d.ShowPull(n, err)
			if n > 0 {
				if changed := changedTitles(before, d.mine()); len(changed) > 0 {
					d.PullResult.SetText(d.PullResult.Text + shell.L("window.pull_mine", map[string]any{
						"Items": strings.Join(changed, "、")}))
				}
				d.Refresh() // else the lists keep their place
			}
			d.UpdateNow.Enable()
		})
	}()
	return done
}

// mine is how the signed-in window's own guides and fees read now, by
// key: what a pull may change under the staff member's hands.
func (d *WindowDesk) mine() map[string]string {
	if d.Staff == nil {
		return nil
	}
	s := d.serviceItems(d.Staff.Agency)
	out := map[string]string{}
	for _, it := range append(s.Guides, s.Fees...) {
		var b strings.Builder
		for _, f := range it.Fields() {
			b.WriteString(f.Label + "=" + f.Value + "\n")
		}
		out[string(it.Kind())+"/"+it.Key()] = it.Title() + "\x00" + b.String()
	}
	return out
}

// changedTitles names the items that a pull added, changed or removed.
func changedTitles(before, after map[string]string) []string {
	title := func(s string) string { t, _, _ := strings.Cut(s, "\x00"); return t }
	var out []string
	for k, a := range after {
		if b, ok := before[k]; !ok || b != a {
			out = append(out, title(a))
		}
	}
	for k, b := range before {
		if _, ok := after[k]; !ok {
			out = append(out, title(b))
		}
	}
	slices.Sort(out)
	return out
}

// ShowPull shows what a pull of the public lists did (n changes, or err),
// the scheduled ones too, so staff know when the lists may be out of date.
func (d *WindowDesk) ShowPull(n int, err error) {
	d.PullResult.Importance = widget.MediumImportance
	if err != nil {
		d.PullResult.Importance = widget.DangerImportance
	}
	at := d.now().Format("15:04")
	switch {
	case err != nil:
		d.PullResult.SetText(pullText(n, err))
	case n == 0:
		d.PullResult.SetText(shell.L("window.pull_none", map[string]any{"Time": at}))
	default:
		d.PullResult.SetText(shell.L("window.pull_some", map[string]any{"Time": at, "N": n}))
	}
	// The hall's windows may have reached the catalog by another pull
	// than this desk's (the demo's devices share one folder): the picker
	// reads them after every pull, not only one that brought changes.
	d.refreshWindows()
}

// Refresh shows the public lists as they are now (after a pull): the time
// they changed, the console's lists, and on the display the window's
// service or the item staff picked, as they now read. A paused display
// stays paused; an item withdrawn stays on screen until staff pick again.
func (d *WindowDesk) Refresh() {
	d.Updated.SetText(updatedText(d.cat))
	if d.Staff == nil {
		d.refreshWindows()
		return
	}
	d.Guides.reload()
	d.Fees.reload()
	d.refreshMine()
	switch d.Display.State {
	case "serving":
		d.Display.Serve(d.Window, *d.Staff, d.serviceItems(d.Staff.Agency))
	case "paused":
		// stays paused
	case "item":
		if it, err := d.cat.Get(context.Background(), d.Display.Shown.Kind(), d.Display.Shown.Key()); err == nil {
			d.Display.ShowItem(it)
		}
	}
}

func (d *WindowDesk) showSignIn() {
	d.WindowNo = widget.NewSelect(d.windowOptions(), nil)
	d.WindowNo.PlaceHolder = shell.L("window.pick")
	if c, ok := d.windowChoice(d.Window); ok {
		d.WindowNo.SetSelected(c)
	}
	d.StaffID = widget.NewEntry()
	d.StaffID.SetPlaceHolder(shell.L("window.staff_id_hint"))
	d.PIN, d.SignIn, d.Message = shell.PINControls(shell.L("window.sign_in"), d.TrySignIn)
	form := widget.NewForm(
		widget.NewFormItem(shell.L("window.number"), d.WindowNo),
		widget.NewFormItem(shell.L("window.staff_id"), d.StaffID),
		widget.NewFormItem(shell.L("window.pin"), d.PIN),
	)
	title := widget.NewLabelWithStyle(shell.L("window.sign_in_title"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	d.ActivateOpen = widget.NewButtonWithIcon(shell.L("activate.open"), theme.AccountIcon(), d.ShowActivate)
	d.ActivateOpen.Importance = widget.LowImportance
	if d.activate == nil {
		d.ActivateOpen.Hide()
	}
	d.Busy = shell.NewBusy(d.WindowNo, d.StaffID, d.PIN, d.SignIn, d.ActivateOpen)
	box := container.NewVBox(title, form, d.SignIn, d.Busy.Content, d.Message, d.ActivateOpen)
	d.setConsole(container.NewCenter(container.NewGridWrap(fyne.NewSize(460, box.MinSize().Height+100), box)))
	d.FocusSignIn()
}

func (d *WindowDesk) setConsole(o fyne.CanvasObject) {
	d.console.Objects = []fyne.CanvasObject{o}
	d.console.Refresh()
}

// say puts a message on the form's line: a refusal in red, news in green.
func (d *WindowDesk) say(text string, ok bool) {
	d.Message.Importance = widget.DangerImportance
	if ok {
		d.Message.Importance = widget.SuccessImportance
	}
	d.Message.SetText(text)
}

// TrySignIn checks the form; on success the console and the display show
// the staff member, on failure the form says why in plain words. Unsealing
// the staff member's key takes a moment: it runs off the UI's goroutine
// while the form says so.
func (d *WindowDesk) TrySignIn() {
	if d.Busy.Running() {
		return
	}
	if d.WindowNo.Selected == "" {
		d.say(shell.L("window.err_pick"), false)
		return
	}
	id, pin, window := d.StaffID.Text, d.PIN.Text, windowNumber(d.WindowNo.Selected)
	d.PIN.SetText("")
	d.say("", false)
	d.Busy.Start(shell.L("signin.busy"))
	d.background(func() {
		a, until, err := d.book.SignIn(context.Background(), id, pin, window)
		var rerr error
		if err == nil {
			rerr = d.record(hall.KindWindowSignIn, window, a.ID)
		}
		d.post(func() {
			d.Busy.Stop()
			if err != nil {
				d.say(shell.SignInError(err, until), false)
				return
			}
			if rerr != nil {
				// Nobody serves unrecorded: the key is put away again.
				d.book.Log(context.Background(), a.ID, "signout", window)
				d.say(shell.L("window.record_failed", map[string]any{"Error": rerr.Error()}), false)
				return
			}
			d.Staff, d.Window, d.Paused = &a, window, false
			d.showConsole()
			d.Display.Serve(d.Window, a, d.serviceItems(a.Agency))
		})
	})
}

// Service is what a window offers: the guides and fees the hall gives it
// (Name is the window's), or, in a hall the platform does not configure,
// its staff member's agency's first ones.
type Service struct {
	Name         string
	Guides, Fees []catalog.Item
}

func (d *WindowDesk) serviceItems(agency string) Service {
	if s, ok := d.windowService(d.Window); ok {
		return s
	}
	ctx := context.Background()
	var s Service
	var err error
	if s.Guides, err = d.cat.Search(ctx, catalog.Query{Kind: catalog.KindGuide, Agency: agency, Limit: 12}); err != nil {
		fyne.LogError("window guides", err)
	}
	if s.Fees, err = d.cat.Search(ctx, catalog.Query{Kind: catalog.KindFee, Agency: agency, Limit: 12}); err != nil {
		fyne.LogError("window fees", err)
	}
	return s
}

func (d *WindowDesk) showConsole() {
	who := widget.NewLabelWithStyle(shell.L("window.signed_in", map[string]any{
		"Window": d.Window, "Name": d.Staff.Name, "Unit": d.Staff.Unit}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.Pause = widget.NewButtonWithIcon(shell.L("window.pause"), theme.MediaPauseIcon(), d.TogglePause)
	d.ReturnTime = widget.NewSelectEntry(nil)
	d.ReturnTime.SetPlaceHolder(shell.L("window.return_hint"))
	d.ConfirmPause = widget.NewButtonWithIcon(shell.L("window.pause_confirm"), theme.ConfirmIcon(), d.confirmPause)
	d.ConfirmPause.Importance = widget.HighImportance
	cancel := widget.NewButton(shell.L("admin.cancel"), func() { d.pausePanel.Hide(); d.header.Refresh() })
	d.PauseMessage = widget.NewLabel("")
	d.PauseMessage.Importance = widget.DangerImportance
	d.pausePanel = container.NewVBox(container.NewHBox(widget.NewLabel(shell.L("window.return_at")),
		container.NewGridWrap(fyne.NewSize(180, d.ReturnTime.MinSize().Height), d.ReturnTime),
		d.ConfirmPause, cancel), d.PauseMessage)
	d.pausePanel.Hide()
	d.PausedNote = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.PausedNote.Importance = widget.DangerImportance
	d.PausedNote.Hide()
	clear := widget.NewButtonWithIcon(shell.L("window.clear"), theme.ContentClearIcon(), func() {
		d.Display.Serve(d.Window, *d.Staff, d.serviceItems(d.Staff.Agency))
	})
	d.SignOut = widget.NewButtonWithIcon(shell.L("window.sign_out"), theme.LogoutIcon(), d.DoSignOut)
	top := container.NewHBox(who, layout.NewSpacer(), d.ratingControls(), clear, d.Pause, d.SignOut)
	show := func(it catalog.Item) {
		if !d.Paused && d.Display.Rating == nil { // a citizen rating is not interrupted
			d.Display.ShowItem(it)
		}
	}
	d.Guides = newListScreen(d.cat, d.agencies, catalog.KindGuide, show)
	d.Fees = newListScreen(d.cat, d.agencies, catalog.KindFee, show)
	for _, l := range []*ListScreen{d.Guides, d.Fees} {
		for _, a := range d.agencies {
			if a.Code == d.Staff.Agency {
				l.Agency.SetSelected(a.Name)
			}
		}
	}
	hint := widget.NewLabel(shell.L("window.pick_hint") + d.hallNote())
	tabs := container.NewAppTabs(
		container.NewTabItem(shell.L("list.guide"), d.Guides.content),
		container.NewTabItem(shell.L("list.fee"), d.Fees.content),
	)
	if mine := d.windowTab(show); mine != nil {
		tabs.Items = append([]*container.TabItem{mine}, tabs.Items...)
		tabs.SelectIndex(0)
	}
	d.header = container.NewBorder(container.NewVBox(top, d.pausePanel, d.PausedNote, d.Rate.Note, hint, widget.NewSeparator()), nil, nil, nil, tabs)
	d.console.Objects = []fyne.CanvasObject{d.header}
	d.console.Refresh()
}

// TogglePause pauses or resumes the window. Pausing first asks when
// staff will be back (the next quarter hours offered, any time typed);
// ConfirmPause then shows 暂停服务 with that time on both screens.
func (d *WindowDesk) TogglePause() {
	if d.Staff == nil {
		return
	}
	if d.Paused {
		d.setPaused(false, time.Time{})
		return
	}
	now := d.now()
	var opts []string
	next := now.Truncate(15 * time.Minute)
	for i := 1; i <= 4; i++ {
		opts = append(opts, next.Add(time.Duration(i)*15*time.Minute).Format("15:04"))
	}
	d.ReturnTime.SetOptions(opts)
	d.returnOptions = opts
	d.ReturnTime.SetText(opts[0])
	d.PauseMessage.SetText("")
	d.pausePanel.Show()
	d.header.Refresh()
}

// confirmPause reads the return time and pauses the window.
func (d *WindowDesk) confirmPause() {
	at, err := returnTime(d.now(), d.ReturnTime.Text)
	if err != nil {
		d.PauseMessage.SetText(err.Error())
		return
	}
	d.pausePanel.Hide()
	d.setPaused(true, at)
	d.header.Refresh()
}

// returnTime reads a time of day typed as 15:30 (or 1530, 15：30) as the
// next such moment after now.
func returnTime(now time.Time, s string) (time.Time, error) {
	s = strings.NewReplacer("：", ":", " ", "").Replace(strings.TrimSpace(s))
	if len(s) == 4 && !strings.Contains(s, ":") {
		s = s[:2] + ":" + s[2:]
	}
	t, err := time.ParseInLocation("15:04", s, now.Location())
	if err != nil {
		return time.Time{}, errors.New(shell.L("window.err_return_time"))
	}
	at := time.Date(now.Year(), now.Month(), now.Day(), t.Hour(), t.Minute(), 0, 0, now.Location())
	if !at.After(now) {
		return time.Time{}, errors.New(shell.L("window.err_return_past"))
	}
	return at, nil
}

// setPaused pauses the window until at, or resumes it, on both screens,
// and records it.
func (d *WindowDesk) setPaused(paused bool, at time.Time) {
	d.Paused, d.ReturnAt = paused, at
	event, kind := "resume", hall.KindWindowResume
	if paused {
		event, kind = "pause", hall.KindWindowPause
		d.Pause.SetText(shell.L("window.resume"))
		d.Pause.SetIcon(theme.MediaPlayIcon())
		d.PausedNote.SetText(shell.L("window.paused_note", map[string]any{"Time": at.Format("15:04")}))
		d.PausedNote.Show()
		d.Display.Pause(d.Window, *d.Staff, at, nearestOpen(d.Window, d.open))
	} else {
		d.Pause.SetText(shell.L("window.pause"))
		d.Pause.SetIcon(theme.MediaPauseIcon())
		d.PausedNote.Hide()
		d.header.Refresh()
		d.Display.Serve(d.Window, *d.Staff, d.serviceItems(d.Staff.Agency))
	}
	if err := d.record(kind, d.Window, d.Staff.ID); err != nil {
		fyne.LogError("window hall log", err)
	}
	if err := d.book.Log(context.Background(), d.Staff.ID, event, d.Window); err != nil {
		fyne.LogError("window log", err)
	}
}

// DoSignOut clears the display and returns to the sign-in form.
func (d *WindowDesk) DoSignOut() {
	if d.Staff != nil {
		// Signed while the key is still held; signing out puts it away.
		d.Display.EndRating()
		if err := d.record(hall.KindWindowSignOut, d.Window, d.Staff.ID); err != nil {
			fyne.LogError("window hall log", err)
		}
		if err := d.book.Log(context.Background(), d.Staff.ID, "signout", d.Window); err != nil {
			fyne.LogError("window log", err)
		}
	}
	d.Display.Close(d.Window)
	d.Staff, d.Paused = nil, false
	d.showSignIn()
}

// HallRecorder records the hall's own events in the device's log, each
// signed by the person it names with the key their sign-in unsealed, for
// the platform (client.HallLog).
type HallRecorder interface {
	Window(ctx context.Context, kind, window, staff string) error
	Kiosk(ctx context.Context, action, admin string) error
}

// SetHall makes the desk record each sign-in, pause, resume and sign-out
// as a signed record of the device's log (hall.KindWindowSignIn…).
func (d *WindowDesk) SetHall(h HallRecorder) { d.hall = h }

// record appends a window event to the hall log, if the desk keeps one.
func (d *WindowDesk) record(kind, window, staff string) error {
	if d.hall == nil {
		return nil
	}
	return d.hall.Window(context.Background(), kind, window, staff)
}

// Display is the citizen-facing screen of a service window.
type Display struct {
	platform string
	cat      *catalog.Catalog // where the staff's photos are kept (photo.go)
	root     *fyne.Container
	themed   *container.ThemeOverride
	// State is "closed", "serving", "paused" or "item", or while a
	// citizen rates "rating", "rating_reason" and "rated", for tests.
	State string
	// Shown is the item on screen in state "item".
	Shown catalog.Item
	// Serving is who serves at the window, shown beside any item too;
	// nil while closed.
	Serving *account.Account
	window  string
	// pages turns an item too long for the screen (Turn).
	pages *pager
	// OnTitle is told the display's window title whenever what it shows
	// changes (Title).
	OnTitle func(title string)
	// Rating is the citizen's rating being asked (rating.go), nil if none.
	Rating *RatingScreen
	// timers are the rating's waits (after); StopWaits stops them.
	timersMu sync.Mutex
	timers   map[*time.Timer]bool
	closed   bool
}

// Title is the display window's title: who serves at which window, or
// that it is paused or closed, so that the taskbar and anyone checking
// the screen from outside can tell without reading it.
func (d *Display) Title() string {
	base := shell.L("app.window_display_title")
	if d.Serving == nil {
		if d.window == "" {
			return base
		}
		return shell.L("display.window", map[string]any{"Window": d.window}) + " " + shell.L("display.closed_short") + " — " + base
	}
	who := shell.L("display.window", map[string]any{"Window": d.window}) + " " + d.Serving.Name
	if d.State == "paused" {
		who += " " + shell.L("display.paused")
	}
	return who + " — " + base
}

func newDisplay(platform string) *Display {
	d := &Display{platform: platform, root: container.NewStack()}
	d.themed = container.NewThemeOverride(d.root, shell.Theme{Large: true})
	d.Close("")
	return d
}

// Content is the display's whole screen, drawn large for reading at a
// distance.
func (d *Display) Content() fyne.CanvasObject { return d.themed }

// set replaces what the display shows. The override is refreshed so that it
// reaches the new widgets too: Fyne 2.7 applies a ThemeOverride to the tree
// it holds at the time, not to children added later.
func (d *Display) set(state string, o fyne.CanvasObject) {
	d.leaveRating(state)
	d.State = state
	d.root.Objects = []fyne.CanvasObject{o}
	d.themed.Refresh()
	if d.OnTitle != nil {
		d.OnTitle(d.Title())
	}
}

func heading(s string) *widget.Label {
	l := widget.NewLabelWithStyle(s, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameHeadingText
	return l
}

// middle stands objects in the middle of the screen at full width, so long
// lines wrap at the screen's edge instead of one character a line.
func middle(objs ...fyne.CanvasObject) fyne.CanvasObject {
	return container.NewVBox(append(append([]fyne.CanvasObject{layout.NewSpacer()}, objs...), layout.NewSpacer())...)
}

// Close shows that nobody serves at the window.
func (d *Display) Close(window string) {
	d.Shown, d.Serving, d.window = nil, nil, window
	title := shell.L("display.closed")
	if window != "" {
		title = shell.L("display.window", map[string]any{"Window": window}) + "\n" + title
	}
	d.set("closed", middle(heading(title)))
}

// Pause shows 暂停服务 with who serves here, when they will be back and
// the nearest window open now (from the platform, which hears every
// window's signed sign-ins); without one, citizens are asked to wait or go
// to another window.
func (d *Display) Pause(window string, a account.Account, back time.Time, nearest *api.OpenWindow) {
	d.Shown, d.Serving, d.window = nil, &a, window
	paused := heading(shell.L("display.paused"))
	paused.Importance = widget.DangerImportance
	other := widget.NewLabelWithStyle(shell.L("display.paused_other"), fyne.TextAlignCenter, fyne.TextStyle{})
	if nearest != nil {
		other = heading(shell.L("display.nearest_open", map[string]any{"Window": nearest.Window, "Name": nearest.Name}))
	}
	d.set("paused", middle(
		heading(shell.L("display.window", map[string]any{"Window": window})),
		paused,
		heading(shell.L("display.back_at", map[string]any{"Time": back.Format("15:04")})),
		other,
		widget.NewLabelWithStyle(a.Name+"　"+a.Unit, fyne.TextAlignCenter, fyne.TextStyle{}),
	))
}

// SetOpenWindows takes the platform's list of the windows open now; a
// paused window's display names the nearest at once.
func (d *WindowDesk) SetOpenWindows(open []api.OpenWindow) {
	d.open = open
	if d.Paused && d.Staff != nil {
		d.Display.Pause(d.Window, *d.Staff, d.ReturnAt, nearestOpen(d.Window, open))
	}
}

// nearestOpen is the open window whose number is nearest to window's (the
// lower on a tie), other than window itself; nil when none is open.
func nearestOpen(window string, open []api.OpenWindow) *api.OpenWindow {
	here, err := strconv.Atoi(window)
	if err != nil {
		return nil
	}
	var best *api.OpenWindow
	bestGap, bestN := 0, 0
	for i := range open {
		n, err := strconv.Atoi(open[i].Window)
		if err != nil || n == here {
			continue
		}
		gap := n - here
		if gap < 0 {
			gap = -gap
		}
		if best == nil || gap < bestGap || gap == bestGap && n < bestN {
			best, bestGap, bestN = &open[i], gap, n
		}
	}
	return best
}

// staffCard is who serves at the window: on screen while serving and
// beside any guide or fee staff show.
func (d *Display) staffCard(window string, a account.Account, qr float32) fyne.CanvasObject {
	photo := d.staffPortrait(a.ID, a.Name, 120)
	// The card holds its width itself: its labels are measured in the
	// app's theme before the display's larger one reaches them.
	width := canvas.NewRectangle(color.Transparent)
	width.SetMinSize(fyne.NewSize(qr+100, 0))
	return container.NewVBox(width,
		heading(shell.L("display.window", map[string]any{"Window": window})),
		photo,
		heading(a.Name),
		widget.NewLabelWithStyle(a.Position, fyne.TextAlignCenter, fyne.TextStyle{}),
		widget.NewLabelWithStyle(a.Unit, fyne.TextAlignCenter, fyne.TextStyle{}),
		widget.NewLabelWithStyle(shell.L("display.staff_no", map[string]any{"ID": a.ID}), fyne.TextAlignCenter, fyne.TextStyle{}),
		shell.QRImage(api.PublicURL(d.platform, string(catalog.KindOfficer), a.ID), qr),
		widget.NewLabelWithStyle(shell.L("display.scan_staff"), fyne.TextAlignCenter, fyne.TextStyle{}),
	)
}

// Serve shows the staff member and the window's service items and fees,
// side by side so that both lists fit the screen whole: nobody scrolls a
// display.
func (d *Display) Serve(window string, a account.Account, s Service) {
	d.Shown, d.Serving, d.window = nil, &a, window
	list := func(title string, items []catalog.Item) fyne.CanvasObject {
		rows := []fyne.CanvasObject{widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
		for _, it := range items {
			l := newFlowText("• " + it.Title() + "　" + detailLine(it))
			rows = append(rows, l)
		}
		// The lines' own padding is room enough between them.
		return container.New(layout.NewCustomPaddedVBoxLayout(0), rows...)
	}
	right := container.NewGridWithColumns(2,
		list(shell.L("display.items"), s.Guides),
		list(shell.L("display.fees"), s.Fees),
	)
	d.set("serving", container.NewBorder(nil, nil, d.staffCard(window, a, 200), nil,
		container.NewBorder(container.NewVBox(windowHeading(s)...), nil, nil, nil, right)))
}

// detailLine is the one fact a citizen most needs beside an item's name.
func detailLine(it catalog.Item) string {
	switch v := it.(type) {
	case *catalog.FeeItem:
		return v.Standard
	case *catalog.ServiceGuide:
		return v.TimeLimit
	}
	return ""
}

// ShowItem puts one guide or fee in front of the citizen, beside who
// serves at the window.
func (d *Display) ShowItem(it catalog.Item) {
	v := detailView(it, d.platform, d.cat)
	d.pages = newPager(v.scroll.Content)
	page := container.NewBorder(heading(it.Title()), nil, v.left, v.right, d.pages.box)
	if d.Serving != nil {
		page = container.NewBorder(nil, nil, d.staffCard(d.window, *d.Serving, 160), nil, page)
	}
	d.set("item", page)
	d.Shown = it
}

// Turn shows the next page of an item too long for the screen, or its
// first after its last: nobody scrolls a display, so it turns by itself
// (TurnEvery).
func (d *Display) Turn() {
	if d.State == "item" && d.pages != nil {
		d.pages.Turn()
	}
}

// TurnEvery is how long a display shows one page of a long item.
const TurnEvery = 12 * time.Second

// TurnPages turns the display's pages every TurnEvery until ctx ends.
func (d *Display) TurnPages(ctx context.Context) {
	tick := time.NewTicker(TurnEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			fyne.Do(d.Turn)
		}
	}
}

// String is for logs.
func (d *Display) String() string { return fmt.Sprintf("display(%s)", d.State) }
