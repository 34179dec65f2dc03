package console

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/sheet"
	"github.com/sanxiang-desk/sanxiang/sync/server/people"
)

// importView is the import page: the form, and after an upload either
// every bad row (nothing was imported) or what was imported.
type importView struct {
	File   string
	Agency string // the agency an agency administrator's file must be of
	Bad    []sheet.RowError
	Result *people.ImportResult
	Added  []api.Person // the people the import added, for their codes
}

func (c *Room) importPage(w http.ResponseWriter, r *http.Request, s *Session) {
	c.showImport(w, r, s, http.StatusOK, "", importView{})
}

func (c *Room) showImport(w http.ResponseWriter, r *http.Request, s *Session, status int, code string, iv importView) {
	iv.Agency = s.Scope()
	v := c.view(r.Context(), s, "platform.console.import")
	v.Data = iv
	if code != "" {
		v.Code, v.Error = code, "platform.console.error."+code
	}
	if iv.Result != nil {
		v.Notice = "platform.console.done.imported"
	}
	c.render(w, status, "import", v)
}

// importPeople: POST /admin/people/import, a multipart form with the
// file (XLSX or CSV, people.Room.Import's layout). All rows or none: a
// file with a bad row — an agency administrator's with a row of another
// agency too — is answered 422 with every bad row named, and nothing is
// imported. Both outcomes go to the audit log.
func (c *Room) importPeople(w http.ResponseWriter, r *http.Request, s *Session) {
	f, h, err := r.FormFile("file")
	if err != nil {
		c.showImport(w, r, s, http.StatusBadRequest, "no_file", importView{})
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		c.showImport(w, r, s, http.StatusBadRequest, "no_file", importView{})
		return
	}
	iv := importView{File: h.Filename}
	res, err := c.People.ImportFor(r.Context(), s.Scope(), h.Filename, data)
	var ie *sheet.ImportError
	var unreadable *sheet.ErrUnreadable
	switch {
	case errors.As(err, &ie):
		iv.Bad = ie.Rows
		c.act(r, s, "", "people.import.refused", h.Filename, fmt.Sprintf("%d bad rows", len(ie.Rows)))
		c.showImport(w, r, s, http.StatusUnprocessableEntity, "bad_rows", iv)
		return
	case errors.As(err, &unreadable):
		c.act(r, s, "", "people.import.refused", h.Filename, "unreadable")
		c.showImport(w, r, s, http.StatusBadRequest, "bad_file", iv)
		return
	case err != nil:
		c.internal(w, r, s, err)
		return
	}
	c.act(r, s, "", "people.import", h.Filename, fmt.Sprintf("%d agencies, %d people, %d added, %d deactivated",
		res.Agencies, res.People, len(res.Added), len(res.Deactivated)))
	iv.Result = &res
	for _, id := range res.Added {
		if p, err := c.People.Get(r.Context(), id); err == nil && p.Active {
			iv.Added = append(iv.Added, p)
		}
	}
	c.showImport(w, r, s, http.StatusOK, "", iv)
}

// issueCodes: POST /admin/people/codes with the people's ids (the ones an
// import added): a new one-time activation code for each who is active,
// as a CSV file to print (people.CodesCSV). Each must be a person s may
// change; the codes are written to the audit log by person, never the
// codes themselves.
func (c *Room) issueCodes(w http.ResponseWriter, r *http.Request, s *Session) {
	r.ParseForm()
	ids := r.PostForm["id"]
	if len(ids) == 0 {
		c.fail(w, r, s, http.StatusUnprocessableEntity, "no_people")
		return
	}
	for _, id := range ids {
		p, err := c.People.Get(r.Context(), id)
		switch {
		case errors.Is(err, people.ErrNoPerson):
			c.fail(w, r, s, http.StatusNotFound, "not_found")
			return
		case err != nil:
			c.internal(w, r, s, err)
			return
		case !mayWrite(s, p.Agency):
			c.fail(w, r, s, http.StatusForbidden, "forbidden")
			return
		}
	}
	codes, err := c.People.IssueCodes(r.Context(), ids)
	if err != nil {
		c.internal(w, r, s, err)
		return
	}
	issued := make([]string, len(codes))
	for i, k := range codes {
		issued[i] = k.Person
	}
	c.act(r, s, "", "person.codes", strings.Join(issued, " "), fmt.Sprintf("%d codes", len(codes)))
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="activation-codes.csv"`)
	h.Set("Cache-Control", "no-store")
	w.Write(people.CodesCSV(codes))
}
