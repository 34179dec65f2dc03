// Package catalog holds the public lists a kiosk, a service window and an
// officer read: officers, fee items, service guides, enforcement items and
// random-inspection items, with the agencies they belong to, and finds them by
// text, pinyin or pinyin initials.
//
// The platform owns these lists; a device keeps a copy so that it serves
// citizens with no network. This package never imports Fyne: field labels are
// translation keys that the screens translate.
package catalog

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/act"
)

// Kind names one public list.
type Kind string

const (
	KindOfficer    Kind = "officer"    // 行政执法人员清单
	KindFee        Kind = "fee"        // 行政收费目录清单
	KindGuide      Kind = "guide"      // 服务指南
	KindItem       Kind = "item"       // 行政执法事项清单
	KindInspection Kind = "inspection" // 随机抽查事项清单
	KindDecision   Kind = "decision"   // 执法决定公开
	KindResult     Kind = "result"     // 随机抽查结果公开
)

// KindSpec is everything the code knows about one public list kind. A new
// kind is added here, in kinds, and nowhere else: its item type, the
// columns an import must fill, and whether screens filter it by act.
type KindSpec struct {
	Kind Kind
	// New makes an empty item of the kind, for decoding.
	New func() Item
	// Required are the columns (JSON fields) every imported row must fill.
	Required []string
	// ByAct says the list's items carry an act that screens filter by.
	ByAct bool
}

// kinds registers every public list kind, in the order screens show them.
var kinds = []KindSpec{
	{KindOfficer, func() Item { return new(Officer) }, []string{"id", "name", "gender", "agency", "unit", "cert_no", "issuer", "status"}, false},
	{KindFee, func() Item { return new(FeeItem) }, []string{"id", "name", "agency", "collector", "approver", "document_no", "standard"}, false},
	{KindGuide, func() Item { return new(ServiceGuide) }, []string{"id", "name", "agency", "implementer", "legal_basis", "time_limit"}, true},
	{KindItem, func() Item { return new(EnforcementItem) }, []string{"id", "name", "agency", "act", "subject", "legal_basis"}, true},
	{KindInspection, func() Item { return new(InspectionItem) }, []string{"id", "name", "agency", "inspector", "target"}, false},
	{KindDecision, func() Item { return new(Decision) }, []string{"id", "doc_no", "agency", "party", "content", "decided_on"}, true},
	{KindResult, func() Item { return new(InspectionResult) }, []string{"id", "target", "item_name", "agency", "result"}, false},
}

// Kinds lists every kind in the order screens show them.
var Kinds = func() []Kind {
	out := make([]Kind, len(kinds))
	for i, s := range kinds {
		out[i] = s.Kind
	}
	return out
}()

// Spec is the registration of kind k; ok is false for an unknown kind.
func Spec(k Kind) (spec KindSpec, ok bool) {
	for _, s := range kinds {
		if s.Kind == k {
			return s, true
		}
	}
	return KindSpec{}, false
}

// Act is one of the six kinds of enforcement act the seed names. The type
// lives in app/act, which the case file shares without importing this
// package; the names here stay for the lists' callers.
type Act = act.Kind

const (
	ActLicensing  = act.Licensing  // 行政许可
	ActPenalty    = act.Penalty    // 行政处罚
	ActCoercion   = act.Coercion   // 行政强制
	ActLevy       = act.Levy       // 行政征收
	ActInspection = act.Inspection // 行政检查
	ActFee        = act.Fee        // 行政收费
)

// Acts lists the six in the seed's order.
var Acts = act.All

// Field is one labelled value of an item, as a detail page shows it.
// Label is a translation key; so is Value when ValueIsKey is set.
type Field struct {
	Label      string
	Value      string
	ValueIsKey bool
}

// Item is what every list holds.
type Item interface {
	Kind() Kind
	Key() string // unique within its kind
	Title() string
	Subtitle() string
	Agency() string // agency code
	Category() Act  // "" where the list has no act category
	Fields() []Field
	searchKey() string
}

// AgencyName is the full name of the agency with the code among ags, or
// the code itself when none has it: the one lookup of an agency's name.
func AgencyName(ags []Agency, code string) string {
	for _, a := range ags {
		if a.Code == code {
			return a.Name
		}
	}
	return code
}

