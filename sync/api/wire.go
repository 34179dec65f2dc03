package api

import (
	"encoding/json"
	"strings"
	"time"
)

// Paths of the platform's REST API, version 1. openapi.yaml describes them.
const (
	PathHealth  = "/healthz"
	PathEnrol   = "/api/v1/devices/enrol"
	PathPush    = "/api/v1/logs/push"
	PathChanges = "/api/v1/catalog/changes"
	PathCodes   = "/api/v1/admin/enrol-codes"
	PathImport  = "/api/v1/admin/catalog/import"
	PathDevices = "/api/v1/admin/devices"
	PathItems   = "/api/v1/admin/catalog/items/" // + {kind}/{id}
	PathAlerts  = "/api/v1/admin/alerts"
	// PathSupervision is the supervision report (JSON); the same report
	// for a browser is at /admin/supervision.
	PathSupervision = "/api/v1/admin/supervision"
	// PathAppraisal is the 评议考核 per officer, agency and month (JSON);
	// the same for a browser is at /admin/appraisal.
	PathAppraisal = "/api/v1/admin/appraisal"
	// PathAudit is the administrators' audit log, newest first, with its
	// hash chain's verification.
	PathAudit     = "/api/v1/admin/audit"
	PathPolicies  = "/api/v1/review/policies"
	PathQueue     = "/api/v1/review/queue"
	PathOpinions  = "/api/v1/review/opinions"
	PathReviewers = "/api/v1/review/reviewers"
	// PathAVLists is every agency's audio/video requirement list.
	PathAVLists = "/api/v1/av-requirements"
	// PathProcedures is the agencies' own versions of the procedures
	// (casefile.Procedure), which replace the national defaults of the
	// same ID for their agency.
	PathProcedures = "/api/v1/procedures"
	// PathCalendar is the working-day calendar (holidays and make-up
	// workdays by year).
	PathCalendar = "/api/v1/calendar"
	// PathDeadlines is each agency's own deadline to publish decisions
	// (agency, act, working days); PathAdminDeadlines sets them.
	PathDeadlines      = "/api/v1/deadlines"
	PathAdminDeadlines = "/api/v1/admin/deadlines"
	PathPubKey         = "/api/v1/platform/key"
	PathMedia          = "/api/v1/media/"        // tus 1.0 uploads
	PathMediaSHA       = "/api/v1/media-by-sha/" // GET {sha256}: held, with receipt?
	HeaderIdem         = "Idempotency-Key"
	MaxBodyBytes       = 16 << 20 // a push or import larger than this is refused
	// A page of PathChanges holds DefaultChanges changes, or ?limit= of
	// them up to MaxChanges (a larger limit is refused, not cut).
	DefaultChanges = 1000
	MaxChanges     = 5000
)

// The kinds of device. An enrolment code is made for one kind, and the
// device it enrols is of that kind, whatever the device asks for.
const (
	DeviceKiosk   = "kiosk"
	DeviceWindow  = "window"
	DeviceOfficer = "officer"
)

// DeviceKind reports whether k is one of the kinds of device.
func DeviceKind(k string) bool {
	return k == DeviceKiosk || k == DeviceWindow || k == DeviceOfficer
}

// EnrolRequest exchanges a one-time code for a device identity.
type EnrolRequest struct {
	Code string `json:"code"`
	Name string `json:"name"`
	// Kind is what the device takes itself to be (kiosk, window, officer);
	// empty takes the code's. One that differs from the code's is refused.
	Kind     string `json:"kind"`
	Verifier string `json:"verifier"` // the device's log key, note verifier form
}

// EnrolResponse is the device's identity; the token is shown once.
type EnrolResponse struct {
	DeviceID string `json:"device_id"`
	Token    string `json:"token"`
	// PlatformKey verifies the receipts the platform signs.
	PlatformKey string `json:"platform_key"`
	// Kind is the kind of device enrolled (the code's): a kiosk or a
	// window pushes only its hall log and pulls no case rules.
	Kind string `json:"kind,omitempty"`
	// Recovery are the city's recovery key notes, as in KeySet: the
	// device wraps its new data key to them from the start.
	Recovery []string `json:"recovery,omitempty"`
}

