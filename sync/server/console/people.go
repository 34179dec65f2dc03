package console

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/people"
)

// PersonRoles are the people's roles the console offers.
var PersonRoles = []string{api.RoleOfficer, api.RoleReviewer, api.RoleStaff, api.RoleKioskAdmin}

type peopleView struct {
	People              []api.Person
	Query, Agency, Role string
	PersonRoles         []string
	CanWrite            bool
	AgencyFixed         bool
}

type personView struct {
	Person      api.Person
	New         bool
	Keys        []people.Key
	PersonRoles []string
	CanWrite    bool
	AgencyFixed bool
	// CanPhoto: the administrator may set the person's photo (photoWrite).
	CanPhoto bool
	Initial  string // the surname, in the placeholder of a person without a photo
}

// mayWrite says whether s may change people of agency: an agency
// administrator their own agency's, the operator everybody's; the city
// reads.
func mayWrite(s *Session, agency string) bool {
	switch s.Admin.Role {
	case RoleOperator:
		return true
	case RoleAgency:
		return agency == s.Admin.Agency
	}
	return false
}

// mayRead says whether s may see people of agency.
func mayRead(s *Session, agency string) bool {
	return s.Admin.Role != RoleAgency || agency == s.Admin.Agency
}

func (c *Room) peoplePage(w http.ResponseWriter, r *http.Request, s *Session) {
	q := r.URL.Query()
	pv := peopleView{Query: strings.TrimSpace(q.Get("q")), Agency: q.Get("agency"), Role: q.Get("role"), PersonRoles: PersonRoles}
	if s.Admin.Role == RoleAgency {
		pv.Agency, pv.AgencyFixed = s.Admin.Agency, true
	}
	pv.CanWrite = s.Admin.Role != RoleCity
	list, err := c.People.List(r.Context(), pv.Agency, pv.Role)
	if err != nil {
		c.internal(w, r, s, err)
		return
	}
	needle := strings.ToLower(pv.Query)
	for _, p := range list {
		if needle == "" || strings.Contains(strings.ToLower(p.ID), needle) || strings.Contains(strings.ToLower(p.Name), needle) {
			pv.People = append(pv.People, p)
		}
	}
	v := c.view(r.Context(), s, "platform.console.people")
	v.Data = pv
	c.render(w, http.StatusOK, "people", v)
}

func (c *Room) newPersonPage(w http.ResponseWriter, r *http.Request, s *Session) {
	pv := personView{New: true, PersonRoles: PersonRoles, CanWrite: true, Person: api.Person{Active: true, Role: api.RoleOfficer}}
	if s.Admin.Role == RoleAgency {
		pv.Person.Agency, pv.AgencyFixed = s.Admin.Agency, true
	}
	v := c.view(r.Context(), s, "platform.console.person_new")
	v.Data = pv
	c.render(w, http.StatusOK, "person", v)
}

// person loads the person of the path for s; it has answered when ok is false.
func (c *Room) person(w http.ResponseWriter, r *http.Request, s *Session, write bool) (p api.Person, ok bool) {
	p, err := c.People.Get(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, people.ErrNoPerson):
		c.fail(w, r, s, http.StatusNotFound, "not_found")
	case err != nil:
		c.internal(w, r, s, err)
	case !mayRead(s, p.Agency) || (write && !mayWrite(s, p.Agency)):
		c.fail(w, r, s, http.StatusForbidden, "forbidden")
	default:
		return p, true
	}
	return p, false
}

func (c *Room) personPage(w http.ResponseWriter, r *http.Request, s *Session) {
	p, ok := c.person(w, r, s, false)
	if !ok {
		return
	}
	c.showPerson(w, r, s, p, http.StatusOK, "", r.URL.Query().Get("done"))
}

func (c *Room) showPerson(w http.ResponseWriter, r *http.Request, s *Session, p api.Person, status int, code, done string) {
	keys, err := c.People.Keys(r.Context(), p.ID)
	if err != nil {
		c.internal(w, r, s, err)
		return
	}
	pv := personView{Person: p, Keys: keys, PersonRoles: PersonRoles, CanWrite: mayWrite(s, p.Agency), AgencyFixed: s.Admin.Role == RoleAgency,
		CanPhoto: mayRead(s, p.Agency), Initial: Initial(p.Name)}
	v := c.view(r.Context(), s, "platform.console.person")
	v.Data = pv
	if code != "" {
		v.Code, v.Error = code, "platform.console.error."+code
	}
	switch done {
	case "saved", "revoked", "active", "inactive", "photo":
		v.Notice = "platform.console.done." + done
	}
	c.render(w, status, "person", v)
}