// Agency is an enforcement body (执法主体).
type Agency struct {
	Code           string `json:"code"`
	Name           string `json:"name"`
	Short          string `json:"short"`
	Phone          string `json:"phone"`
	Address        string `json:"address"`
	ComplaintPhone string `json:"complaint_phone"`
	RemedyChannels string `json:"remedy_channels"`
	// Duties (职责) and Powers (权限) are what the body is charged with and
	// may do, as the seed requires them made public.
	Duties string `json:"duties,omitempty"`
	Powers string `json:"powers,omitempty"`
}

// Officer is a holder of an enforcement certificate (行政执法证).
type Officer struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Gender     string `json:"gender"`
	AgencyCode string `json:"agency"`
	Unit       string `json:"unit"`
	Position   string `json:"position"`
	Staffing   string `json:"staffing"` // 编制
	Region     string `json:"region"`   // 执法区域
	Issuer     string `json:"issuer"`   // 发证机关
	CertNo     string `json:"cert_no"`  // 行政执法证号
	ValidUntil string `json:"valid_until"`
	Status     string `json:"status"` // valid, revoked, suspended
	// StatusSince is when a revocation or suspension took effect (RFC 3339
	// or a date): what the officer signed before it still stands, what
	// they signed after is flagged. Empty: since before anything known.
	StatusSince string `json:"status_since,omitempty"`
	// Photo is the SHA-256 (hex) of the officer's photo, whose bytes a
	// device fetches once (the platform's /p/photos/) and keeps
	// (Catalog.Photo); "" for none.
	Photo string `json:"photo,omitempty"`
}

// Certificate states an Officer can be in.
const (
	CertValid     = "valid"
	CertRevoked   = "revoked"
	CertSuspended = "suspended"
)

// Why a certificate is not in force.
var (
	ErrCertRevoked   = errors.New("certificate revoked")
	ErrCertSuspended = errors.New("certificate suspended")
	ErrCertExpired   = errors.New("certificate expired")
)

// ExpiryWarning is how long before its end a certificate is warned of.
const ExpiryWarning = 30 * 24 * time.Hour

// InForce says whether the certificate lets its holder act at now (its
// date in now's location): nil, or why not. A valid-until that cannot be
// read is not in force: a certificate's end is never guessed.
func (o *Officer) InForce(now time.Time) error {
	if since := o.since(now.Location()); !since.IsZero() && now.Before(since) && o.Status != CertValid {
		return o.validUntil(now)
	}
	switch o.Status {
	case CertRevoked:
		return ErrCertRevoked
	case CertSuspended:
		return ErrCertSuspended
	}
	return o.validUntil(now)
}

// since is when the status took effect; zero when unknown.
func (o *Officer) since(loc *time.Location) time.Time {
	if t, err := time.Parse(time.RFC3339, o.StatusSince); err == nil {
		return t
	}
	if t, err := time.ParseInLocation(time.DateOnly, o.StatusSince, loc); err == nil {
		return t
	}
	return time.Time{}
}

func (o *Officer) validUntil(now time.Time) error {
	if o.ValidUntil == "" {
		return nil
	}
	end, err := o.End(now.Location())
	if err != nil {
		return fmt.Errorf("%w: valid until %q: %w", ErrCertExpired, o.ValidUntil, err)
	}
	if !now.Before(end) {
		return fmt.Errorf("%w on %s", ErrCertExpired, o.ValidUntil)
	}
	return nil
}

// End is the moment the certificate stops: the day after its valid-until
// date begins, in loc. Zero when it has no end.
func (o *Officer) End(loc *time.Location) (time.Time, error) {
	if o.ValidUntil == "" {
		return time.Time{}, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, o.ValidUntil, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("valid until: %w", err)
	}
	return d.AddDate(0, 0, 1), nil
}

func (o *Officer) Kind() Kind        { return KindOfficer }
func (o *Officer) Key() string       { return o.ID }
func (o *Officer) Title() string     { return o.Name }
func (o *Officer) Subtitle() string  { return o.Unit + "  " + o.CertNo }
func (o *Officer) Agency() string    { return o.AgencyCode }
func (o *Officer) Category() Act     { return "" }
func (o *Officer) searchKey() string { return SearchKey(o.Name, true) + " " + o.CertNo + " " + o.Unit }

