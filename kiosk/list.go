package kiosk

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/shell"
)

// pageSize is how many rows one query reads; the list asks for a page only
// when a row of it scrolls into view.
const pageSize = 100

// ListScreen is one public list with search and filters. The kiosk and the
// window desk both use it; onPick says what a tap on a row does.
type ListScreen struct {
	cat        *catalog.Catalog
	onPick     func(catalog.Item)
	onActivity func() // any change the person makes; nil for none
	query      catalog.Query
	total      int
	pages      map[int][]catalog.Item

	Search  *widget.Entry
	Agency  *widget.Select
	Act     *widget.Select
	Count   *widget.Label
	Results *widget.List
	// Scroll moves Results by a finger's drag and by page.
	Scroll  *TouchScroll
	Empty   *widget.Label // shown when nothing matches
	filters *fyne.Container
	content fyne.CanvasObject
	built   bool
}

func newListScreen(cat *catalog.Catalog, agencies []catalog.Agency, kind catalog.Kind, onPick func(catalog.Item)) *ListScreen {
	s := &ListScreen{cat: cat, onPick: onPick, query: catalog.Query{Kind: kind}}
	s.Search = widget.NewEntry()
	s.Search.SetPlaceHolder(searchHint(kind))
	s.Search.OnChanged = func(text string) {
		s.query.Text = text
		s.reload()
	}
	all := shell.L("filter.all_agencies")
	names := []string{all}
	for _, a := range agencies {
		names = append(names, a.Name)
	}
	s.Agency = widget.NewSelect(names, func(name string) {
		s.query.Agency = ""
		for _, a := range agencies {
			if a.Name == name {
				s.query.Agency = a.Code
			}
		}
		s.reload()
	})
	s.Agency.SetSelected(all)
	filters := []fyne.CanvasObject{s.Agency}
	if spec, _ := catalog.Spec(kind); spec.ByAct {
		allActs := shell.L("filter.all_acts")
		acts := []string{allActs}
		for _, a := range catalog.Acts {
			acts = append(acts, shell.L("act."+string(a)))
		}
		s.Act = widget.NewSelect(acts, func(label string) {
			s.query.Act = ""
			for _, a := range catalog.Acts {
				if shell.L("act."+string(a)) == label {
					s.query.Act = a
				}
			}
			s.reload()
		})
		s.Act.SetSelected(allActs)
		filters = append(filters, s.Act)
	}
	s.Count = widget.NewLabel("")
	s.Empty = widget.NewLabelWithStyle(shell.L("kiosk.no_match"), fyne.TextAlignCenter, fyne.TextStyle{})
	s.Empty.Wrapping = fyne.TextWrapWord
	s.Empty.Hide()
	s.Results = widget.NewList(s.length, s.createRow, s.updateRow)
	s.Results.OnSelected = func(id widget.ListItemID) {
		s.Results.Unselect(id)
		if it := s.item(id); it != nil {
			s.onPick(it)
		}
	}
	s.reload()
	s.built = true
	s.filters = container.NewHBox(append(filters, s.Count, layout.NewSpacer())...)
	top := container.NewVBox(s.Search, s.filters)
	s.Scroll = touchScroll(s.Results, listOf{s.Results}, s.onActivity)
	s.content = container.NewBorder(top, nil, nil, nil, container.NewStack(s.Scroll.content, container.NewVBox(s.Empty)))
	return s
}

// searchHint says what a list's search box finds: what its rows are
// searched by (the catalog's search keys), names and numbers for officers,
// names and pinyin initials for the rest.
func searchHint(kind catalog.Kind) string {
	return shell.L("kiosk.search_hint." + string(kind))
}

// reload counts the matches again and drops the cached pages.
func (s *ListScreen) reload() {
	if s.Count == nil || s.Results == nil {
		return // still being built
	}
	if s.onActivity != nil {
		s.onActivity()
	}
	n, err := s.cat.Count(context.Background(), s.query)
	if err != nil {
		fyne.LogError("count", err)
	}
	s.total, s.pages = n, map[int][]catalog.Item{}
	s.Count.SetText(shell.L("kiosk.count", map[string]any{"N": n}))
	if s.Empty != nil {
		if n == 0 {
			s.Empty.Show()
		} else {
			s.Empty.Hide()
		}
	}
	if s.built { // the list cannot scroll before it has been laid out once
		s.Results.ScrollToTop()
	}
	s.Results.Refresh()
}

func (s *ListScreen) length() int { return s.total }

func (s *ListScreen) item(i int) catalog.Item {
	p := i / pageSize
	page, ok := s.pages[p]
	if !ok {
		q := s.query
		q.Limit, q.Offset = pageSize, p*pageSize
		var err error
		page, err = s.cat.Search(context.Background(), q)
		if err != nil {
			fyne.LogError("search", err)
			return nil
		}
		s.pages[p] = page
	}
	if j := i % pageSize; j < len(page) {
		return page[j]
	}
	return nil
}

func (s *ListScreen) createRow() fyne.CanvasObject {
	title := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	sub := widget.NewLabel("")
	sub.Truncation = fyne.TextTruncateEllipsis
	sub.SizeName = theme.SizeNameCaptionText
	// The labels' own inner padding is space enough between the two lines,
	// so more rows fit above the kiosk's keyboard.
	return container.New(layout.NewCustomPaddedVBoxLayout(-theme.InnerPadding()), title, sub)
}

func (s *ListScreen) updateRow(i widget.ListItemID, o fyne.CanvasObject) {
	box := o.(*fyne.Container)
	it := s.item(i)
	if it == nil {
		return
	}
	box.Objects[0].(*widget.Label).SetText(it.Title())
	box.Objects[1].(*widget.Label).SetText(it.Subtitle())
}

// Titles returns the titles of the first n rows, for tests and checks.
func (s *ListScreen) Titles(n int) []string {
	var out []string
	for i := 0; i < n && i < s.total; i++ {
		if it := s.item(i); it != nil {
			out = append(out, it.Title())
		}
	}
	return out
}

// Total is how many items match.
func (s *ListScreen) Total() int { return s.total }