// WireRecord is one record of a device log, its exact bytes.
type WireRecord struct {
	Seq  int64  `json:"seq"`
	Data []byte `json:"data"` // base64 in JSON
}

// PushRequest sends the records after the platform's last receipt, with
// the device's signed checkpoint of the tree that includes them.
type PushRequest struct {
	Records    []WireRecord `json:"records"`
	Checkpoint string       `json:"checkpoint"`
}

// Receipt is the platform's signed acknowledgement of a log up to a size:
// a checkpoint countersigned by the platform. The device keeps it; after
// it, nobody holding the device key can rewrite what it covers unnoticed.
type Receipt struct {
	DeviceID string `json:"device_id"`
	Size     int64  `json:"size"`
	Root     string `json:"root"`
	// ReceivedAt is the platform's time of receipt, which Note signs (its
	// "time" line): a device goes by the signed one and refuses a receipt
	// whose ReceivedAt says otherwise.
	ReceivedAt time.Time `json:"received_at"`
	// Note is the checkpoint text, with the platform's time of receipt,
	// signed by the platform's key (ledger.ReceiptText).
	Note string `json:"note"`
	// Flags are rule violations found on arrival (a major decision without
	// a passed review), for people to look at; the log is kept regardless.
	Flags []string `json:"flags,omitempty"`
}

// Change is one entry of the catalog change feed.
type Change struct {
	Cursor  int64  `json:"cursor"`
	Kind    string `json:"kind"` // an item kind, or "agency"
	ID      string `json:"id"`
	Deleted bool   `json:"deleted,omitempty"`
	Data    []byte `json:"data,omitempty"` // the item as JSON
}

// ChangesResponse is one page of the feed; ask again with since=Next until
// More is false.
type ChangesResponse struct {
	Changes []Change `json:"changes"`
	Next    int64    `json:"next"`
	More    bool     `json:"more"`
}

// Problem is an error body (RFC 9457 style) with a message for people in
// Chinese and a stable code for programs.
//
// Every error the platform answers has this shape, on every route: the
// router's 404 and 405, the uploads' (tus) errors and the HTML pages'
// unknown items alike. Message is in the language the caller's
// Accept-Language prefers (Chinese by default, or English; the answer's
// Content-Language says which); Code never changes with it.
type Problem struct {
	// Code is the stable code for programs ("bad_param", "not_found"…).
	Code string `json:"code"`
	// Message is for people.
	Message string `json:"message"`
	// Status repeats the HTTP status.
	Status int `json:"status"`
	// Param names the query or path parameter that was refused.
	Param string `json:"param,omitempty"`
	// ErrorID names an internal error in the platform's log.
	ErrorID string `json:"error_id,omitempty"`
	// Detail is for whoever debugs (English, not translated).
	Detail string `json:"detail,omitempty"`
}

// DeliveredOpinion is a legal review opinion signed on another device for
// one of the calling device's cases; Origin names the reviewer device's
// record ("DEVICE#SEQ"), which the platform holds in that device's log.
type DeliveredOpinion struct {
	Case    string          `json:"case"`
	Opinion json.RawMessage `json:"opinion"`
	Origin  string          `json:"origin"`
	// Record is the reviewer device's record as the platform holds it,
	// with the reviewer's signature, and LogOrigin that log's origin line:
	// the case's device checks the signature before taking the opinion.
	Record    json.RawMessage `json:"record"`
	LogOrigin string          `json:"log_origin"`
}

// Paths of the people's routes: an administrator's, and a device's.
const (
	// PathPeople lists and imports the city's people (administrator);
	// PathPeople + {id} reads or edits one, + {id}/activation issues a
	// one-time activation code, + {id}/keys lists the person's keys.
	PathPeople = "/api/v1/admin/people/"
	// PathPersonKeys + {key}/revoke revokes a person's key (administrator).
	PathPersonKeys = "/api/v1/admin/person-keys/"
	// PathActivate is where a device activates a person with a code.
	PathActivate = "/api/v1/people/activate"
	// PathStanding is what a device needs to know of the people who may
	// sign on it: who is active, which keys are revoked.
	PathStanding = "/api/v1/people/standing"
)