// Fields lists what the seed requires to be public about an officer.
func (o *Officer) Fields() []Field {
	return []Field{
		{Label: "field.name", Value: o.Name},
		{Label: "field.gender", Value: o.Gender},
		{Label: "field.unit", Value: o.Unit},
		{Label: "field.position", Value: o.Position},
		{Label: "field.staffing", Value: o.Staffing},
		{Label: "field.region", Value: o.Region},
		{Label: "field.issuer", Value: o.Issuer},
		{Label: "field.cert_no", Value: o.CertNo},
		{Label: "field.valid_until", Value: o.ValidUntil},
		{Label: "field.cert_status", Value: "cert." + o.Status, ValueIsKey: true},
	}
}

// FeeItem is one entry of the fee catalog (行政收费目录清单).
type FeeItem struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	AgencyCode     string `json:"agency"`
	Collector      string `json:"collector"`
	Approver       string `json:"approver"`    // 批准机关
	DocumentNo     string `json:"document_no"` // 文号
	Payer          string `json:"payer"`
	Scope          string `json:"scope"`
	Standard       string `json:"standard"`
	ComplaintPhone string `json:"complaint_phone"`
}

func (f *FeeItem) Kind() Kind        { return KindFee }
func (f *FeeItem) Key() string       { return f.ID }
func (f *FeeItem) Title() string     { return f.Name }
func (f *FeeItem) Subtitle() string  { return f.Collector + "  " + f.Standard }
func (f *FeeItem) Agency() string    { return f.AgencyCode }
func (f *FeeItem) Category() Act     { return ActFee }
func (f *FeeItem) searchKey() string { return SearchKey(f.Name, false) + " " + f.Collector }

func (f *FeeItem) Fields() []Field {
	return []Field{
		{Label: "field.fee_name", Value: f.Name},
		{Label: "field.collector", Value: f.Collector},
		{Label: "field.fee_basis", Value: f.Approver + "　" + f.DocumentNo},
		{Label: "field.payer", Value: f.Payer},
		{Label: "field.scope", Value: f.Scope},
		{Label: "field.standard", Value: f.Standard},
		{Label: "field.complaint_phone", Value: f.ComplaintPhone},
	}
}

// ServiceGuide is a service guide (服务指南) with every field the seed lists.
type ServiceGuide struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	AgencyCode   string `json:"agency"`
	Act          Act    `json:"act"`
	LegalBasis   string `json:"legal_basis"`  // 设定依据
	Implementer  string `json:"implementer"`  // 实施机构
	Subject      string `json:"subject"`      // 实施主体
	Conditions   string `json:"conditions"`   // 受理条件
	Materials    string `json:"materials"`    // 申请材料
	Procedure    string `json:"procedure"`    // 办理流程
	TimeLimit    string `json:"time_limit"`   // 承诺时限
	ReviewMethod string `json:"review"`       // 审查方式
	Supervision  string `json:"supervision"`  // 监督方式
	Remedy       string `json:"remedy"`       // 救济渠道
	Complaint    string `json:"complaint"`    // 投诉举报方式和途径
	OfficeHours  string `json:"office_hours"` // 办理时间
	Location     string `json:"location"`     // 办理地点
	Phone        string `json:"phone"`        // 咨询电话
}

func (g *ServiceGuide) Kind() Kind        { return KindGuide }
func (g *ServiceGuide) Key() string       { return g.ID }
func (g *ServiceGuide) Title() string     { return g.Name }
func (g *ServiceGuide) Subtitle() string  { return g.Implementer + "  " + g.TimeLimit }
func (g *ServiceGuide) Agency() string    { return g.AgencyCode }
func (g *ServiceGuide) Category() Act     { return g.Act }
func (g *ServiceGuide) searchKey() string { return SearchKey(g.Name, false) + " " + g.Implementer }

func (g *ServiceGuide) Fields() []Field {
	return []Field{
		{Label: "field.item_name", Value: g.Name},
		{Label: "field.act", Value: "act." + string(g.Act), ValueIsKey: true},
		{Label: "field.legal_basis", Value: g.LegalBasis},
		{Label: "field.implementer", Value: g.Implementer},
		{Label: "field.subject", Value: g.Subject},
		{Label: "field.conditions", Value: g.Conditions},
		{Label: "field.materials", Value: g.Materials},
		{Label: "field.procedure", Value: g.Procedure},
		{Label: "field.time_limit", Value: g.TimeLimit},
		{Label: "field.review_method", Value: g.ReviewMethod},
		{Label: "field.supervision", Value: g.Supervision},
		{Label: "field.remedy", Value: g.Remedy},
		{Label: "field.complaint", Value: g.Complaint},
		{Label: "field.office_hours", Value: g.OfficeHours},
		{Label: "field.location", Value: g.Location},
		{Label: "field.phone", Value: g.Phone},
	}
}

