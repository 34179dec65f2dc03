package kiosk

import (
	"context"
	"fmt"
	"strconv"

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

	// Signed-in console.
	Staff   *account.Account
	Window  string
	Paused  bool
	Pause   *widget.Button
	SignOut *widget.Button
	Guides  *ListScreen
	Fees    *ListScreen

	Display *Display
	console *fyne.Container

	// Public lists: when they last changed, a button to pull them from the
	// platform now, and what the last pull said.
	Updated    *widget.Label
	UpdateNow  *widget.Button
	PullResult *widget.Label
	pull       Puller
	screen     *fyne.Container
}

// NewWindowDesk builds the console and its display on the local catalog
// and account book.
func NewWindowDesk(cat *catalog.Catalog, book *account.Book, cfg config.Config) (*WindowDesk, error) {
	agencies, err := cat.Agencies(context.Background())
	if err != nil {
		return nil, err
	}
	d := &WindowDesk{cat: cat, book: book, cfg: cfg, agencies: agencies, post: fyne.Do,
		background: func(f func()) { go f() }}
	d.Display = newDisplay(cfg.PlatformURL)
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
	go func() {
		n, err := d.pull.Pull(context.Background())
		fyne.Do(func() {
			defer close(done)
			d.ShowPull(n, err)
			if n > 0 {
				d.Refresh() // else the lists keep their place
			}
			d.UpdateNow.Enable()
		})
	}()
	return done
}

// ShowPull shows what a pull of the public lists did (n changes, or err),
// the scheduled ones too, so staff know when the lists may be out of date.
func (d *WindowDesk) ShowPull(n int, err error) {
	d.PullResult.Importance = widget.MediumImportance
	if err != nil {
		d.PullResult.Importance = widget.DangerImportance
	}
	d.PullResult.SetText(pullText(n, err))
}

// Refresh shows the public lists as they are now (after a pull): the time
// they changed, the console's lists, and on the display the window's
// service or the item staff picked, as they now read. A paused display
// stays paused; an item withdrawn stays on screen until staff pick again.
func (d *WindowDesk) Refresh() {
	d.Updated.SetText(updatedText(d.cat))
	if d.Staff == nil {
		return
	}
	d.Guides.reload()
	d.Fees.reload()
	switch d.Display.State {
	case "serving":
		d.Display.Serve(d.Window, *d.Staff, d.serviceItems(d.Staff.Agency))
	case "item":
		if it, err := d.cat.Get(context.Background(), d.Display.Shown.Kind(), d.Display.Shown.Key()); err == nil {
			d.Display.ShowItem(it)
		}
	}
}

