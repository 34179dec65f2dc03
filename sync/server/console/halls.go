package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// Halls is what the console needs of the service halls (the platform's):
// the halls, their windows, and the guides and fees a window may handle.
type Halls interface {
	List(ctx context.Context) ([]api.Hall, error)
	// PutHall creates or renames a hall; scope, when not "", is the agency
	// the administrator is held to (refused: only the city's office may).
	PutHall(ctx context.Context, scope, code, name string) error
	// PutWindow sets a window; scope, when not "", the only agency whose
	// windows the administrator sets.
	PutWindow(ctx context.Context, scope, hall string, w api.HallWindow) error
	DeleteWindow(ctx context.Context, scope, hall string, number int) error
	// Items are the guides and fees whose title, id or pinyin holds q
	// (all for ""), at most limit of them.
	Items(ctx context.Context, q string, limit int) ([]HallItem, error)
	// Named are the guides and fees of those ids, as the lists hold them.
	Named(ctx context.Context, guides, fees []string) ([]HallItem, error)
}

// HallItem is a guide or a fee a window may handle.
type HallItem struct {
	Kind, ID, Title, Agency string
}

// HallError is a refusal of the halls with its stable code
// (platform.hall.<code> words it).
type HallError struct {
	Code   string
	Status int
	Detail string // what it names (an item, an agency), "" for nothing
	Err    error
}

func (e *HallError) Error() string { return e.Code + ": " + e.Err.Error() }
func (e *HallError) Unwrap() error { return e.Err }

// hallRoles see the halls: the city's office sets up halls and any
// window, an agency's administrator its agency's windows.
var hallRoles = []string{RoleCity, RoleAgency}

func (c *Room) hallRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin/halls", c.Guard(hallRoles, c.hallsPage))
	mux.Handle("POST /admin/halls", c.Guard([]string{RoleCity}, c.putHall))
	mux.Handle("GET /admin/halls/{hall}", c.Guard(hallRoles, c.hallPage))
	mux.Handle("POST /admin/halls/{hall}/windows", c.Guard(hallRoles, c.putWindow))
	mux.Handle("POST /admin/halls/{hall}/windows/{no}/delete", c.Guard(hallRoles, c.deleteWindow))
}

type hallsView struct {
	Halls []api.Hall
	City  bool
	Code  string
	Name  string
}

func (c *Room) hallsPage(w http.ResponseWriter, r *http.Request, s *Session) {
	c.showHalls(w, r, s, http.StatusOK, "", "", hallsView{})
}

func (c *Room) showHalls(w http.ResponseWriter, r *http.Request, s *Session, status int, code, notice string, hv hallsView) {
	list, err := c.Halls.List(r.Context())
	if err != nil {
		c.internal(w, r, s, err)
		return
	}
	v := c.view(r.Context(), s, "platform.console.halls")
	hv.Halls, hv.City = list, s.Scope() == ""
	v.Data = hv
	if code != "" {
		v.Code, v.Error = code, "platform.hall."+code
	}
	v.Notice = notice
	c.render(w, status, "halls", v)
}

func (c *Room) putHall(w http.ResponseWriter, r *http.Request, s *Session) {
	code, name := strings.TrimSpace(r.PostFormValue("code")), strings.TrimSpace(r.PostFormValue("name"))
	if err := c.Halls.PutHall(r.Context(), s.Scope(), code, name); err != nil {
		var he *HallError
		if errors.As(err, &he) {
			c.showHalls(w, r, s, he.Status, he.Code, "", hallsView{Code: code, Name: name})
			return
		}
		c.internal(w, r, s, err)
		return
	}
	c.act(r, s, "", "hall.put", code, name)
	http.Redirect(w, r, "/admin/halls/"+url.PathEscape(code)+"?done=hall", http.StatusSeeOther)
}

type hallView struct {
	Hall    api.Hall
	City    bool
	Agency  string // the agency an agency's administrator is held to
	Names   map[string]string
	Items   map[string]HallItem // by kind/id, for the windows' lists
	Q       string
	Found   []HallItem // what the search found, to add
	Form    api.HallWindow
	Checked map[string]bool // kind/id ticked on the form
	Editing bool
}

// hallOf is the hall of the path, or false when answered.
func (c *Room) hallOf(w http.ResponseWriter, r *http.Request, s *Session) (api.Hall, bool) {
	list, err := c.Halls.List(r.Context())
	if err != nil {
		c.internal(w, r, s, err)
		return api.Hall{}, false
	}
	for _, h := range list {
		if h.Code == r.PathValue("hall") {
			return h, true
		}
	}
	c.fail(w, r, s, http.StatusNotFound, "not_found")
	return api.Hall{}, false
}