// EnforcementItem is an entry of the enforcement item list (行政执法事项清单).
type EnforcementItem struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	AgencyCode  string `json:"agency"`
	Act         Act    `json:"act"`
	Subject     string `json:"subject"`     // 执法主体
	LegalBasis  string `json:"legal_basis"` // 依据
	Implementer string `json:"implementer"` // 实施主体
	Responsible string `json:"responsible"` // 责任主体
}

func (e *EnforcementItem) Kind() Kind        { return KindItem }
func (e *EnforcementItem) Key() string       { return e.ID }
func (e *EnforcementItem) Title() string     { return e.Name }
func (e *EnforcementItem) Subtitle() string  { return e.Subject }
func (e *EnforcementItem) Agency() string    { return e.AgencyCode }
func (e *EnforcementItem) Category() Act     { return e.Act }
func (e *EnforcementItem) searchKey() string { return SearchKey(e.Name, false) + " " + e.Subject }

func (e *EnforcementItem) Fields() []Field {
	return []Field{
		{Label: "field.item_name", Value: e.Name},
		{Label: "field.act", Value: "act." + string(e.Act), ValueIsKey: true},
		{Label: "field.enforcer", Value: e.Subject},
		{Label: "field.legal_basis", Value: e.LegalBasis},
		{Label: "field.implementer", Value: e.Implementer},
		{Label: "field.responsible", Value: e.Responsible},
	}
}

// InspectionItem is a random-inspection item (随机抽查事项, "双随机、一公开").
type InspectionItem struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	AgencyCode string `json:"agency"`
	Inspector  string `json:"inspector"` // 抽查主体
	Basis      string `json:"basis"`
	Target     string `json:"target"`
	Content    string `json:"content"`
	Ratio      string `json:"ratio"`
	Method     string `json:"method"`
	Frequency  string `json:"frequency"`
}

func (i *InspectionItem) Kind() Kind        { return KindInspection }
func (i *InspectionItem) Key() string       { return i.ID }
func (i *InspectionItem) Title() string     { return i.Name }
func (i *InspectionItem) Subtitle() string  { return i.Inspector + "  " + i.Ratio }
func (i *InspectionItem) Agency() string    { return i.AgencyCode }
func (i *InspectionItem) Category() Act     { return ActInspection }
func (i *InspectionItem) searchKey() string { return SearchKey(i.Name, false) + " " + i.Inspector }

func (i *InspectionItem) Fields() []Field {
	return []Field{
		{Label: "field.item_name", Value: i.Name},
		{Label: "field.inspector", Value: i.Inspector},
		{Label: "field.basis", Value: i.Basis},
		{Label: "field.target", Value: i.Target},
		{Label: "field.content", Value: i.Content},
		{Label: "field.ratio", Value: i.Ratio},
		{Label: "field.method", Value: i.Method},
		{Label: "field.frequency", Value: i.Frequency},
	}
}

// Decision is a published enforcement decision (执法决定公开), as the
// platform publishes it: personal data already masked (技术处理).
type Decision struct {
	ID          string `json:"id"`
	DocNo       string `json:"doc_no"` // 文书号
	AgencyCode  string `json:"agency"`
	AgencyName  string `json:"agency_name"`
	Act         Act    `json:"act"`
	Party       string `json:"party"`
	Facts       string `json:"facts"`
	Basis       string `json:"basis"`
	Content     string `json:"content"`
	DecidedOn   string `json:"decided_on"`
	PublishedOn string `json:"published_on"`
}

func (d *Decision) Kind() Kind       { return KindDecision }
func (d *Decision) Key() string      { return d.ID }
func (d *Decision) Title() string    { return d.Party + "　" + d.DocNo }
func (d *Decision) Subtitle() string { return d.AgencyName + "  " + d.DecidedOn }
func (d *Decision) Agency() string   { return d.AgencyCode }
func (d *Decision) Category() Act    { return d.Act }
func (d *Decision) searchKey() string {
	return SearchKey(d.Party, false) + " " + strings.ToLower(d.DocNo) + " " + d.AgencyName
}

