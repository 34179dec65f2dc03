// Package kiosk holds the citizen-facing screens: the hall touchscreen that
// browses and searches the public lists, and the service window's display.
// Screens read the local catalog only, so they keep serving with no network.
package kiosk

import (
	"context"
	"net/url"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/assets"
	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// Kiosk is the hall touchscreen. Its widgets are fields so tests can drive it.
type Kiosk struct {
	cat      *catalog.Catalog
	cfg      config.Config
	agencies []catalog.Agency
	win      fyne.Window

	Title   *widget.Label
	Updated *widget.Label
	// Clock is the date and time at the top right.
	Clock *widget.Label
	// Tiles are the home screen's tiles, in order.
	Tiles []*Tile
	// Read is the detail screen's 朗读 button, nil elsewhere and where the
	// system has no Chinese voice.
	Read   *widget.Button
	emblem fyne.Resource
	voice  Voice
	Back   *widget.Button
	Admin  *widget.Button
	// Home, Contrast and Complain are the top bar's other buttons;
	// Contrast shows whether 大字高对比 is on.
	Home, Contrast, Complain *widget.Button
	// Scroll is the touch scroller of the screen in view, nil where
	// nothing scrolls.
	Scroll  *TouchScroll
	body    *fyne.Container
	history []func()

	// List is the list screen in view, nil elsewhere; Keyboard types into
	// its search box.
	List     *ListScreen
	Keyboard *Keyboard
	// Detail is the item on screen, nil elsewhere.
	Detail catalog.Item
	// Idle is true while the attract screen shows; OnHome while home does.
	Idle   bool
	OnHome bool

	now        func() time.Time
	lastActive time.Time
	idleAfter  time.Duration
	// offset reads how far the screen in view is scrolled: Fyne has no
	// global input hook and drags go straight to the scroller, so a citizen
	// reading a long page counts as active when the offset moves.
	offset     func() float32
	lastOffset float32

	admin adminGate
	// quit ends the program (the app's Quit; tests replace it).
	quit         func()
	highContrast bool
	pull         Puller
	// PullMessage says what the administrator's last pull did.
	PullMessage *widget.Label
	// FlowList is the 执法流程 screen's charts while it shows, Flow the
	// chart in view (kiosk/flows.go), GuideFlow a guide's button to its
	// chart.
	FlowList  []FlowEntry
	Flow      *FlowView
	GuideFlow *widget.Button
}

// Puller pulls the public lists from the platform now and says how many
// changes arrived; its errors may be Keyed (app/shell), for the screens to
// word.
type Puller interface {
	Pull(ctx context.Context) (int, error)
}

// PullFunc makes a function a Puller.
type PullFunc func(ctx context.Context) (int, error)

// Pull calls f.
func (f PullFunc) Pull(ctx context.Context) (int, error) { return f(ctx) }

// pullText words what a pull did: how many changes arrived, or why not.
func pullText(n int, err error) string {
	if err != nil {
		return shell.ErrorText(err)
	}
	return shell.L("cli.pulled", map[string]any{"N": n})
}

// SetPull gives the kiosk a way to pull the public lists from the platform
// now, offered among the administrator's actions.
func (k *Kiosk) SetPull(p Puller) { k.pull = p }

// New builds the kiosk on the catalog at cat.
func New(cat *catalog.Catalog, cfg config.Config) (*Kiosk, error) {
	agencies, err := cat.Agencies(context.Background())
	if err != nil {
		return nil, err
	}
	k := &Kiosk{cat: cat, cfg: cfg, agencies: agencies, now: time.Now,
		idleAfter: time.Duration(cfg.KioskIdleSeconds) * time.Second}
	k.admin.hash = cfg.KioskAdminPINHash
	k.Title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	k.Updated = widget.NewLabel("")
	k.Back = widget.NewButtonWithIcon(shell.L("kiosk.back"), theme.NavigateBackIcon(), k.GoBack)
	k.Title.Truncation = fyne.TextTruncateEllipsis // a long item's name never widens the bar
	k.Clock = widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	k.emblem = fyne.NewStaticResource("icon.png", assets.Icon)
	k.tickClock()
	k.Home = widget.NewButtonWithIcon(shell.L("kiosk.home"), theme.HomeIcon(), k.ShowHome)
	k.Complain = widget.NewButtonWithIcon(shell.L("kiosk.complaint"), theme.MailComposeIcon(), k.ShowComplaint)
	k.Complain.Importance = widget.HighImportance
	k.Contrast = widget.NewButtonWithIcon(shell.L("kiosk.contrast"), theme.CheckButtonIcon(), k.ToggleContrast)
	k.Admin = widget.NewButtonWithIcon("", theme.SettingsIcon(), func() {
		k.admin.toClose = false
		k.AskAdmin()
	})
	k.Admin.Importance = widget.LowImportance
	k.body = container.NewStack()
	k.refreshUpdated()
	k.ShowHome()
	return k, nil
}

// SetClock replaces the clock the idle timer reads, for tests.
func (k *Kiosk) SetClock(now func() time.Time) {
	k.now = now
	k.touch()
	k.tickClock()
}

// Content is the kiosk's whole screen.
func (k *Kiosk) Content() fyne.CanvasObject {
	// No bar at the bottom: every screen's height goes to its content,
	// and the administrator's gear sits at the end of the top bar.
	top := container.NewBorder(nil, nil, container.NewHBox(k.Home, k.Back), container.NewHBox(k.Clock, k.Contrast, k.Complain, k.Admin), k.Title)
	return container.NewBorder(container.NewVBox(top, widget.NewSeparator()), nil, nil, nil, k.body)
}

func (k *Kiosk) refreshUpdated() { k.Updated.SetText(updatedText(k.cat)) }

// updatedText says when the local copy of the public lists last changed.
func updatedText(cat *catalog.Catalog) string {
	t, err := cat.UpdatedAt(context.Background())
	switch {
	case err != nil:
		return shell.L("kiosk.updated_unknown")
	case t.IsZero():
		return shell.L("kiosk.never_updated")
	}
	return shell.L("kiosk.updated_at", map[string]any{"Time": t.Local().Format("2006-01-02 15:04")})
}

// Refresh shows new catalog data after a sync: the updated time, and the
// home screen's counts if it is in view (a citizen mid-search is left alone).
func (k *Kiosk) Refresh() {
	k.refreshUpdated()
	if k.OnHome {
		last := k.lastActive
		k.ShowHome()
		k.lastActive = last // a sync is not a citizen's touch
	}
}

// touch records activity: every handler a citizen can reach calls it.
func (k *Kiosk) touch() { k.lastActive = k.now() }

// CheckIdle shows the attract screen once nobody has touched the kiosk for
// the idle time: the search, the way back and 大字高对比 are cleared for
// the next citizen, whose first touch starts at home.
func (k *Kiosk) CheckIdle() {
	k.tickClock()
	if k.voice != nil && k.Read != nil {
		if k.voice.Speaking() {
			k.touch() // a citizen listening is a citizen using the kiosk
		} else if k.Read.Text != shell.L("kiosk.read") {
			k.setReading(false)
		}
	}
	if k.offset != nil {
		if o := k.offset(); o != k.lastOffset {
			k.lastOffset = o
			k.touch()
		}
	}
	if k.Idle || k.now().Sub(k.lastActive) < k.idleAfter {
		return
	}
	k.ShowAttract()
}

// RunIdleTimer checks for idleness, and sets the clock, every second
// until ctx ends.
func (k *Kiosk) RunIdleTimer(ctx context.Context) { shell.Every(ctx, time.Second, k.CheckIdle) }

func (k *Kiosk) show(title string, content fyne.CanvasObject, keep bool) {
	k.touch()
	k.stopReading()
	k.Read = nil
	k.offset, k.lastOffset = nil, 0
	k.Scroll = nil
	k.Flow, k.FlowList, k.GuideFlow = nil, nil, nil
	k.OnHome = false
	k.Idle = false
	k.Title.SetText(title)
	k.body.Objects = []fyne.CanvasObject{content}
	k.body.Refresh()
	if !keep {
		k.history = k.history[:0]
	}
	if len(k.history) > 0 {
		k.Back.Enable()
	} else {
		k.Back.Disable()
	}
}

// GoBack returns to the previous screen.
func (k *Kiosk) GoBack() {
	if n := len(k.history); n > 0 {
		prev := k.history[n-1]
		k.history = k.history[:n-1]
		prev()
		if len(k.history) == 0 {
			k.Back.Disable()
		}
	}
}

// ToggleContrast switches the high-contrast, large-text look for elderly and
// low-vision citizens. The kiosk owns its process, so it sets the app theme
// (Fyne 2.7's ThemeOverride leaves form labels and placeholders unscaled).
func (k *Kiosk) ToggleContrast() {
	k.touch()
	k.setContrast(!k.highContrast)
}

// LargeText says whether 大字高对比 is on.
func (k *Kiosk) LargeText() bool { return k.highContrast }

// setContrast switches 大字高对比 on or off; its button says which, by its
// tick, its words and its colour.
func (k *Kiosk) setContrast(on bool) {
	if on == k.highContrast {
		return
	}
	k.highContrast = on
	if on {
		k.Contrast.SetText(shell.L("kiosk.contrast_on"))
		k.Contrast.SetIcon(theme.CheckButtonCheckedIcon())
		k.Contrast.Importance = widget.HighImportance
	} else {
		k.Contrast.SetText(shell.L("kiosk.contrast"))
		k.Contrast.SetIcon(theme.CheckButtonIcon())
		k.Contrast.Importance = widget.MediumImportance
	}
	k.Contrast.Refresh()
	fyne.CurrentApp().Settings().SetTheme(shell.Theme{Large: true, Touch: true, HighContrast: on, Scheme: k.scheme()})
	k.tickClock()
	if k.OnHome { // its tiles take fewer columns in the larger text
		last := k.lastActive
		k.ShowHome()
		k.lastActive = last
	}
}

// kindLabel is the translation key of a list's name.
func kindLabel(kind catalog.Kind) string { return "list." + string(kind) }

// ShowHome shows the hall's name and emblem over a tile for each public
// list, with its icon and how many items it holds, and the complaint tile.
func (k *Kiosk) ShowHome() {
	k.List, k.Keyboard, k.Detail = nil, nil, nil
	ctx := context.Background()
	k.Tiles = k.Tiles[:0]
	for _, kind := range catalog.Kinds {
		n, err := k.cat.Count(ctx, catalog.Query{Kind: kind})
		if err != nil {
			fyne.LogError("count "+string(kind), err)
		}
		k.Tiles = append(k.Tiles, newTile(kindIcon(kind), shell.L(kindLabel(kind)), shell.L("kiosk.count", map[string]any{"N": n}), false, k.highContrast, func() {
			k.history = append(k.history, k.ShowHome)
			k.ShowList(kind)
		}))
	}
	k.Tiles = append(k.Tiles, newTile(icon("flow"), shell.L("kiosk.flows"), shell.L("kiosk.flows_sub", map[string]any{"N": flowCount()}), false, k.highContrast, func() {
		k.history = append(k.history, k.ShowHome)
		k.ShowFlows()
	}))
	k.Tiles = append(k.Tiles, newTile(theme.MailComposeIcon(), shell.L("kiosk.complaint_tile"), "", true, k.highContrast, func() {
		k.history = append(k.history, k.ShowHome)
		k.ShowComplaint()
	}))
	cols := 4
	if k.highContrast || len(k.Tiles) > 8 {
		cols = 3 // the names of the lists fit their tiles in the larger text
	}
	var tiles []fyne.CanvasObject
	for _, t := range k.Tiles {
		tiles = append(tiles, t.content)
	}
	grid := container.NewGridWithColumns(cols, tiles...)
	// When the lists last changed, at the right of the hall's name.
	updated := container.NewVBox(layout.NewSpacer(), k.Updated)
	banner := container.NewBorder(nil, nil, nil, updated, k.hallBanner(shell.L("kiosk.welcome")))
	k.show(shell.L("kiosk.title"), container.NewBorder(banner, nil, nil, nil, grid), false)
	k.OnHome = true
}

// ShowList shows one list with its search box, filters and keyboard.
func (k *Kiosk) ShowList(kind catalog.Kind) {
	k.Detail = nil
	k.List = newListScreen(k.cat, k.agencies, kind, func(it catalog.Item) {
		k.history = append(k.history, func() { k.ShowList(kind) })
		k.ShowDetail(it)
	})
	k.List.onActivity = k.touch
	k.Keyboard = newKeyboard(k.List.Search, false, k.touch)
	kb := k.Keyboard
	// On a landscape screen the keyboard leaves few rows: it can be put
	// away while reading the results, and brought back.
	toggle := widget.NewButtonWithIcon(shell.L("keyboard.hide"), theme.MenuDropDownIcon(), nil)
	toggle.OnTapped = func() {
		k.touch()
		if kb.content.Visible() {
			kb.content.Hide()
			toggle.SetText(shell.L("keyboard.show"))
			toggle.SetIcon(theme.MenuDropUpIcon())
		} else {
			kb.content.Show()
			toggle.SetText(shell.L("keyboard.hide"))
			toggle.SetIcon(theme.MenuDropDownIcon())
		}
		if kb.onFold != nil {
			kb.onFold()
		}
	}
	kb.Toggle = toggle
	k.List.filters.Add(toggle)
	screen := container.NewBorder(nil, kb.content, nil, nil, k.List.content)
	kb.onFold = screen.Refresh // the list takes the keyboard's place
	k.show(shell.L(kindLabel(kind)), screen, true)
	k.Scroll = k.List.Scroll
	k.List.Scroll.surface.onScroll = k.touch
	k.offset = k.List.Results.GetScrollOffset
}

// ShowDetail shows one item with every public field and its QR code.
func (k *Kiosk) ShowDetail(it catalog.Item) {
	k.Detail, k.Keyboard = it, nil
	view := detailView(it, k.cfg.PlatformURL, k.cat)
	scroll := view.scroll
	ts := touchScroll(scroll, scrollOf{scroll}, k.touch)
	right := view.right
	var read *widget.Button
	if k.voice != nil {
		read = widget.NewButtonWithIcon(shell.L("kiosk.read"), theme.VolumeUpIcon(), func() { k.ReadAloud(it) })
		read.Importance = widget.HighImportance
		right = container.NewBorder(read, nil, nil, nil, view.right)
	}
	guideFlow := k.flowButton(it)
	if guideFlow != nil {
		right = container.NewVBox(right, guideFlow)
	}
	k.show(it.Title(), container.NewBorder(nil, nil, view.left, right, ts.content), true)
	k.Read, k.GuideFlow = read, guideFlow
	k.Scroll = ts
	k.offset = func() float32 { return scroll.Offset.Y }
}

// ShowComplaint shows how to complain or seek remedy, for every agency:
// the 12345 hotline first and largest, then each agency's complaint
// phone, address and remedy channels, with a QR code to its page on the
// platform, which lists them too.
func (k *Kiosk) ShowComplaint() {
	k.List, k.Keyboard, k.Detail = nil, nil, nil
	hotline := newFlowText(shell.L("complaint.hotline"))
	hotline.TextStyle, hotline.SizeName = fyne.TextStyle{Bold: true}, theme.SizeNameHeadingText
	hotline.Importance = widget.HighImportance
	rows := []fyne.CanvasObject{hotline, newFlowText(shell.L("complaint.intro"))}
	for _, a := range k.agencies {
		name := newFlowText(a.Name)
		name.TextStyle, name.SizeName = fyne.TextStyle{Bold: true}, theme.SizeNameSubHeadingText
		facts := container.NewVBox(
			newFlowText(shell.L("complaint.phone", map[string]any{"Phone": a.ComplaintPhone})),
			newFlowText(shell.L("complaint.address", map[string]any{"Address": a.Address})),
			newFlowText(a.RemedyChannels),
		)
		// Its lines are set in the translation, so the column's height is
		// known and the caption never runs into the next agency.
		scan := widget.NewLabel(shell.L("complaint.scan_agency"))
		scan.SizeName, scan.Alignment = theme.SizeNameCaptionText, fyne.TextAlignCenter
		qr := container.NewVBox(shell.QRImage(agencyURL(k.cfg.PlatformURL, a.Code), 140), scan)
		rows = append(rows, widget.NewSeparator(), name, container.NewBorder(nil, nil, nil, qr, facts))
	}
	rows = append(rows, widget.NewSeparator(), k.verifySection())
	scroll := container.NewVScroll(container.NewVBox(rows...))
	ts := touchScroll(scroll, scrollOf{scroll}, k.touch)
	k.show(shell.L("kiosk.complaint"), ts.content, len(k.history) > 0)
	k.Scroll = ts
	k.offset = func() float32 { return scroll.Offset.Y }
}

// verifySection says how to check a printed document (扫码验真), with
// the QR code of the platform's page that explains it and takes a typed
// reference and check value, in the agencies' style.
func (k *Kiosk) verifySection() fyne.CanvasObject {
	title := newFlowText(shell.L("kiosk.verify_title"))
	title.TextStyle, title.SizeName = fyne.TextStyle{Bold: true}, theme.SizeNameSubHeadingText
	scan := widget.NewLabel(shell.L("kiosk.verify_scan"))
	scan.SizeName, scan.Alignment = theme.SizeNameCaptionText, fyne.TextAlignCenter
	qr := container.NewVBox(shell.QRImage(VerifyURL(k.cfg.PlatformURL), 140), scan)
	return container.NewVBox(title, container.NewBorder(nil, nil, nil, qr, newFlowText(shell.L("kiosk.verify_steps"))))
}

// VerifyURL is the platform's page on how to check a document.
func VerifyURL(platform string) string { return strings.TrimRight(platform, "/") + api.PathVerify }

// agencyURL is an agency's public page on the platform
// (sync/server/pages.AgencyPath), with its complaint and remedy channels.
func agencyURL(platform, code string) string {
	return strings.TrimRight(platform, "/") + "/p/agencies/" + url.PathEscape(code)
}

// ShowAttract shows the idle screen: a touch anywhere starts at home.
func (k *Kiosk) ShowAttract() {
	k.List, k.Keyboard, k.Detail = nil, nil, nil
	k.history = k.history[:0]
	k.Back.Disable()
	k.setContrast(false) // the next citizen starts with the usual text
	k.stopReading()
	k.Read = nil
	start := widget.NewButton("", k.ShowHome)
	start.Importance = widget.LowImportance
	title := k.hallBanner(shell.L("kiosk.title"))
	var kinds []fyne.CanvasObject
	for _, kind := range catalog.Kinds {
		kinds = append(kinds, widget.NewLabelWithStyle(shell.L(kindLabel(kind)), fyne.TextAlignCenter, fyne.TextStyle{}))
	}
	kinds = append(kinds, widget.NewLabelWithStyle(shell.L("kiosk.flows"), fyne.TextAlignCenter, fyne.TextStyle{}))
	// Two columns, so the screen fits 1280×800 however large the text.
	lines := []fyne.CanvasObject{layout.NewSpacer(), title, container.NewGridWithColumns(2, kinds...)}
	touch := widget.NewLabelWithStyle(shell.L("kiosk.touch_to_start"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	touch.Importance = widget.HighImportance
	lines = append(lines, touch, layout.NewSpacer())
	k.Title.SetText("")
	k.body.Objects = []fyne.CanvasObject{container.NewStack(start, container.NewVBox(lines...))}
	k.body.Refresh()
	k.Idle, k.OnHome = true, false
}