func (c *Room) putPerson(w http.ResponseWriter, r *http.Request, s *Session) {
	p := api.Person{ID: strings.TrimSpace(r.PostFormValue("id")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Agency: strings.TrimSpace(r.PostFormValue("agency")), Unit: strings.TrimSpace(r.PostFormValue("unit")),
		Position: strings.TrimSpace(r.PostFormValue("position")), Role: r.PostFormValue("role"),
		Qualification: strings.TrimSpace(r.PostFormValue("qualification")), Active: true}
	if s.Admin.Role == RoleAgency {
		p.Agency = s.Admin.Agency
	}
	old, err := c.People.Get(r.Context(), p.ID)
	isNew := errors.Is(err, people.ErrNoPerson)
	switch {
	case err != nil && !isNew:
		c.internal(w, r, s, err)
		return
	case !isNew && !mayWrite(s, old.Agency):
		c.fail(w, r, s, http.StatusForbidden, "forbidden")
		return
	case !isNew:
		p.Active = old.Active
	}
	if err := c.People.Put(r.Context(), p); err != nil {
		if errors.Is(err, people.ErrBadPerson) {
			pv := personView{Person: p, New: isNew, PersonRoles: PersonRoles, CanWrite: true, AgencyFixed: s.Admin.Role == RoleAgency}
			v := c.view(r.Context(), s, "platform.console.person")
			v.Data, v.Code, v.Error = pv, "bad_person", "platform.console.error.bad_person"
			c.render(w, http.StatusUnprocessableEntity, "person", v)
			return
		}
		c.internal(w, r, s, err)
		return
	}
	action := "person.edit"
	if isNew {
		action = "person.add"
	}
	c.act(r, s, p.Agency, action, p.ID, p.Name+" "+p.Role)
	http.Redirect(w, r, "/admin/people/"+url.PathEscape(p.ID)+"?done=saved", http.StatusSeeOther)
}

func (c *Room) setPersonActive(w http.ResponseWriter, r *http.Request, s *Session) {
	p, ok := c.person(w, r, s, true)
	if !ok {
		return
	}
	active := r.PostFormValue("active") == "1"
	if err := c.People.SetActive(r.Context(), p.ID, active); err != nil {
		c.internal(w, r, s, err)
		return
	}
	done := "inactive"
	if active {
		done = "active"
	}
	c.act(r, s, p.Agency, "person."+done, p.ID, "")
	http.Redirect(w, r, "/admin/people/"+url.PathEscape(p.ID)+"?done="+done, http.StatusSeeOther)
}

func (c *Room) activationCode(w http.ResponseWriter, r *http.Request, s *Session) {
	p, ok := c.person(w, r, s, true)
	if !ok {
		return
	}
	code, expires, err := c.People.NewActivationCode(r.Context(), p.ID)
	if errors.Is(err, people.ErrInactive) {
		c.showPerson(w, r, s, p, http.StatusConflict, "inactive", "")
		return
	}
	if err != nil {
		c.internal(w, r, s, err)
		return
	}
	c.act(r, s, p.Agency, "person.code", p.ID, "expires "+expires.Format(time.RFC3339))
	v := c.view(r.Context(), s, "platform.console.code")
	v.Data = map[string]any{"Person": p, "Code": code, "Expires": expires.Local().Format("2006-01-02 15:04")}
	c.render(w, http.StatusOK, "code", v)
}

func (c *Room) revokeKey(w http.ResponseWriter, r *http.Request, s *Session) {
	p, ok := c.person(w, r, s, true)
	if !ok {
		return
	}
	key, reason := r.PostFormValue("key"), strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		c.showPerson(w, r, s, p, http.StatusUnprocessableEntity, "no_reason", "")
		return
	}
	k, err := c.People.KeyOf(r.Context(), key)
	if errors.Is(err, people.ErrNoKey) || (err == nil && k.Person != p.ID) {
		c.fail(w, r, s, http.StatusNotFound, "not_found")
		return
	}
	if err == nil {
		err = c.People.RevokeKey(r.Context(), key, reason)
	}
	if err != nil {
		c.internal(w, r, s, err)
		return
	}
	c.act(r, s, p.Agency, "key.revoke", p.ID+" "+key, reason)
	http.Redirect(w, r, "/admin/people/"+url.PathEscape(p.ID)+"?done=revoked", http.StatusSeeOther)
}