func (d *Decision) Fields() []Field {
	return []Field{
		{Label: "field.doc_no", Value: d.DocNo},
		{Label: "field.act", Value: "act." + string(d.Act), ValueIsKey: true},
		{Label: "field.party", Value: d.Party},
		{Label: "field.facts", Value: d.Facts},
		{Label: "field.decision_basis", Value: d.Basis},
		{Label: "field.decision_content", Value: d.Content},
		{Label: "field.decided_by", Value: d.AgencyName},
		{Label: "field.decided_on", Value: d.DecidedOn},
		{Label: "field.published_on", Value: d.PublishedOn},
	}
}

// InspectionResult is the published result of inspecting one target drawn
// at random (双随机抽查结果公开): the platform publishes it when the result
// of a kept draw is recorded; the draw's page shows how it was drawn.
type InspectionResult struct {
	ID         string `json:"id"` // the draw and the task: "12-3"
	DrawID     int64  `json:"draw"`
	ItemID     string `json:"item"`
	ItemName   string `json:"item_name"`
	AgencyCode string `json:"agency"`
	AgencyName string `json:"agency_name"`
	Target     string `json:"target"`
	Inspectors string `json:"inspectors"` // names and certificate numbers
	Result     string `json:"result"`
	DrawnOn    string `json:"drawn_on"`
	// PublishedOn is the day the result was recorded and published.
	PublishedOn string `json:"published_on"`
	// Case is the case whose inspection gave the result, for a drawn
	// task of a plan (双随机); "" for a result entered on the platform.
	Case string `json:"case,omitempty"`
}

func (r *InspectionResult) Kind() Kind       { return KindResult }
func (r *InspectionResult) Key() string      { return r.ID }
func (r *InspectionResult) Title() string    { return r.Target }
func (r *InspectionResult) Subtitle() string { return r.ItemName + "  " + r.PublishedOn }
func (r *InspectionResult) Agency() string   { return r.AgencyCode }
func (r *InspectionResult) Category() Act    { return ActInspection }
func (r *InspectionResult) searchKey() string {
	return SearchKey(r.Target, false) + " " + SearchKey(r.ItemName, false) + " " + r.AgencyName
}

func (r *InspectionResult) Fields() []Field {
	return []Field{
		{Label: "field.target_name", Value: r.Target},
		{Label: "field.item_name", Value: r.ItemName},
		{Label: "field.inspector", Value: r.AgencyName},
		{Label: "field.inspectors", Value: r.Inspectors},
		{Label: "field.drawn_on", Value: r.DrawnOn},
		{Label: "field.result", Value: r.Result},
		{Label: "field.published_on", Value: r.PublishedOn},
	}
}

// Dataset is a whole catalog, as a seed or an import brings it.
type Dataset struct {
	Agencies    []Agency
	Officers    []Officer
	Fees        []FeeItem
	Guides      []ServiceGuide
	Items       []EnforcementItem
	Inspections []InspectionItem
	Decisions   []Decision
	Results     []InspectionResult
}

// each calls fn for every item in d.
func (d *Dataset) each(fn func(Item) error) error {
	for i := range d.Officers {
		if err := fn(&d.Officers[i]); err != nil {
			return err
		}
	}
	for i := range d.Fees {
		if err := fn(&d.Fees[i]); err != nil {
			return err
		}
	}
	for i := range d.Guides {
		if err := fn(&d.Guides[i]); err != nil {
			return err
		}
	}
	for i := range d.Items {
		if err := fn(&d.Items[i]); err != nil {
			return err
		}
	}
	for i := range d.Inspections {
		if err := fn(&d.Inspections[i]); err != nil {
			return err
		}
	}
	for i := range d.Decisions {
		if err := fn(&d.Decisions[i]); err != nil {
			return err
		}
	}
	for i := range d.Results {
		if err := fn(&d.Results[i]); err != nil {
			return err
		}
	}
	return nil
}

// AllItems lists every item of the dataset.
func (d *Dataset) AllItems() []Item {
	var out []Item
	d.each(func(it Item) error { out = append(out, it); return nil })
	return out
}
