package api

// 通报 → 整改 → 复查 (issue 24, part 3): the notices the city's
// legal-affairs office issues about a case or an agency, the agency's
// rectification reports, the re-checks and accountability, for
// administrators' tokens (scope supervision) as on the console's
// /admin/notices pages; and, for an officer's device, the notices about
// its own cases.

// PathNotices lists notices (GET) and issues one (POST); a notice is at
// PathNotices/{id}, its steps are added at PathNotices/{id}/report,
// /recheck and /accountability, and an attachment is at
// PathNotices/{id}/files/{sha256}.
const PathNotices = "/api/v1/admin/notices"

// PathDeviceNotices gives an officer's device the notices about the
// cases it holds, and no other's.
const PathDeviceNotices = "/api/v1/notices"

// NoticeFile is an attachment of a report: its name as uploaded, the
// media type its content was judged to be, size and SHA-256.
type NoticeFile struct {
	SHA256 string `json:"sha256"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	Size   int64  `json:"size"`
}

// NoticeStep is one step after a notice: a report (by the agency), a pass
// or a return (the re-check, by the city), or accountability (who, measure).
type NoticeStep struct {
	N       int          `json:"n"`
	Kind    string       `json:"kind"`
	At      string       `json:"at"`
	Actor   string       `json:"actor"`
	Role    string       `json:"role"`
	Text    string       `json:"text,omitempty"`
	Who     string       `json:"who,omitempty"`
	Measure string       `json:"measure,omitempty"`
	Files   []NoticeFile `json:"files"`
}

// Notice is one notice with its steps. State is pending (待整改), reported
// (已报告), returned (退回) or passed (已通过); Overdue says the deadline
// passed without a passed report, by the platform's clock.
type Notice struct {
	ID         string       `json:"id"`
	Number     string       `json:"number"`
	Agency     string       `json:"agency"`
	AgencyName string       `json:"agency_name"`
	Device     string       `json:"device,omitempty"`
	Case       string       `json:"case,omitempty"`
	Finding    string       `json:"finding"`
	Basis      string       `json:"basis"`
	Actions    string       `json:"actions,omitempty"`
	Deadline   string       `json:"deadline"`
	IssuedAt   string       `json:"issued_at"`
	Issuer     string       `json:"issuer"`
	State      string       `json:"state"`
	Overdue    bool         `json:"overdue"`
	Steps      []NoticeStep `json:"steps"`
}

// NoticeList is the notices a filter selected, overdue first, and how
// many the token's agencies hold in all, overdue and in each state.
type NoticeList struct {
	All     int            `json:"all"`
	Overdue int            `json:"overdue"`
	States  map[string]int `json:"states"`
	Notices []Notice       `json:"notices"`
}

// NewNotice issues a notice about a case (device and case) or an agency.
type NewNotice struct {
	Device   string `json:"device,omitempty"`
	Case     string `json:"case,omitempty"`
	Agency   string `json:"agency,omitempty"`
	Finding  string `json:"finding"`
	Basis    string `json:"basis"`
	Actions  string `json:"actions,omitempty"`
	Deadline string `json:"deadline"`
}

// NoticeUpload is an attachment sent with a report, its bytes base64 in JSON.
type NoticeUpload struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

// NoticeReport is an agency's rectification report.
type NoticeReport struct {
	Text  string         `json:"text"`
	Files []NoticeUpload `json:"files,omitempty"`
}

// NoticeRecheck is the city's re-check: decision pass or return, with
// reasons (required for a return).
type NoticeRecheck struct {
	Decision string `json:"decision"`
	Reasons  string `json:"reasons,omitempty"`
}

// NoticeAccountability records who is held to account and the measure.
type NoticeAccountability struct {
	Who     string `json:"who"`
	Measure string `json:"measure"`
}
