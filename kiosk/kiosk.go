// Package kiosk holds the citizen-facing screens: the hall touchscreen that
// browses and searches the public lists, and the service window's display.
// Screens read the local catalog only, so they keep serving with no network.
package kiosk

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/shell"
)

// Kiosk is the hall touchscreen. Its widgets are fields so tests can drive it.
type Kiosk struct {
	cat      *catalog.Catalog
	cfg      config.Config
	agencies []catalog.Agency
	win      fyne.Window

	Title   *widget.Label
	Updated *widget.Label
	Back    *widget.Button
	Admin   *widget.Button
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
	k.Admin = widget.NewButtonWithIcon("", theme.SettingsIcon(), k.AskAdmin)
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
}

// Content is the kiosk's whole screen.
func (k *Kiosk) Content() fyne.CanvasObject {
	home := widget.NewButtonWithIcon(shell.L("kiosk.home"), theme.HomeIcon(), k.ShowHome)
	complain := widget.NewButtonWithIcon(shell.L("kiosk.complaint"), theme.MailComposeIcon(), k.ShowComplaint)
	complain.Importance = widget.HighImportance
	contrast := widget.NewButtonWithIcon(shell.L("kiosk.contrast"), theme.VisibilityIcon(), k.ToggleContrast)
	top := container.NewHBox(home, k.Back, k.Title, layout.NewSpacer(), contrast, complain)
	bottom := container.NewHBox(k.Admin, layout.NewSpacer(), k.Updated)
	return container.NewBorder(container.NewVBox(top, widget.NewSeparator()), bottom, nil, nil, k.body)
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

// CheckIdle returns to home, clearing any search, once nobody has touched
// the kiosk for the idle time; left alone on home as long again, it shows
// the attract screen.
func (k *Kiosk) CheckIdle() {
	if k.offset != nil {
		if o := k.offset(); o != k.lastOffset {
			k.lastOffset = o
			k.touch()
		}
	}
	if k.Idle || k.now().Sub(k.lastActive) < k.idleAfter {
		return
	}
	if k.OnHome {
		k.ShowAttract()
	} else {
		k.ShowHome()
	}
}

// RunIdleTimer checks for idleness every second until ctx ends.
func (k *Kiosk) RunIdleTimer(ctx context.Context) { shell.Every(ctx, time.Second, k.CheckIdle) }

func (k *Kiosk) show(title string, content fyne.CanvasObject, keep bool) {
	k.touch()
	k.offset, k.lastOffset = nil, 0
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
	k.highContrast = !k.highContrast
	fyne.CurrentApp().Settings().SetTheme(shell.Theme{Large: true, HighContrast: k.highContrast})
}

// kindLabel is the translation key of a list's name.
func kindLabel(kind catalog.Kind) string { return "list." + string(kind) }

// ShowHome shows the tiles of the public lists.
func (k *Kiosk) ShowHome() {
	k.List, k.Keyboard, k.Detail = nil, nil, nil
	ctx := context.Background()
	var tiles []fyne.CanvasObject
	for _, kind := range catalog.Kinds {
		n, err := k.cat.Count(ctx, catalog.Query{Kind: kind})
		if err != nil {
			fyne.LogError("count "+string(kind), err)
		}
		b := widget.NewButton(fmt.Sprintf("%s\n%s", shell.L(kindLabel(kind)), shell.L("kiosk.count", map[string]any{"N": n})), func() {
			k.history = append(k.history, k.ShowHome)
			k.ShowList(kind)
		})
		tiles = append(tiles, b)
	}
	c := widget.NewButton(shell.L("kiosk.complaint_tile"), func() {
		k.history = append(k.history, k.ShowHome)
		k.ShowComplaint()
	})
	c.Importance = widget.HighImportance
	tiles = append(tiles, c)
	welcome := widget.NewLabelWithStyle(shell.L("kiosk.welcome"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	grid := container.NewGridWithColumns(4, tiles...)
	k.show(shell.L("kiosk.title"), container.NewBorder(welcome, nil, nil, nil, grid), false)
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
	}
	kb.Toggle = toggle
	k.List.filters.Add(toggle)
	k.show(shell.L(kindLabel(kind)), container.NewBorder(nil, kb.content, nil, nil, k.List.content), true)
	k.offset = k.List.Results.GetScrollOffset
}

// ShowDetail shows one item with every public field and its QR code.
func (k *Kiosk) ShowDetail(it catalog.Item) {
	k.Detail, k.Keyboard = it, nil
	view, scroll := detailView(it, k.cfg.PlatformURL)
	k.show(it.Title(), view, true)
	k.offset = func() float32 { return scroll.Offset.Y }
}

// ShowComplaint shows how to complain or seek remedy, for every agency.
func (k *Kiosk) ShowComplaint() {
	k.List, k.Keyboard, k.Detail = nil, nil, nil
	rows := []fyne.CanvasObject{
		widget.NewLabelWithStyle(shell.L("complaint.hotline"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		wrapped(shell.L("complaint.intro")),
	}
	for _, a := range k.agencies {
		card := widget.NewCard(a.Name, "", container.NewVBox(
			wrapped(shell.L("complaint.phone", map[string]any{"Phone": a.ComplaintPhone})),
			wrapped(shell.L("complaint.address", map[string]any{"Address": a.Address})),
			wrapped(a.RemedyChannels),
		))
		rows = append(rows, card)
	}
	scroll := container.NewVScroll(container.NewVBox(rows...))
	k.show(shell.L("kiosk.complaint"), scroll, len(k.history) > 0)
	k.offset = func() float32 { return scroll.Offset.Y }
}

// ShowAttract shows the idle screen: a touch anywhere starts at home.
func (k *Kiosk) ShowAttract() {
	k.List, k.Keyboard, k.Detail = nil, nil, nil
	k.history = k.history[:0]
	k.Back.Disable()
	start := widget.NewButton("", k.ShowHome)
	start.Importance = widget.LowImportance
	title := widget.NewLabelWithStyle(shell.L("kiosk.title"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	lines := []fyne.CanvasObject{layout.NewSpacer(), title}
	for _, kind := range catalog.Kinds {
		lines = append(lines, widget.NewLabelWithStyle(shell.L(kindLabel(kind)), fyne.TextAlignCenter, fyne.TextStyle{}))
	}
	touch := widget.NewLabelWithStyle(shell.L("kiosk.touch_to_start"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	touch.Importance = widget.HighImportance
	lines = append(lines, touch, layout.NewSpacer())
	k.Title.SetText("")
	k.body.Objects = []fyne.CanvasObject{container.NewStack(start, container.NewVBox(lines...))}
	k.body.Refresh()
	k.Idle, k.OnHome = true, false
}

func wrapped(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}
