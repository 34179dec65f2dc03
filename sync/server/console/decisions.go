package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// Decision is a decision in the public lists: published, or withdrawn
// (Withdrawn says when, by whom and why).
type Decision struct {
	catalog.Decision
	Withdrawn *api.Withdrawal `json:"withdrawn,omitempty"`
}

// Decisions is what the console needs of the published decisions (the
// platform's lists).
type Decisions interface {
	// List is the decisions, the latest change first: all, or one
	// agency's; q, when not "", is in the ID, document number or party.
	List(ctx context.Context, agency, q string) ([]Decision, error)
	// Get is one decision; ErrNoDecision if the lists hold none.
	Get(ctx context.Context, id string) (Decision, error)
	// Withdraw takes a published decision down for an administrator, for
	// w.Reason; scope, when not "", is the only agency it may be of.
	// ErrNoDecision, ErrNeedReason, ErrOtherAgency.
	Withdraw(ctx context.Context, id, scope string, w api.Withdrawal) (api.Withdrawal, error)
}

// Errors of the decisions' withdrawal.
var (
	ErrNoDecision  = errors.New("no such published decision")
	ErrNeedReason  = errors.New("a withdrawal needs a stated reason")
	ErrOtherAgency = errors.New("another agency's decision")
)

// decisionRoles may see and withdraw decisions: the city's office all,
// an agency administrator their agency's.
var decisionRoles = []string{RoleCity, RoleAgency}

// Scope is the one agency a session's administrator is held to; "" for
// every agency.
func (s *Session) Scope() string {
	if s.Admin.Role == RoleAgency {
		return s.Admin.Agency
	}
	return ""
}

type decisionsView struct {
	Decisions []Decision
	Query     string
}

func (c *Room) decisionsPage(w http.ResponseWriter, r *http.Request, s *Session) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	list, err := c.Decisions.List(r.Context(), s.Scope(), q)
	if err != nil {
		c.internal(w, r, s, err)
		return
	}
	v := c.view(r.Context(), s, "platform.console.decisions")
	v.Data = decisionsView{Decisions: list, Query: q}
	c.render(w, http.StatusOK, "decisions", v)
}

type decisionView struct {
	Decision   Decision
	PublicPath string
	Reason     string // as typed, when the form is shown again
}

// decision loads the decision of the path for s; it has answered when ok
// is false. Another agency's decision is "not found" to an agency
// administrator: they learn nothing of it.
func (c *Room) decision(w http.ResponseWriter, r *http.Request, s *Session) (d Decision, ok bool) {
	d, err := c.Decisions.Get(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, ErrNoDecision), err == nil && s.Scope() != "" && d.AgencyCode != s.Scope():
		c.fail(w, r, s, http.StatusNotFound, "not_found")
	case err != nil:
		c.internal(w, r, s, err)
	default:
		return d, true
	}
	return d, false
}

func (c *Room) decisionPage(w http.ResponseWriter, r *http.Request, s *Session) {
	d, ok := c.decision(w, r, s)
	if !ok {
		return
	}
	c.showDecision(w, r, s, d, http.StatusOK, "", "", r.URL.Query().Get("done") == "withdrawn")
}

func (c *Room) showDecision(w http.ResponseWriter, r *http.Request, s *Session, d Decision, status int, code, reason string, done bool) {
	v := c.view(r.Context(), s, "platform.console.decision")
	v.Data = decisionView{Decision: d, PublicPath: api.PublicPath(string(catalog.KindDecision), d.ID), Reason: reason}
	if code != "" {
		v.Code, v.Error = code, "platform.console.error."+code
	}
	if done {
		v.Notice = "platform.console.done.withdrawn"
	}
	c.render(w, status, "decision", v)
}

// withdrawDecision: POST /admin/decisions/{id}/withdraw with the form's
// reason, which it must have (422 need_reason otherwise). The act and its
// reason go to the audit log.
func (c *Room) withdrawDecision(w http.ResponseWriter, r *http.Request, s *Session) {
	d, ok := c.decision(w, r, s)
	if !ok {
		return
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if d.Withdrawn != nil {
		c.showDecision(w, r, s, d, http.StatusConflict, "withdrawn", "", false)
		return
	}
	wd, err := c.Decisions.Withdraw(r.Context(), d.ID, s.Scope(), api.Withdrawal{Source: api.WithdrawnByAdmin, Actor: s.Admin.Login, Role: s.Admin.Role, Reason: reason})
	switch {
	case errors.Is(err, ErrNeedReason):
		c.showDecision(w, r, s, d, http.StatusUnprocessableEntity, "need_reason", reason, false)
	case errors.Is(err, ErrNoDecision):
		c.fail(w, r, s, http.StatusNotFound, "not_found")
	case errors.Is(err, ErrOtherAgency):
		c.fail(w, r, s, http.StatusForbidden, "forbidden")
	case err != nil:
		c.internal(w, r, s, err)
	default:
		c.act(r, s, wd.Agency, "decision.withdraw", d.ID, wd.Reason)
		http.Redirect(w, r, "/admin/decisions/"+url.PathEscape(d.ID)+"?done=withdrawn", http.StatusSeeOther)
	}
}
