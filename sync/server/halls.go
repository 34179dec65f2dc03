package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// The city's service halls (issue 23): each hall's windows, the agency
// that staffs each, and the guides and fees each window handles. The
// city's office creates halls; an agency's administrator sets the windows
// its agency staffs (a 综合窗口 may handle any agency's items: 一窗受理).
// Windows devices read it all through the public api.PathHalls.

// Errors of the halls, each with its own code on the wire.
var (
	ErrNoHall       = errors.New("no such hall")
	ErrBadHall      = errors.New("a hall needs a code of 1 to 32 letters, digits, - or _, and a name")
	ErrBadWindow    = errors.New("a window needs a number from 1 to 999, a name and a known agency")
	ErrHallItem     = errors.New("not a guide or fee of the public lists")
	ErrHallCityOnly = errors.New("only the city's office creates or renames halls")
	ErrOtherWindow  = errors.New("another agency's window")
	ErrNoWindow     = errors.New("no such window")
)

var hallCode = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// Halls is every hall with its windows (by number) and their items.
func (s *Server) Halls(ctx context.Context) (_ []api.Hall, err error) {
	defer wrap.Err(&err, "halls")
	out := []api.Hall{}
	rows, err := s.db.QueryContext(ctx, `SELECT code, name FROM halls ORDER BY code`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		h := api.Hall{Windows: []api.HallWindow{}}
		if err := rows.Scan(&h.Code, &h.Name); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	at := map[string]int{}
	for i, h := range out {
		at[h.Code] = i
	}
	rows, err = s.db.QueryContext(ctx, `SELECT hall, number, name, agency FROM hall_windows ORDER BY hall, number`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var hall string
		w := api.HallWindow{Guides: []string{}, Fees: []string{}}
		if err := rows.Scan(&hall, &w.Number, &w.Name, &w.Agency); err != nil {
			rows.Close()
			return nil, err
		}
		out[at[hall]].Windows = append(out[at[hall]].Windows, w)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.db.QueryContext(ctx, `SELECT hall, number, kind, item FROM hall_window_items ORDER BY hall, number, kind, ord`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var hall, kind, item string
		var n int
		if err := rows.Scan(&hall, &n, &kind, &item); err != nil {
			return nil, err
		}
		h := &out[at[hall]]
		i := slices.IndexFunc(h.Windows, func(w api.HallWindow) bool { return w.Number == n })
		if i < 0 {
			continue
		}
		if kind == string(catalog.KindGuide) {
			h.Windows[i].Guides = append(h.Windows[i].Guides, item)
		} else {
			h.Windows[i].Fees = append(h.Windows[i].Fees, item)
		}
	}
	return out, rows.Err()
}

// Hall is one hall; ErrNoHall if there is none of that code.
func (s *Server) Hall(ctx context.Context, code string) (api.Hall, error) {
	all, err := s.Halls(ctx)
	if err != nil {
		return api.Hall{}, err
	}
	for _, h := range all {
		if h.Code == code {
			return h, nil
		}
	}
	return api.Hall{}, fmt.Errorf("hall %s: %w", code, ErrNoHall)
}

// PutHall creates or renames a hall for an administrator held to scope
// ("" for the city's office, the only one who may).
func (s *Server) PutHall(ctx context.Context, scope, code, name string) (err error) {
	defer wrap.Err(&err, "put hall %s", code)
	name = strings.TrimSpace(name)
	switch {
	case scope != "":
		return ErrHallCityOnly
	case !hallCode.MatchString(code) || name == "":
		return ErrBadHall
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO halls (code, name, changed) VALUES (?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, changed = excluded.changed`, code, name, s.hallStamp())
	return err
}

func (s *Server) hallStamp() string { return s.now().UTC().Format(time.RFC3339Nano) }

// PutHallWindow sets one window of a hall: its name, agency and items, all
// at once. An administrator held to an agency (scope) sets only windows
// of that agency, and cannot take over another agency's window.
func (s *Server) PutHallWindow(ctx context.Context, scope, hall string, w api.HallWindow) (err error) {
	defer wrap.Err(&err, "put window %d of hall %s", w.Number, hall)
	w.Name, w.Agency = strings.TrimSpace(w.Name), strings.TrimSpace(w.Agency)
	if w.Number < 1 || w.Number > 999 || w.Name == "" || w.Agency == "" {
		return ErrBadWindow
	}
	if scope != "" && w.Agency != scope {
		return ErrOtherWindow
	}
	ags, err := s.Agencies(ctx)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(ags, func(a catalog.Agency) bool { return a.Code == w.Agency }) {
		return fmt.Errorf("%w: agency %s", ErrBadWindow, w.Agency)
	}
	for _, k := range []struct {
		kind catalog.Kind
		ids  []string
	}{{catalog.KindGuide, w.Guides}, {catalog.KindFee, w.Fees}} {
		for _, id := range k.ids {
			if _, err := s.Item(ctx, k.kind, id); errors.Is(err, ErrNoItem) {
				return fmt.Errorf("%w: %s %s", ErrHallItem, k.kind, id)
			} else if err != nil {
				return err
			}
		}
	}
	return s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		var have string
		err := tx.QueryRowContext(ctx, `SELECT name FROM halls WHERE code = ?`, hall).Scan(&have)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNoHall
		}
		if err != nil {
			return err
		}
		var was string
		err = tx.QueryRowContext(ctx, `SELECT agency FROM hall_windows WHERE hall = ? AND number = ?`, hall, w.Number).Scan(&was)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case scope != "" && was != scope:
			return ErrOtherWindow
		}
		for _, q := range []string{`DELETE FROM hall_window_items WHERE hall = ? AND number = ?`, `DELETE FROM hall_windows WHERE hall = ? AND number = ?`} {
			if _, err := tx.ExecContext(ctx, q, hall, w.Number); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO hall_windows (hall, number, name, agency) VALUES (?, ?, ?, ?)`, hall, w.Number, w.Name, w.Agency); err != nil {
			return err
		}
		for kind, ids := range map[catalog.Kind][]string{catalog.KindGuide: w.Guides, catalog.KindFee: w.Fees} {
			seen := map[string]bool{}
			for i, id := range ids {
				if seen[id] {
					continue
				}
				seen[id] = true
				if _, err := tx.ExecContext(ctx, `INSERT INTO hall_window_items (hall, number, kind, item, ord) VALUES (?, ?, ?, ?, ?)`,
					hall, w.Number, string(kind), id, i); err != nil {
					return err
				}
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE halls SET changed = ? WHERE code = ?`, s.hallStamp(), hall)
		return err
	})
}

// DeleteHallWindow takes a window away; an administrator held to an
// agency takes away only their agency's.
func (s *Server) DeleteHallWindow(ctx context.Context, scope, hall string, number int) (err error) {
	defer wrap.Err(&err, "delete window %d of hall %s", number, hall)
	return s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		var was string
		err := tx.QueryRowContext(ctx, `SELECT agency FROM hall_windows WHERE hall = ? AND number = ?`, hall, number).Scan(&was)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return ErrNoWindow
		case err != nil:
			return err
		case scope != "" && was != scope:
			return ErrOtherWindow
		}
		for _, q := range []string{`DELETE FROM hall_window_items WHERE hall = ? AND number = ?`, `DELETE FROM hall_windows WHERE hall = ? AND number = ?`} {
			if _, err := tx.ExecContext(ctx, q, hall, number); err != nil {
				return err
			}
		}
		return nil
	})
}

// hallRoutes adds the public list of halls and the administrators' API.
func (s *Server) hallRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+api.PathHalls, func(w http.ResponseWriter, r *http.Request) {
		out, err := s.Halls(r.Context())
		web.Respond(w, r, out, err)
	})
	mux.HandleFunc("PUT "+api.PathAdminHalls+"{hall}", s.admin("catalog", s.putHall))
	mux.HandleFunc("PUT "+api.PathAdminHalls+"{hall}/windows/{no}", s.admin("catalog", s.putHallWindow))
	mux.HandleFunc("DELETE "+api.PathAdminHalls+"{hall}/windows/{no}", s.admin("catalog", s.deleteHallWindow))
}

func (s *Server) putHall(w http.ResponseWriter, r *http.Request) {
	var req api.HallPut
	if !web.Decode(w, r, &req) {
		return
	}
	t, _ := console.TokenFrom(r.Context())
	hallReply(w, r, s.PutHall(r.Context(), t.Agency, r.PathValue("hall"), req.Name))
}

func (s *Server) putHallWindow(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("no"))
	if err != nil {
		web.Problem(w, r, http.StatusUnprocessableEntity, "bad_window", words.M("platform.hall.bad_window"), r.PathValue("no"))
		return
	}
	var win api.HallWindow
	if !web.Decode(w, r, &win) {
		return
	}
	win.Number = n
	t, _ := console.TokenFrom(r.Context())
	hallReply(w, r, s.PutHallWindow(r.Context(), t.Agency, r.PathValue("hall"), win))
}

func (s *Server) deleteHallWindow(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("no"))
	if err != nil {
		web.Problem(w, r, http.StatusNotFound, "not_found", words.M("platform.hall.not_found"), r.PathValue("no"))
		return
	}
	t, _ := console.TokenFrom(r.Context())
	hallReply(w, r, s.DeleteHallWindow(r.Context(), t.Agency, r.PathValue("hall"), n))
}

// hallCodes are the halls' refusals on the wire: status, code, words.
var hallCodes = []struct {
	err    error
	status int
	code   string
}{
	{ErrNoHall, http.StatusNotFound, "not_found"},
	{ErrNoWindow, http.StatusNotFound, "not_found"},
	{ErrHallCityOnly, http.StatusForbidden, "city_only"},
	{ErrOtherWindow, http.StatusForbidden, "other_agency"},
	{ErrBadHall, http.StatusUnprocessableEntity, "bad_hall"},
	{ErrBadWindow, http.StatusUnprocessableEntity, "bad_window"},
	{ErrHallItem, http.StatusUnprocessableEntity, "unknown_item"},
}

// HallCode is the stable code of a halls' refusal, "" for another error.
func HallCode(err error) string {
	for _, c := range hallCodes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return ""
}

func hallReply(w http.ResponseWriter, r *http.Request, err error) {
	if err == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	for _, c := range hallCodes {
		if errors.Is(err, c.err) {
			key := "platform.hall." + c.code
			web.Problem(w, r, c.status, c.code, words.M(key), errDetail(err, c.err))
			return
		}
	}
	web.Internal(w, r, err)
}

// errDetail is what an error says beyond its sentinel (the item or agency
// it names), for the Problem's detail.
func errDetail(err, sentinel error) string {
	s := err.Error()
	if i := strings.LastIndex(s, sentinel.Error()+": "); i >= 0 {
		return s[i+len(sentinel.Error())+2:]
	}
	return ""
}

// hallDesk gives the console the halls, their windows and the items a
// window may handle; this package's refusals reach it as
// *console.HallError with their codes.
type hallDesk struct{ s *Server }

var _ console.Halls = hallDesk{}

func hallError(err error) error {
	for _, c := range hallCodes {
		if errors.Is(err, c.err) {
			return &console.HallError{Code: c.code, Status: c.status, Detail: errDetail(err, c.err), Err: err}
		}
	}
	return err
}

func (d hallDesk) List(ctx context.Context) ([]api.Hall, error) { return d.s.Halls(ctx) }

func (d hallDesk) PutHall(ctx context.Context, scope, code, name string) error {
	return hallError(d.s.PutHall(ctx, scope, code, name))
}

func (d hallDesk) PutWindow(ctx context.Context, scope, hall string, w api.HallWindow) error {
	return hallError(d.s.PutHallWindow(ctx, scope, hall, w))
}

func (d hallDesk) DeleteWindow(ctx context.Context, scope, hall string, number int) error {
	return hallError(d.s.DeleteHallWindow(ctx, scope, hall, number))
}

// Items finds guides and fees for a window's form with the lists' own
// search (text, pinyin, initials), guides first.
func (d hallDesk) Items(ctx context.Context, q string, limit int) ([]console.HallItem, error) {
	var out []console.HallItem
	for _, kind := range []catalog.Kind{catalog.KindGuide, catalog.KindFee} {
		items, err := d.s.SearchLists(ctx, catalog.Query{Kind: kind, Text: q, Limit: limit})
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			out = append(out, console.HallItem{Kind: string(kind), ID: it.Key(), Title: it.Title(), Agency: it.Agency()})
		}
	}
	return out, nil
}

// Named reads the guides and fees of those ids; one the lists no longer
// hold is left out (the page shows its bare id).
func (d hallDesk) Named(ctx context.Context, guides, fees []string) ([]console.HallItem, error) {
	var out []console.HallItem
	seen := map[string]bool{}
	for kind, ids := range map[catalog.Kind][]string{catalog.KindGuide: guides, catalog.KindFee: fees} {
		for _, id := range ids {
			if seen[string(kind)+"/"+id] {
				continue
			}
			seen[string(kind)+"/"+id] = true
			m, err := d.s.Item(ctx, kind, id)
			if errors.Is(err, ErrNoItem) {
				continue
			}
			if err != nil {
				return nil, err
			}
			title, _ := m["name"].(string)
			agency, _ := m["agency"].(string)
			out = append(out, console.HallItem{Kind: string(kind), ID: id, Title: title, Agency: agency})
		}
	}
	slices.SortFunc(out, func(a, b console.HallItem) int { return strings.Compare(a.Kind+a.ID, b.Kind+b.ID) })
	return out, nil
}
