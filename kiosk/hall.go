package kiosk

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/shell"
)

// The hall as the platform configures it (issue 23): the window picker
// lists the hall's own windows by number and name, and a window's desk
// and display offer the guides and fees that window handles. The halls
// come with the public lists (client.Pull) and are kept in the catalog,
// so a window works offline. Only where no hall is configured does a
// window fall back to its staff member's agency's first items, and the
// console says so.

// windowSep stands between a window's number and its name in the picker.
const windowSep = "　"

// theHall is the hall this desk stands in: the one config names, or the only
// one the platform configures; false for none.
func (d *WindowDesk) theHall() (catalog.Hall, bool) {
	halls, err := d.cat.Halls(context.Background())
	if err != nil {
		fyne.LogError("window halls", err)
		return catalog.Hall{}, false
	}
	for _, h := range halls {
		if h.Code == d.cfg.Hall {
			return h, true
		}
	}
	if d.cfg.Hall == "" && len(halls) == 1 {
		return halls[0], true
	}
	return catalog.Hall{}, false
}

// windowOptions are the picker's choices: the hall's windows ("3　综合受理
// 窗口"), or the numbers 1 to hall_windows where no hall has windows.
func (d *WindowDesk) windowOptions() []string {
	var out []string
	if h, ok := d.theHall(); ok {
		for _, w := range h.Windows {
			out = append(out, strconv.Itoa(w.Number)+windowSep+w.Name)
		}
	}
	if len(out) > 0 {
		return out
	}
	for i := 1; i <= d.cfg.HallWindows; i++ {
		out = append(out, strconv.Itoa(i))
	}
	return out
}

// windowNumber is the number of a picker's choice.
func windowNumber(choice string) string {
	n, _, _ := strings.Cut(choice, windowSep)
	return n
}

// windowChoice is the picker's choice for a window number ("07" is 7);
// false if the hall has no such window.
func (d *WindowDesk) windowChoice(number string) (string, bool) {
	n, err := strconv.Atoi(number)
	if err != nil {
		return "", false
	}
	for _, o := range d.windowOptions() {
		if windowNumber(o) == strconv.Itoa(n) {
			return o, true
		}
	}
	return "", false
}

// refreshWindows puts the hall's windows as last pulled in the picker.
func (d *WindowDesk) refreshWindows() {
	if d.WindowNo == nil || d.Staff != nil {
		return
	}
	d.WindowNo.SetOptions(d.windowOptions())
	if c, ok := d.windowChoice(windowNumber(d.WindowNo.Selected)); ok {
		d.WindowNo.SetSelected(c)
	} else {
		d.WindowNo.ClearSelected()
	}
}

// windowService is what the hall's window of that number handles, its
// items as the lists now read them (one withdrawn since is left out);
// false where the hall configures no such window.
func (d *WindowDesk) windowService(window string) (Service, bool) {
	h, ok := d.theHall()
	if !ok {
		return Service{}, false
	}
	n, err := strconv.Atoi(window)
	if err != nil {
		return Service{}, false
	}
	w, ok := h.Window(n)
	if !ok {
		return Service{}, false
	}
	s := Service{Name: w.Name, Guides: []catalog.Item{}, Fees: []catalog.Item{}}
	load := func(kind catalog.Kind, ids []string) []catalog.Item {
		var out []catalog.Item
		for _, id := range ids {
			it, err := d.cat.Get(context.Background(), kind, id)
			if err != nil {
				if !errors.Is(err, catalog.ErrNotFound) {
					fyne.LogError("window item", err)
				}
				continue
			}
			out = append(out, it)
		}
		return out
	}
	s.Guides, s.Fees = load(catalog.KindGuide, w.Guides), load(catalog.KindFee, w.Fees)
	return s, true
}

// hallNote is what the console adds to its hint when the window has no
// set of its own: the display then shows the agency's first items.
func (d *WindowDesk) hallNote() string {
	if _, ok := d.windowService(d.Window); ok {
		return ""
	}
	return "\n" + shell.L("window.no_hall")
}

// windowTab is the console's tab of the window's own guides and fees, to
// put one in front of the citizen with a touch; nil without a hall.
func (d *WindowDesk) windowTab(show func(catalog.Item)) *container.TabItem {
	s, ok := d.windowService(d.Window)
	if !ok {
		return nil
	}
	d.ownItems = append(append([]catalog.Item{}, s.Guides...), s.Fees...)
	d.Mine = widget.NewList(func() int { return len(d.ownItems) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(shell.L("list."+string(d.ownItems[i].Kind())) + "　" + d.ownItems[i].Title())
		})
	d.Mine.OnSelected = func(i widget.ListItemID) {
		if i < len(d.ownItems) {
			show(d.ownItems[i])
		}
		d.Mine.UnselectAll()
	}
	return container.NewTabItem(shell.L("window.mine_tab", map[string]any{"Name": s.Name}), d.Mine)
}

// refreshMine reads the window's own set again after a pull: an item
// changed, added or taken off the window on the platform.
func (d *WindowDesk) refreshMine() {
	if d.Mine == nil {
		return
	}
	if s, ok := d.windowService(d.Window); ok {
		d.ownItems = append(append([]catalog.Item{}, s.Guides...), s.Fees...)
	} else {
		d.ownItems = nil
	}
	d.Mine.Refresh()
}

// windowHeading is the display's line over a window's lists: its name.
func windowHeading(s Service) []fyne.CanvasObject {
	if s.Name == "" {
		return nil
	}
	return []fyne.CanvasObject{heading(s.Name)}
}

// WindowNumbers says which window numbers the hall has, for a message:
// "3、7" for its configured windows, "1–20" where it numbers them only.
func (d *WindowDesk) WindowNumbers() string {
	if _, ok := d.theHall(); !ok {
		return "1–" + strconv.Itoa(d.cfg.HallWindows)
	}
	var out []string
	for _, o := range d.windowOptions() {
		out = append(out, windowNumber(o))
	}
	return strings.Join(out, "、")
}
