package people

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/sheet"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// Lists is what the room writes of the platform's public lists, inside
// the room's own transaction: a person and their entry in the public
// officers list (行政执法人员清单) change together or not at all.
type Lists interface {
	// Lock takes the lists' writer lock for the transaction. The room
	// takes it before touching people, so the two tables are always
	// locked in the same order.
	Lock(ctx context.Context, tx *sqldb.Tx) error
	// Agencies are the agencies the lists hold.
	Agencies(ctx context.Context, tx *sqldb.Tx) ([]catalog.Agency, error)
	// Officer is the officers list's entry with the id, withdrawn or not
	// (a withdrawn entry keeps its data); found is false if there never
	// was one.
	Officer(ctx context.Context, tx *sqldb.Tx, id string) (o catalog.Officer, withdrawn, found bool, err error)
	Publish(ctx context.Context, tx *sqldb.Tx, items []catalog.Item, agencies []catalog.Agency) error
	// Withdraw tombstones an entry; sql.ErrNoRows if none is published.
	Withdraw(ctx context.Context, tx *sqldb.Tx, kind catalog.Kind, id string) error
}

// Record is a person as an import row and the administrator's API give
// them: the person and, for a holder of an enforcement certificate (行政执
// 法证, every officer), the certificate the public officers list shows.
// The people table and the officers list are written from one Record in
// one transaction, so they never disagree; nothing else writes officers.
type Record struct {
	api.Person
	Gender     string `json:"gender,omitempty"`
	Staffing   string `json:"staffing,omitempty"` // 编制
	CertNo     string `json:"cert_no,omitempty"`  // 行政执法证号
	Issuer     string `json:"issuer,omitempty"`   // 发证机关
	Status     string `json:"status,omitempty"`   // valid, suspended, revoked
	ValidUntil string `json:"valid_until,omitempty"`
	Region     string `json:"region,omitempty"` // 执法区域
}

// HasCert says whether the record carries a certificate.
func (rec Record) HasCert() bool {
	return rec.CertNo != "" || rec.Issuer != "" || rec.Status != "" || rec.ValidUntil != ""
}

// Officer is the record's entry in the public officers list.
func (rec Record) Officer() catalog.Officer {
	return catalog.Officer{ID: rec.ID, Name: rec.Name, Gender: rec.Gender, AgencyCode: rec.Agency, Unit: rec.Unit,
		Position: rec.Position, Staffing: rec.Staffing, Region: rec.Region, Issuer: rec.Issuer, CertNo: rec.CertNo,
		ValidUntil: rec.ValidUntil, Status: rec.Status, Photo: rec.Photo}
}

func withCert(p api.Person, o catalog.Officer) Record {
	return Record{Person: p, Gender: o.Gender, Staffing: o.Staffing, CertNo: o.CertNo, Issuer: o.Issuer,
		Status: o.Status, ValidUntil: o.ValidUntil, Region: o.Region}
}

// field values of a record by the JSON name (as import columns map to).
func (rec *Record) field(name string) *string {
	switch name {
	case "id":
		return &rec.ID
	case "name":
		return &rec.Name
	case "agency":
		return &rec.Agency
	case "unit":
		return &rec.Unit
	case "position":
		return &rec.Position
	case "role":
		return &rec.Role
	case "qualification":
		return &rec.Qualification
	case "gender":
		return &rec.Gender
	case "staffing":
		return &rec.Staffing
	case "cert_no":
		return &rec.CertNo
	case "issuer":
		return &rec.Issuer
	case "status":
		return &rec.Status
	case "valid_until":
		return &rec.ValidUntil
	case "region":
		return &rec.Region
	}
	return nil
}

// certFields are what a certificate holder's row must fill: what the
// officers list requires of an entry, and the date it runs to.
var certFields = func() []string {
	spec, _ := catalog.Spec(catalog.KindOfficer)
	var out []string
	for _, f := range spec.Required {
		if f != "id" && f != "name" && f != "agency" {
			out = append(out, f)
		}
	}
	return append(out, "valid_until")
}()

// Qualifications a legal reviewer may hold (行政处罚法 art. 58: 初次从事
// 法制审核的人员应当取得法律职业资格).
var Qualifications = []string{review.QualLegalProfessional, review.QualDesignated}

// Bad is one bad field of a record: the field's JSON name, and the reason
// as a platform.people.* translation key with its data.
type Bad struct {
	Field string
	Code  string
	Data  map[string]any
}

// Reason is the bad field's reason for people.
func (b Bad) Reason() string { return words.L("platform.people."+b.Code, b.Data) }

// CheckRecord lists what is wrong with rec, given the agencies that exist
// (nil: any agency will do): empty fields, an unknown role, agency,
// qualification or certificate status, a malformed date, an officer or a
// reviewer without what the role needs.
func CheckRecord(rec Record, agencies map[string]bool) []Bad {
	var bad []Bad
	empty := func(f string) { bad = append(bad, Bad{Field: f, Code: "empty"}) }
	for _, f := range []string{"id", "name", "agency", "role"} {
		if strings.TrimSpace(*rec.field(f)) == "" {
			empty(f)
		}
	}
	if rec.Role != "" && api.RoleDevice(rec.Role) == "" {
		bad = append(bad, Bad{Field: "role", Code: "bad_role"})
	}
	if rec.Agency != "" && agencies != nil && !agencies[rec.Agency] {
		bad = append(bad, Bad{Field: "agency", Code: "unknown_agency", Data: map[string]any{"Code": rec.Agency}})
	}
	switch {
	case rec.Qualification != "" && !known(Qualifications, rec.Qualification):
		bad = append(bad, Bad{Field: "qualification", Code: "bad_qualification"})
	case rec.Qualification == "" && rec.Role == api.RoleReviewer:
		bad = append(bad, Bad{Field: "qualification", Code: "need_qualification"})
	}
	if rec.Role == api.RoleOfficer || rec.HasCert() {
		for _, f := range certFields {
			if strings.TrimSpace(*rec.field(f)) == "" {
				bad = append(bad, Bad{Field: f, Code: "need_cert"})
			}
		}
	}
	if rec.Status != "" && !known([]string{catalog.CertValid, catalog.CertSuspended, catalog.CertRevoked}, rec.Status) {
		bad = append(bad, Bad{Field: "status", Code: "bad_status"})
	}
	if rec.ValidUntil != "" {
		if _, err := time.Parse(time.DateOnly, rec.ValidUntil); err != nil {
			bad = append(bad, Bad{Field: "valid_until", Code: "bad_date"})
		}
	}
	return bad
}