// hallPage shows a hall's windows and the form that sets one: ?edit=N
// fills it with window N, ?q= searches the lists for items to tick.
func (c *Room) hallPage(w http.ResponseWriter, r *http.Request, s *Session) {
	h, ok := c.hallOf(w, r, s)
	if !ok {
		return
	}
	form := api.HallWindow{Agency: s.Scope()}
	editing := false
	if n, err := strconv.Atoi(r.URL.Query().Get("edit")); err == nil {
		if i := windowIndex(h, n); i >= 0 {
			form, editing = h.Windows[i], true
		}
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("number")); err == nil && !editing {
		form.Number = n
	}
	if v := r.URL.Query().Get("name"); v != "" && !editing {
		form.Name = v
	}
	notice := ""
	switch r.URL.Query().Get("done") {
	case "hall":
		notice = "platform.console.hall_saved"
	case "window":
		notice = "platform.console.window_saved"
	case "deleted":
		notice = "platform.console.window_deleted"
	}
	c.showHall(w, r, s, http.StatusOK, "", "", notice, h, form, editing)
}

func windowIndex(h api.Hall, n int) int {
	for i, w := range h.Windows {
		if w.Number == n {
			return i
		}
	}
	return -1
}

func (c *Room) showHall(w http.ResponseWriter, r *http.Request, s *Session, status int, code, detail, notice string, h api.Hall, form api.HallWindow, editing bool) {
	ctx := r.Context()
	hv := hallView{Hall: h, City: s.Scope() == "", Agency: s.Scope(), Names: map[string]string{}, Items: map[string]HallItem{},
		Q: strings.TrimSpace(r.URL.Query().Get("q")), Form: form, Checked: map[string]bool{}, Editing: editing}
	v := c.view(ctx, s, "platform.console.hall")
	for _, a := range v.Agencys {
		hv.Names[a.Code] = a.Name
	}
	var guides, fees []string
	for _, win := range h.Windows {
		guides, fees = append(guides, win.Guides...), append(fees, win.Fees...)
	}
	guides, fees = append(guides, form.Guides...), append(fees, form.Fees...)
	named, err := c.Halls.Named(ctx, guides, fees)
	if err != nil {
		c.internal(w, r, s, err)
		return
	}
	for _, it := range named {
		hv.Items[it.Kind+"/"+it.ID] = it
	}
	for _, id := range form.Guides {
		hv.Checked["guide/"+id] = true
	}
	for _, id := range form.Fees {
		hv.Checked["fee/"+id] = true
	}
	// The form lists the window's items ticked, then what the search found.
	for _, it := range named {
		if hv.Checked[it.Kind+"/"+it.ID] {
			hv.Found = append(hv.Found, it)
		}
	}
	found, err := c.Halls.Items(ctx, hv.Q, 60)
	if err != nil {
		c.internal(w, r, s, err)
		return
	}
	for _, it := range found {
		if !hv.Checked[it.Kind+"/"+it.ID] {
			hv.Found = append(hv.Found, it)
		}
	}
	v.Data = hv
	if code != "" {
		v.Code, v.Error, v.Detail = code, "platform.hall."+code, detail
	}
	v.Notice = notice
	c.render(w, status, "hall", v)
}

func (c *Room) putWindow(w http.ResponseWriter, r *http.Request, s *Session) {
	h, ok := c.hallOf(w, r, s)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		c.fail(w, r, s, http.StatusBadRequest, "bad_form")
		return
	}
	f := r.PostForm
	win := api.HallWindow{Name: strings.TrimSpace(f.Get("name")), Agency: strings.TrimSpace(f.Get("agency")),
		Guides: f["guide"], Fees: f["fee"]}
	if win.Agency == "" {
		win.Agency = s.Scope()
	}
	n, err := strconv.Atoi(strings.TrimSpace(f.Get("number")))
	if err != nil {
		n = 0 // refused below as bad_window
	}
	win.Number = n
	if err := c.Halls.PutWindow(r.Context(), s.Scope(), h.Code, win); err != nil {
		var he *HallError
		if errors.As(err, &he) {
			c.showHall(w, r, s, he.Status, he.Code, he.Detail, "", h, win, false)
			return
		}
		c.internal(w, r, s, err)
		return
	}
	c.act(r, s, win.Agency, "hall.window.put", h.Code+"/"+strconv.Itoa(n),
		win.Name+" guides="+strings.Join(win.Guides, ",")+" fees="+strings.Join(win.Fees, ","))
	http.Redirect(w, r, "/admin/halls/"+url.PathEscape(h.Code)+"?done=window", http.StatusSeeOther)
}

func (c *Room) deleteWindow(w http.ResponseWriter, r *http.Request, s *Session) {
	h, ok := c.hallOf(w, r, s)
	if !ok {
		return
	}
	n, err := strconv.Atoi(r.PathValue("no"))
	if err != nil {
		c.fail(w, r, s, http.StatusNotFound, "not_found")
		return
	}
	if err := c.Halls.DeleteWindow(r.Context(), s.Scope(), h.Code, n); err != nil {
		var he *HallError
		if errors.As(err, &he) {
			c.showHall(w, r, s, he.Status, he.Code, "", "", h, api.HallWindow{Agency: s.Scope()}, false)
			return
		}
		c.internal(w, r, s, err)
		return
	}
	c.act(r, s, "", "hall.window.delete", h.Code+"/"+strconv.Itoa(n), "")
	http.Redirect(w, r, "/admin/halls/"+url.PathEscape(h.Code)+"?done=deleted", http.StatusSeeOther)
}
