package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
)

// Held publications (issue 18, item 3): decisions a device published
// whose redaction the platform found wanting on arrival. They are kept
// off the public lists until an administrator of their agency (or the
// city's office) decides, seeing the device's text and the platform's
// side by side with what more the platform masks highlighted.

// HeldSpan is a piece of the device's text the platform masks more (byte
// offsets into DeviceText).
type HeldSpan struct {
	Start, End       int
	Kind             string
	Original, Masked string
}

// HeldPublication is a publication the platform held.
type HeldPublication struct {
	Decision                   catalog.Decision // as the device would have published it
	Device                     string
	HeldAt                     string
	DeviceParty, PlatformParty string
	DeviceText, PlatformText   string
	Extra                      []HeldSpan
	// State: held (waits), platform, device (published with that text),
	// rejected, withdrawn (by the device while held), superseded.
	State                string
	DecidedAt, DecidedBy string
	DecidedRole, Reason  string
}

// The choices an administrator has on a held publication.
const (
	HeldPublishPlatform = "platform"
	HeldPublishDevice   = "device"
	HeldReject          = "rejected"
)

// Held is what the console needs of the held publications.
type Held interface {
	// List is the held publications, the waiting first: all, or one agency's.
	List(ctx context.Context, agency string) ([]HeldPublication, error)
	// Get is the held publication of a case; ErrNoHeld if none.
	Get(ctx context.Context, id string) (HeldPublication, error)
	// Decide records an administrator's choice and publishes accordingly;
	// scope, when not "", is the only agency they may decide for.
	// ErrNoHeld, ErrHeldDecided, ErrNeedReason, ErrOtherAgency, ErrHeldChoice.
	Decide(ctx context.Context, id, scope, choice, actor, role, reason string) (HeldPublication, error)
}

// Errors of the held publications.
var (
	ErrNoHeld      = errors.New("no such held publication")
	ErrHeldDecided = errors.New("the held publication was decided already")
	ErrHeldChoice  = errors.New("unknown decision on a held publication")
)

// segment is a piece of a text on the held page; Mark highlights it.
type segment struct {
	Text string
	Mark bool
}

// heldSegments cuts the device's text at the spans, and builds the
// platform's text from the same pieces with the spans masked.
func heldSegments(h HeldPublication) (device, platform []segment) {
	pos := 0
	for _, sp := range h.Extra {
		if sp.Start < pos || sp.End > len(h.DeviceText) || sp.Start > sp.End {
			continue
		}
		if pos < sp.Start {
			device = append(device, segment{h.DeviceText[pos:sp.Start], false})
			platform = append(platform, segment{h.DeviceText[pos:sp.Start], false})
		}
		device = append(device, segment{h.DeviceText[sp.Start:sp.End], true})
		platform = append(platform, segment{sp.Masked, true})
		pos = sp.End
	}
	if pos < len(h.DeviceText) {
		device = append(device, segment{h.DeviceText[pos:], false})
		platform = append(platform, segment{h.DeviceText[pos:], false})
	}
	return device, platform
}

type heldListView struct{ Held []HeldPublication }

func (c *Room) heldListPage(w http.ResponseWriter, r *http.Request, s *Session) {
	list, err := c.Held.List(r.Context(), s.Scope())
	if err != nil {
		c.internal(w, r, s, err)
		return
	}
	v := c.view(r.Context(), s, "platform.console.held_list")
	v.Data = heldListView{Held: list}
	c.render(w, http.StatusOK, "held_list", v)
}

type heldView struct {
	Held                     HeldPublication
	DeviceSegs, PlatformSegs []segment
	Reason, Choice           string // as typed, when the form is shown again
}

// held loads the held publication of the path for s; it has answered
// when ok is false. Another agency's is "not found" to an agency
// administrator.
func (c *Room) held(w http.ResponseWriter, r *http.Request, s *Session) (h HeldPublication, ok bool) {
	h, err := c.Held.Get(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, ErrNoHeld), err == nil && s.Scope() != "" && h.Decision.AgencyCode != s.Scope():
		c.fail(w, r, s, http.StatusNotFound, "not_found")
	case err != nil:
		c.internal(w, r, s, err)
	default:
		return h, true
	}
	return h, false
}

func (c *Room) heldPage(w http.ResponseWriter, r *http.Request, s *Session) {
	h, ok := c.held(w, r, s)
	if !ok {
		return
	}
	c.showHeld(w, r, s, h, http.StatusOK, "", "", "", r.URL.Query().Get("done") != "")
}

func (c *Room) showHeld(w http.ResponseWriter, r *http.Request, s *Session, h HeldPublication, status int, code, choice, reason string, done bool) {
	v := c.view(r.Context(), s, "platform.console.held")
	dev, plat := heldSegments(h)
	v.Data = heldView{Held: h, DeviceSegs: dev, PlatformSegs: plat, Reason: reason, Choice: choice}
	if code != "" {
		v.Code, v.Error = code, "platform.console.error."+code
	}
	if done {
		v.Notice = "platform.console.done.held_decided"
	}
	c.render(w, status, "held", v)
}

// decideHeld: POST /admin/held/{id}/decide with the form's choice
// (platform, device, rejected) and reason (required for device and
// rejected: 422 need_held_reason). The decision and its reason go to the
// audit log as held.<choice>.
func (c *Room) decideHeld(w http.ResponseWriter, r *http.Request, s *Session) {
	h, ok := c.held(w, r, s)
	if !ok {
		return
	}
	choice, reason := r.PostFormValue("choice"), strings.TrimSpace(r.PostFormValue("reason"))
	if h.State != "held" {
		c.showHeld(w, r, s, h, http.StatusConflict, "held_decided", choice, reason, false)
		return
	}
	got, err := c.Held.Decide(r.Context(), h.Decision.ID, s.Scope(), choice, s.Admin.Login, s.Admin.Role, reason)
	switch {
	case errors.Is(err, ErrNeedReason):
		c.showHeld(w, r, s, h, http.StatusUnprocessableEntity, "need_held_reason", choice, reason, false)
	case errors.Is(err, ErrHeldChoice):
		c.showHeld(w, r, s, h, http.StatusUnprocessableEntity, "held_choice", choice, reason, false)
	case errors.Is(err, ErrHeldDecided):
		c.showHeld(w, r, s, h, http.StatusConflict, "held_decided", choice, reason, false)
	case errors.Is(err, ErrNoHeld):
		c.fail(w, r, s, http.StatusNotFound, "not_found")
	case errors.Is(err, ErrOtherAgency):
		c.fail(w, r, s, http.StatusForbidden, "forbidden")
	case err != nil:
		c.internal(w, r, s, err)
	default:
		c.act(r, s, got.Decision.AgencyCode, "held."+choice, got.Decision.ID, got.Reason)
		http.Redirect(w, r, "/admin/held/"+url.PathEscape(got.Decision.ID)+"?done="+url.QueryEscape(choice), http.StatusSeeOther)
	}
}
