package console

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/sanxiang-desk/sanxiang/sync/server/people"
)

// photoWrite are the roles that may set a person's photo: whoever may
// read the person (mayRead) — an agency administrator their own agency's
// people, the city's office and the operator everybody's. A photo is
// public information the city's office keeps for the whole hall, unlike a
// person's role or keys.
var photoWrite = []string{RoleAgency, RoleCity, RoleOperator}

// uploadPhoto: POST /admin/people/{id}/photo, a multipart form with the
// file "photo" (a JPEG or a PNG, judged by its bytes: people.NormalizePhoto
// checks and re-encodes it). A refused photo shows the person's page
// again with the refusal's code; nothing changes. Both go to the audit log.
func (c *Room) uploadPhoto(w http.ResponseWriter, r *http.Request, s *Session) {
	p, ok := c.person(w, r, s, false) // whoever may read the person may set the photo
	if !ok {
		return
	}
	f, h, err := r.FormFile("file")
	if err != nil {
		c.showPerson(w, r, s, p, http.StatusBadRequest, "no_photo_file", "")
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, people.PhotoMaxBytes+1))
	if err != nil {
		c.showPerson(w, r, s, p, http.StatusBadRequest, "no_photo_file", "")
		return
	}
	sha, err := c.People.SetPhoto(r.Context(), p.ID, data)
	var pe *people.PhotoError
	switch {
	case errors.As(err, &pe):
		c.act(r, s, p.Agency, "person.photo.refused", p.ID, pe.Code+" "+h.Filename)
		c.showPerson(w, r, s, p, pe.Status(), pe.Code, "")
		return
	case err != nil:
		c.internal(w, r, s, err)
		return
	}
	c.act(r, s, p.Agency, "person.photo", p.ID, sha)
	http.Redirect(w, r, "/admin/people/"+url.PathEscape(p.ID)+"?done=photo", http.StatusSeeOther)
}

// Initial is what a placeholder shows of a person without a photo: the
// surname's first character (a Chinese name's surname comes first), or
// the first letter of a Latin one.
func Initial(name string) string {
	name = strings.TrimSpace(name)
	r, _ := utf8.DecodeRuneInString(name)
	if r == utf8.RuneError {
		return ""
	}
	return strings.ToUpper(string(r))
}