func known(set []string, v string) bool {
	for _, s := range set {
		if s == v {
			return true
		}
	}
	return false
}

// BadRecordError is a record CheckRecord refused; nothing was stored.
type BadRecordError struct{ Fields []Bad }

func (e *BadRecordError) Error() string {
	var s []string
	for _, b := range e.Fields {
		s = append(s, b.Field+": "+b.Code)
	}
	return "bad person: " + strings.Join(s, ", ")
}

// Unwrap lets callers match the error as ErrBadPerson.
func (e *BadRecordError) Unwrap() error { return ErrBadPerson }

// RowErrors are the bad fields as an import's row errors, named by their
// JSON fields (the API's columns).
func (e *BadRecordError) RowErrors() []sheet.RowError {
	out := make([]sheet.RowError, len(e.Fields))
	for i, b := range e.Fields {
		out[i] = sheet.RowError{Column: b.Field, Reason: b.Reason(), Code: b.Code}
	}
	return out
}

// PutRecord adds or replaces a person with their certificate, checked by
// CheckRecord against the agencies the lists hold, and keeps their entry
// in the public officers list in step. A record without a certificate
// leaves the certificate the lists hold for the person as it is (only the
// name, agency, unit and position follow the person).
func (r *Room) PutRecord(ctx context.Context, rec Record) (err error) {
	defer wrap.Err(&err, "put person %s", rec.ID)
	return r.DB.Tx(ctx, func(tx *sqldb.Tx) error {
		if err := r.Lists.Lock(ctx, tx); err != nil {
			return err
		}
		ags, err := r.Lists.Agencies(ctx, tx)
		if err != nil {
			return err
		}
		codes := map[string]bool{}
		for _, a := range ags {
			codes[a.Code] = true
		}
		if bad := CheckRecord(rec, codes); len(bad) > 0 {
			return &BadRecordError{Fields: bad}
		}
		return r.putTx(ctx, tx, rec)
	})
}

// GetRecord is a person with the certificate the lists hold for them.
func (r *Room) GetRecord(ctx context.Context, id string) (rec Record, err error) {
	defer wrap.Err(&err, "person %s", id)
	p, err := r.Get(ctx, id)
	if err != nil {
		return rec, err
	}
	rec.Person = p
	err = r.DB.Tx(ctx, func(tx *sqldb.Tx) error {
		o, _, found, err := r.Lists.Officer(ctx, tx, id)
		if found {
			rec = withCert(p, o)
		}
		return err
	})
	return rec, err
}

// putTx writes the person and brings their officers-list entry in step:
// published as the record has it while the person is active, withdrawn
// (its data kept) while not. The caller holds the lists' lock.
func (r *Room) putTx(ctx context.Context, tx *sqldb.Tx, rec Record) error {
	p := rec.Person
	if _, err := tx.ExecContext(ctx, `INSERT INTO people (id, name, agency, unit, position, role, qualification, active, updated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, agency = excluded.agency, unit = excluded.unit,
			position = excluded.position, role = excluded.role, qualification = excluded.qualification,
			active = excluded.active, updated = excluded.updated`,
		p.ID, p.Name, p.Agency, p.Unit, p.Position, p.Role, p.Qualification, boolInt(p.Active), r.stamp()); err != nil {
		return err
	}
	// The photo is set by SetPhoto alone: an edit or an import that does
	// not carry it keeps the one the person has.
	if err := tx.QueryRowContext(ctx, `SELECT photo FROM people WHERE id = ?`, p.ID).Scan(&p.Photo); err != nil {
		return err
	}
	rec.Person = p
	prev, withdrawn, found, err := r.Lists.Officer(ctx, tx, p.ID)
	if err != nil {
		return err
	}
	var want catalog.Officer
	switch {
	case rec.HasCert():
		want = rec.Officer()
	case found:
		want = withCert(p, prev).Officer()
	default:
		return nil // no certificate, none held
	}
	// The moment a certificate stops being valid is kept with it: what its
	// holder signed before stands, what they signed after is flagged.
	switch {
	case !found: // a first entry: since when is not known
	case want.Status == prev.Status:
		want.StatusSince = prev.StatusSince
	case want.Status == "" || want.Status == catalog.CertValid:
		want.StatusSince = ""
	default:
		want.StatusSince = r.Now().UTC().Format(time.RFC3339Nano)
	}
	switch {
	case found && want == prev && withdrawn == !p.Active:
		return nil // as it stands: no change for the feed
	case p.Active:
		return r.Lists.Publish(ctx, tx, []catalog.Item{&want}, nil)
	case !found || want != prev:
		if err := r.Lists.Publish(ctx, tx, []catalog.Item{&want}, nil); err != nil {
			return err
		}
	}
	if err := r.Lists.Withdraw(ctx, tx, catalog.KindOfficer, p.ID); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return nil
}