// The roles a person holds on the platform. A person activates only on a
// device of the kind the role works at (RoleDevice).
const (
	RoleOfficer    = "officer"     // enforcement officer (执法人员)
	RoleReviewer   = "reviewer"    // legal reviewer (法制审核人员)
	RoleStaff      = "staff"       // service-window staff
	RoleKioskAdmin = "kiosk_admin" // looks after a hall's kiosks
)

// RoleDevice is the kind of device a role signs in on; "" for no role.
func RoleDevice(role string) string {
	switch role {
	case RoleOfficer, RoleReviewer:
		return DeviceOfficer
	case RoleStaff:
		return DeviceWindow
	case RoleKioskAdmin:
		return DeviceKiosk
	}
	return ""
}

// Person is one of the city's people as the platform holds them.
type Person struct {
	ID            string `json:"id"` // certificate or staff number
	Name          string `json:"name"`
	Agency        string `json:"agency"`
	Unit          string `json:"unit,omitempty"`
	Position      string `json:"position,omitempty"`
	Role          string `json:"role"`
	Qualification string `json:"qualification,omitempty"` // a reviewer's: legal_professional, or the in-house one
	Active        bool   `json:"active"`
	// Photo is the SHA-256 (hex) of the person's photo, fetched from
	// PathPhotos; "" for none. Set by uploading a photo, never by a PUT.
	Photo string `json:"photo,omitempty"`
}

// ActivateRequest exchanges a person's one-time activation code for the
// registration of a key the device made for that person. Proof is the
// key's Ed25519 signature of ActivationMessage(code, device): the device
// holds the private key it registers.
type ActivateRequest struct {
	Code  string `json:"code"`
	Key   string `json:"key"`   // Ed25519 public key, standard base64
	Proof string `json:"proof"` // base64
}

// ActivationMessage is what an activation's proof signs: the code as
// NormalizeCode gives it, and the device's ID.
func ActivationMessage(code, device string) []byte {
	return []byte("sanxiang/activate/v1\n" + NormalizeCode(code) + "\n" + device + "\n")
}

// NormalizeCode is the form an activation code is compared in: upper case,
// without the spaces and dashes people type or print it with.
func NormalizeCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, code)
}

// Standing is what a device needs to know of its people: each person's
// profile and whether active, and every revoked key.
type Standing struct {
	People  []Person     `json:"people"`
	Revoked []RevokedKey `json:"revoked"`
}

// RevokedKey is a person's key the platform no longer trusts.
type RevokedKey struct {
	Key    string `json:"key"`
	Person string `json:"person"`
	At     string `json:"at"` // RFC 3339
	Reason string `json:"reason,omitempty"`
}

// A request a device makes for one of its signed-in people (a legal
// reviewer pulling the review queue or opening a case from it) carries
// the person's ID, the time, and the person's signature of
// PersonMessage: the platform checks it under a key it registered to
// that person on that device.
const (
	HeaderPerson     = "X-Sanxiang-Person"
	HeaderPersonTime = "X-Sanxiang-Person-Time" // RFC 3339
	HeaderPersonSig  = "X-Sanxiang-Person-Sig"  // standard base64
	// PersonWindow is how far a signed request's time may be from the
	// platform's.
	PersonWindow = 5 * time.Minute
	// PathReviewOpen is where a reviewer opens a case of the queue: its
	// records unmasked, the opening recorded.
	PathReviewOpen = "/api/v1/review/open"
)

// PersonMessage is what a person signs to make a request: the route, the
// device, what is asked for (an agency's queue, a case) and the time.
func PersonMessage(path, device, subject, at string) []byte {
	return []byte("sanxiang/person-request/v1\n" + path + "\n" + device + "\n" + subject + "\n" + at + "\n")
}

// ReviewOpenRequest names a case of the review queue a reviewer opens.
type ReviewOpenRequest struct {
	Device string `json:"device"`
	Case   string `json:"case"`
}

// PathDecisions + {id}/withdraw takes a published decision down, for a
// stated reason (administrator).
const PathDecisions = "/api/v1/admin/decisions/"