func (d *WindowDesk) showSignIn() {
	var numbers []string
	for i := 1; i <= d.cfg.HallWindows; i++ {
		numbers = append(numbers, strconv.Itoa(i))
	}
	d.WindowNo = widget.NewSelect(numbers, nil)
	d.WindowNo.PlaceHolder = shell.L("window.pick")
	if d.Window != "" {
		d.WindowNo.SetSelected(d.Window)
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
	id, pin, window := d.StaffID.Text, d.PIN.Text, d.WindowNo.Selected
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

// Service is what a window offers: its agency's guides and fees.
type Service struct{ Guides, Fees []catalog.Item }

func (d *WindowDesk) serviceItems(agency string) Service {
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
	clear := widget.NewButtonWithIcon(shell.L("window.clear"), theme.ContentClearIcon(), func() {
		d.Display.Serve(d.Window, *d.Staff, d.serviceItems(d.Staff.Agency))
	})
	d.SignOut = widget.NewButtonWithIcon(shell.L("window.sign_out"), theme.LogoutIcon(), d.DoSignOut)
	top := container.NewHBox(who, layout.NewSpacer(), clear, d.Pause, d.SignOut)
	show := func(it catalog.Item) {
		if !d.Paused {
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
	hint := widget.NewLabel(shell.L("window.pick_hint"))
	tabs := container.NewAppTabs(
		container.NewTabItem(shell.L("list.guide"), d.Guides.content),
		container.NewTabItem(shell.L("list.fee"), d.Fees.content),
	)
	d.console.Objects = []fyne.CanvasObject{container.NewBorder(container.NewVBox(top, hint, widget.NewSeparator()), nil, nil, nil, tabs)}
	d.console.Refresh()
}

// TogglePause shows "暂停服务" to citizens while the staff member steps away.
func (d *WindowDesk) TogglePause() {
	if d.Staff == nil {
		return
	}
	d.Paused = !d.Paused
	event := "resume"
	if d.Paused {
		event = "pause"
		d.Pause.SetText(shell.L("window.resume"))
		d.Pause.SetIcon(theme.MediaPlayIcon())
		d.Display.Pause(d.Window, *d.Staff)
	} else {
		d.Pause.SetText(shell.L("window.pause"))
		d.Pause.SetIcon(theme.MediaPauseIcon())
		d.Display.Serve(d.Window, *d.Staff, d.serviceItems(d.Staff.Agency))
	}
	kind := hall.KindWindowResume
	if d.Paused {
		kind = hall.KindWindowPause
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
	root     *fyne.Container
	themed   *container.ThemeOverride
	// State is "closed", "serving", "paused" or "item", for tests.
	State string
	// Shown is the item on screen in state "item".
	Shown catalog.Item
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
	d.State = state
	d.root.Objects = []fyne.CanvasObject{o}
	d.themed.Refresh()
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
	d.Shown = nil
	title := shell.L("display.closed")
	if window != "" {
		title = shell.L("display.window", map[string]any{"Window": window}) + "\n" + title
	}
	d.set("closed", middle(heading(title)))
}

// Pause shows "暂停服务" with who serves here.
func (d *Display) Pause(window string, a account.Account) {
	d.Shown = nil
	d.set("paused", middle(
		heading(shell.L("display.window", map[string]any{"Window": window})),
		heading(shell.L("display.paused")),
		widget.NewLabelWithStyle(a.Name+"　"+a.Unit, fyne.TextAlignCenter, fyne.TextStyle{}),
	))
}

// Serve shows the staff member and the window's service items and fees.
func (d *Display) Serve(window string, a account.Account, s Service) {
	d.Shown = nil
	photo := canvas.NewImageFromResource(theme.AccountIcon())
	photo.FillMode = canvas.ImageFillContain
	photo.SetMinSize(fyne.NewSize(120, 120))
	card := container.NewVBox(
		heading(shell.L("display.window", map[string]any{"Window": window})),
		photo,
		heading(a.Name),
		widget.NewLabelWithStyle(a.Position, fyne.TextAlignCenter, fyne.TextStyle{}),
		widget.NewLabelWithStyle(a.Unit, fyne.TextAlignCenter, fyne.TextStyle{}),
		widget.NewLabelWithStyle(shell.L("display.staff_no", map[string]any{"ID": a.ID}), fyne.TextAlignCenter, fyne.TextStyle{}),
		shell.QRImage(api.PublicURL(d.platform, string(catalog.KindOfficer), a.ID), 220),
		widget.NewLabelWithStyle(shell.L("display.scan_staff"), fyne.TextAlignCenter, fyne.TextStyle{}),
	)
	list := func(title string, items []catalog.Item) fyne.CanvasObject {
		box := container.NewVBox(widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		for _, it := range items {
			l := widget.NewLabel("• " + it.Title() + "　" + detailLine(it))
			l.Wrapping = fyne.TextWrapWord
			box.Add(l)
		}
		return box
	}
	right := container.NewVScroll(container.NewVBox(
		list(shell.L("display.items"), s.Guides),
		widget.NewSeparator(),
		list(shell.L("display.fees"), s.Fees),
	))
	d.set("serving", container.NewBorder(nil, nil, card, nil, right))
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

// ShowItem puts one guide or fee in front of the citizen.
func (d *Display) ShowItem(it catalog.Item) {
	view, _ := detailView(it, d.platform)
	d.set("item", container.NewBorder(heading(it.Title()), nil, nil, nil, view))
	d.Shown = it
}

// String is for logs.
func (d *Display) String() string { return fmt.Sprintf("display(%s)", d.State) }
