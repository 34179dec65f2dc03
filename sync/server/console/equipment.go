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

// Equipment is what the console needs of the equipment register (the
// platform's): the register, and the body cameras administrators keep.
type Equipment interface {
	// Register is the register of one agency (scope) or ("") all.
	Register(ctx context.Context, scope string, staleDays int) (api.Equipment, error)
	// PutCamera registers a camera (create) or records a change of one,
	// as actor; scope, when not "", the only agency it may be of.
	PutCamera(ctx context.Context, scope, actor string, c api.BodyCamera, create bool) error
	// Camera is one camera's history, oldest first; an EquipmentError
	// not_found when it is not there for scope.
	Camera(ctx context.Context, scope, serial string) ([]api.BodyCamera, error)
}

// EquipmentError is a refusal of the register with its stable code
// (platform.equipment.<code> words it).
type EquipmentError struct {
	Code   string
	Status int
	Detail string
}

func (e *EquipmentError) Error() string { return "equipment: " + e.Code + " " + e.Detail }

// The register is the city's office's (every agency, side by side) and an
// agency administrator's (their own); the operator, who runs the devices,
// reads it whole to see which have gone quiet but registers no camera:
// cameras are the agencies' property, kept by them and the city's office.
var (
	equipmentRoles  = []string{RoleCity, RoleAgency, RoleOperator}
	equipmentWriter = []string{RoleCity, RoleAgency}
)

func (c *Room) equipmentRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin/equipment", c.Guard(equipmentRoles, c.equipmentPage))
	mux.Handle("POST /admin/equipment/cameras", c.Guard(equipmentWriter, c.putCamera))
	mux.Handle("GET /admin/equipment/cameras/{serial}", c.Guard(equipmentRoles, c.cameraPage))
	mux.Handle("POST /admin/equipment/cameras/{serial}", c.Guard(equipmentWriter, c.putCamera))
}

type equipmentView struct {
	Reg       api.Equipment
	StaleDays int
	Writer    bool
	City      bool
	Agency    string // the agency an agency's administrator is held to
	Form      api.BodyCamera
	Editing   bool
	History   []api.BodyCamera
	Statuses  []string
}

func staleDaysOf(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("stale_days"))
	if err != nil || n < 1 || n > 365 {
		return 0
	}
	return n
}

func (c *Room) equipmentPage(w http.ResponseWriter, r *http.Request, s *Session) {
	notice := ""
	if r.URL.Query().Get("done") == "camera" {
		notice = "platform.console.camera_saved"
	}
	c.showEquipment(w, r, s, http.StatusOK, nil, notice, api.BodyCamera{Status: api.CameraInUse, Agency: s.Scope()}, false, nil)
}

func (c *Room) showEquipment(w http.ResponseWriter, r *http.Request, s *Session, status int, refused *EquipmentError, notice string, form api.BodyCamera, editing bool, history []api.BodyCamera) {
	reg, err := c.Equipment.Register(r.Context(), s.Scope(), staleDaysOf(r))
	if err != nil {
		c.internal(w, r, s, err)
		return
	}
	title := "platform.console.equipment"
	if editing {
		title = "platform.console.camera"
	}
	v := c.view(r.Context(), s, title)
	v.Data = equipmentView{Reg: reg, StaleDays: reg.StaleDays, Writer: hasRole(equipmentWriter, s.Admin.Role), City: s.Scope() == "",
		Agency: s.Scope(), Form: form, Editing: editing, History: history, Statuses: api.CameraStatuses}
	if refused != nil {
		v.Code, v.Error, v.Detail = refused.Code, "platform.equipment."+refused.Code, refused.Detail
	}
	v.Notice = notice
	name := "equipment"
	if editing {
		name = "camera"
	}
	c.render(w, status, name, v)
}

func (c *Room) cameraPage(w http.ResponseWriter, r *http.Request, s *Session) {
	h, err := c.Equipment.Camera(r.Context(), s.Scope(), r.PathValue("serial"))
	var ee *EquipmentError
	if errors.As(err, &ee) {
		c.fail(w, r, s, ee.Status, ee.Code)
		return
	}
	if err != nil {
		c.internal(w, r, s, err)
		return
	}
	c.showEquipment(w, r, s, http.StatusOK, nil, "", h[len(h)-1], true, h)
}

// putCamera: POST /admin/equipment/cameras registers a camera, POST
// /admin/equipment/cameras/{serial} changes one (its officer, status).
func (c *Room) putCamera(w http.ResponseWriter, r *http.Request, s *Session) {
	serial, create := r.PathValue("serial"), r.PathValue("serial") == ""
	if create {
		serial = r.PostFormValue("serial")
	}
	cam := api.BodyCamera{Serial: strings.TrimSpace(serial), Agency: strings.TrimSpace(r.PostFormValue("agency")), Make: r.PostFormValue("make"),
		Model: r.PostFormValue("model"), Officer: r.PostFormValue("officer"), Status: r.PostFormValue("status")}
	err := c.Equipment.PutCamera(r.Context(), s.Scope(), s.Admin.Login, cam, create)
	var ee *EquipmentError
	switch {
	case errors.As(err, &ee) && ee.Code == "not_found":
		c.fail(w, r, s, ee.Status, ee.Code)
	case errors.As(err, &ee):
		var h []api.BodyCamera
		if !create {
			h, _ = c.Equipment.Camera(r.Context(), s.Scope(), cam.Serial)
		}
		c.showEquipment(w, r, s, ee.Status, ee, "", cam, !create && len(h) > 0, h)
	case err != nil:
		c.internal(w, r, s, err)
	default:
		action := "camera.change"
		if create {
			action = "camera.register"
		}
		agency := cam.Agency
		if s.Scope() != "" {
			agency = s.Scope()
		}
		c.act(r, s, agency, action, cam.Serial, cam.Make+" "+cam.Model+" · "+cam.Status+" · "+cam.Officer)
		http.Redirect(w, r, "/admin/equipment?done=camera#camera-"+url.PathEscape(cam.Serial), http.StatusSeeOther)
	}
}

// Size is a byte count as people read it (KiB, MiB, GiB, binary).
func (equipmentView) Size(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 3; m /= unit {
		div *= unit
		exp++
	}
	return strconv.FormatFloat(float64(n)/float64(div), 'f', 1, 64) + " " + "KMGT"[exp:exp+1] + "iB"
}