// Who took a published item down.
const (
	WithdrawnByAdmin  = "admin"  // an administrator, with a stated reason
	WithdrawnByDevice = "device" // the device that published it (a publish.withdraw record)
)

// WithdrawRequest is the body of an administrator's withdrawal.
type WithdrawRequest struct {
	Reason string `json:"reason"`
}

// Withdrawal is how a published item was taken down: kept by the
// platform, shown on the item's public page, and answered by the
// administrator's withdrawal route.
type Withdrawal struct {
	Kind   string `json:"kind"`
	ID     string `json:"id"`
	At     string `json:"at"`     // RFC 3339
	Source string `json:"source"` // WithdrawnByAdmin or WithdrawnByDevice
	Actor  string `json:"actor"`  // the administrator's login or token name, or the device's ID
	Role   string `json:"role,omitempty"`
	Agency string `json:"agency"`          // the item's agency
	Cause  string `json:"cause,omitempty"` // a device's: revoked, changed, void
	Reason string `json:"reason"`          // an administrator's reason, or the device's explanation
}

// PathHandovers lists the cases handed over (移交) to the officer signed
// in on the calling device who signs the request (subject "handovers"),
// each with its records as the logs that hold them have them.
const PathHandovers = "/api/v1/handovers"

// Handover is a case handed over to an officer and not taken over yet.
type Handover struct {
	Case       string `json:"case"`
	FromDevice string `json:"from_device"`
	FromSeq    int64  `json:"from_seq"` // the handover record's place in that device's log
	To         string `json:"to"`
	Reason     string `json:"reason"`
	At         string `json:"at"` // RFC 3339
	// Records are the case's records from its opening to the handover,
	// across the devices that held it, in order.
	Records []HeldRecord `json:"records"`
}

// HeldRecord is a record as a device's log holds it: the device, its
// place there and its exact bytes (base64 in JSON).
type HeldRecord struct {
	Device string `json:"device"`
	Seq    int64  `json:"seq"`
	Data   []byte `json:"data"`
}

// PathOpenWindows lists the hall's windows open now (staff signed in and
// not paused), from the windows' own signed hall logs: a paused window's
// display points citizens to the nearest one.
const PathOpenWindows = "/api/v1/hall/windows"

// OpenWindow is a window with staff serving at it.
type OpenWindow struct {
	Window string    `json:"window"`
	Device string    `json:"device"`
	Staff  string    `json:"staff"`
	Name   string    `json:"name"`
	Since  time.Time `json:"since"`
}

// PathTasks lists the drawn inspection tasks (双随机) of the officer signed
// in on the calling device who signs the request (subject "tasks"): those
// they are one of the two inspectors of and that have no result yet.
// POST PathTasks+"{id}/claim" (subject "claim") takes one up on the
// calling device, where its case is then opened: the first of the pair's
// desks to ask has it; another device's claim is 409 task_claimed.
const PathTasks = "/api/v1/tasks/"

// Task is one drawn target and its two inspectors, for their desks.
type Task struct {
	ID         string          `json:"id"` // "12-3": the draw's number and the task's
	Draw       int64           `json:"draw"`
	N          int             `json:"n"`
	Item       string          `json:"item"`
	ItemName   string          `json:"item_name"`
	Agency     string          `json:"agency"`
	Target     TaskTarget      `json:"target"`
	Inspectors []TaskInspector `json:"inspectors"`
	Due        string          `json:"due"` // YYYY-MM-DD
	// Device and ClaimedBy say where the task was taken up and by whom
	// ("" until then); CaseID is its case once the platform has it.
	Device    string `json:"device,omitempty"`
	ClaimedBy string `json:"claimed_by,omitempty"`
	CaseID    string `json:"case_id,omitempty"`
}

// TaskTarget is the drawn target (检查对象).
type TaskTarget struct {
	ID      string `json:"id"` // unified social credit code, or the list's code
	Name    string `json:"name"`
	Unit    string `json:"unit,omitempty"`
	Address string `json:"address,omitempty"`
}

// TaskInspector is one of a task's two inspectors.
type TaskInspector struct {
	CertNo string `json:"cert_no"`
	Name   string `json:"name"`
	Person string `json:"person,omitempty"`
}
