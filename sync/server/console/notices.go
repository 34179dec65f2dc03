package console

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
)

// 通报 → 整改 → 复查 (issue 24, part 3): the city's legal-affairs office
// issues a numbered notice (通报〔2026〕3号) about a case or an agency —
// the finding, its legal basis, the deadline and what must be done; the
// agency's administrator answers with a rectification report (整改报告)
// and its attachments; the office re-checks it (复查), passing it or
// returning it with its reasons, and may record accountability (问责).
// Every step is a row appended to notice_steps; the state is read from
// them and no table takes an UPDATE or a DELETE. A notice past its
// deadline without a passed report is overdue, by the platform's clock.
// An agency's side sees its own agency's notices only (another's is not
// found); only the city's side issues and re-checks, only the agency's
// side reports.

// A notice's states, read from its steps.
const (
	NoticePending  = "pending"  // 待整改: no report yet
	NoticeReported = "reported" // 已报告: a report waits for its re-check
	NoticeReturned = "returned" // 退回: the re-check sent it back; report again
	NoticePassed   = "passed"   // 已通过: closed
)

// NoticeStates lists the states in the order of the work.
var NoticeStates = []string{NoticePending, NoticeReported, NoticeReturned, NoticePassed}

// The kinds of step of a notice.
const (
	StepReport         = "report"         // 整改报告, by the agency
	StepPass           = "pass"           // 复查通过, by the city
	StepReturn         = "return"         // 复查退回, by the city, with reasons
	StepAccountability = "accountability" // 问责, by the city
)

// Limits of a notice's text and attachments.
const (
	MaxNoticeText  = 4000    // characters in one field
	MaxNoticeFiles = 5       // attachments to one report
	MaxNoticeFile  = 3 << 20 // bytes in one attachment
)

// Errors of the notices; each has its own status and code (NoticeRefusal).
var (
	ErrNoNotice       = errors.New("no such notice")
	ErrNoticeRole     = errors.New("this side may not take this step: the city's office issues and re-checks, the agency reports")
	ErrNoticeTarget   = errors.New("a notice is about a case (device and case) or an agency")
	ErrNoticeCase     = errors.New("the platform holds no such case")
	ErrNoticeAgency   = errors.New("no such agency")
	ErrNoticeFinding  = errors.New("a notice says what was found")
	ErrNoticeBasis    = errors.New("a notice gives its legal basis")
	ErrNoticeDeadline = errors.New("a notice's deadline is a date (YYYY-MM-DD), not before today")
	ErrNoticeLong     = errors.New("a notice's text is too long, or not UTF-8")
	ErrNoticeReport   = errors.New("a rectification report says what was done")
	ErrNoticeReasons  = errors.New("a return gives its reasons")
	ErrNoticeDecision = errors.New("a re-check passes or returns")
	ErrNoticeWho      = errors.New("accountability names who is held to account and the measure")
	ErrNoticePassed   = errors.New("the notice is passed and closed")
	ErrNoticeReported = errors.New("a report waits for its re-check")
	ErrNoticeNoReport = errors.New("there is no report to re-check")
	ErrNoticeFileType = errors.New("an attachment is a PDF, JPEG, PNG, DOCX or XLSX file, judged by its content")
	ErrNoticeFileSize = errors.New("an attachment is too large, empty, or there are too many")
	ErrNoticeNoFile   = errors.New("no such attachment")
)

// noticeCodes are the notices' refusals with their status and code: the
// console and the API answer them alike.
var noticeCodes = []struct {
	err    error
	status int
	code   string
}{
	{ErrNoNotice, 404, "no_notice"},
	{ErrNoticeNoFile, 404, "no_notice_file"},
	{ErrNoticeRole, 403, "notice_role"},
	{ErrNoticeTarget, 422, "notice_target"},
	{ErrNoticeCase, 422, "notice_case"},
	{ErrNoticeAgency, 422, "notice_agency"},
	{ErrNoticeFinding, 422, "notice_finding"},
	{ErrNoticeBasis, 422, "notice_basis"},
	{ErrNoticeDeadline, 422, "notice_deadline"},
	{ErrNoticeLong, 422, "notice_long"},
	{ErrNoticeReport, 422, "notice_report"},
	{ErrNoticeReasons, 422, "notice_reasons"},
	{ErrNoticeDecision, 422, "notice_decision"},
	{ErrNoticeWho, 422, "notice_who"},
	{ErrNoticeFileType, 415, "notice_file_type"},
	{ErrNoticeFileSize, 413, "notice_file_size"},
	{ErrNoticePassed, 409, "notice_passed"},
	{ErrNoticeReported, 409, "notice_reported"},
	{ErrNoticeNoReport, 409, "notice_no_report"},
}

// NoticeRefusal is the status and code of a notice's refusal err; ok is
// false for any other error.
func NoticeRefusal(err error) (status int, code string, ok bool) {
	for _, c := range noticeCodes {
		if errors.Is(err, c.err) {
			return c.status, c.code, true
		}
	}
	return 0, "", false
}

// NoticeCodes lists every code NoticeRefusal answers (for the words' check).
func NoticeCodes() []string {
	var out []string
	for _, c := range noticeCodes {
		out = append(out, c.code)
	}
	return out
}

// Notice is one notice with its steps.
type Notice struct {
	ID         string // YEAR-SEQ
	Year, Seq  int
	Agency     string
	AgencyName string
	Device     string // the case's device, "" for a notice about the agency
	Case       string
	Finding    string
	Basis      string
	Actions    string
	Deadline   string // YYYY-MM-DD
	IssuedAt   string
	Issuer     string
	IssuerRole string
	Steps      []NoticeStep
	// State and Overdue as of the clock it was read with.
	State   string
	Overdue bool
}

// Number is the notice's document number, 通报〔2026〕3号: a document's
// number is written the same in every language.
func (n Notice) Number() string { return fmt.Sprintf("通报〔%d〕%d号", n.Year, n.Seq) }

// NoticeStep is one step after a notice.
type NoticeStep struct {
	N               int
	Kind            string
	At, Actor, Role string
	Text            string
	Who, Measure    string
	Files           []NoticeFile
}

// NoticeFile is one attachment of a report.
type NoticeFile struct {
	SHA256, Name, Type string
	Size               int64
}

// NoticeUpload is an attachment as sent.
type NoticeUpload struct {
	Name string
	Data []byte
}

// NewNotice is what the city's office issues.
type NewNotice struct {
	Agency         string // for a notice about an agency
	Device, Case   string // for a notice about a case
	Finding, Basis string
	Actions        string
	Deadline       string
}

// NoticeFilter selects notices: Agency is the side's scope ("" every
// agency) and Of a chosen agency within it; State one of NoticeStates
// ("" any); Overdue only overdue ones; Device a case device's.
type NoticeFilter struct {
	Agency, Of, State, Device string
	Overdue                   bool
}

// NoticeCount is how many notices a list holds, by state, and overdue.
type NoticeCount struct {
	All, Overdue int
	States       map[string]int
}

func (c *Room) today() string { return c.Now().In(time.Local).Format(time.DateOnly) }

// settle reads a notice's state from its steps and whether it is overdue
// on today: past its deadline without a passed report.
func (n *Notice) settle(today string) {
	n.State = NoticePending
	for _, s := range n.Steps {
		switch s.Kind {
		case StepReport:
			n.State = NoticeReported
		case StepReturn:
			n.State = NoticeReturned
		case StepPass:
			n.State = NoticePassed
		}
	}
	n.Overdue = n.State != NoticePassed && today > n.Deadline
}

func checkText(required error, s string) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxNoticeText {
		return s, ErrNoticeLong
	}
	if s == "" && required != nil {
		return s, required
	}
	return s, nil
}

// IssueNotice issues a notice for the city's side (agency "" — an agency's
// side is refused), by actor in role, numbered next in the year.
func (c *Room) IssueNotice(ctx context.Context, agency string, nn NewNotice, actor, role string) (_ Notice, err error) {
	defer wrap.Err(&err, "issue a notice")
	if agency != "" {
		return Notice{}, ErrNoticeRole
	}
	n := Notice{Device: strings.TrimSpace(nn.Device), Case: strings.TrimSpace(nn.Case), Agency: strings.TrimSpace(nn.Agency), Issuer: actor, IssuerRole: role}
	if n.Finding, err = checkText(ErrNoticeFinding, nn.Finding); err != nil {
		return Notice{}, err
	}
	if n.Basis, err = checkText(ErrNoticeBasis, nn.Basis); err != nil {
		return Notice{}, err
	}
	if n.Actions, err = checkText(nil, nn.Actions); err != nil {
		return Notice{}, err
	}
	n.Deadline = strings.TrimSpace(nn.Deadline)
	if _, perr := time.Parse(time.DateOnly, n.Deadline); perr != nil || n.Deadline < c.today() {
		return Notice{}, fmt.Errorf("%w: %q", ErrNoticeDeadline, n.Deadline)
	}
	switch {
	case n.Device != "" && n.Case != "":
		err := c.DB.QueryRowContext(ctx, `SELECT agency FROM cases WHERE device = ? AND case_id = ?`, n.Device, n.Case).Scan(&n.Agency)
		if errors.Is(err, sql.ErrNoRows) {
			return Notice{}, fmt.Errorf("%w: %s/%s", ErrNoticeCase, n.Device, n.Case)
		}
		if err != nil {
			return Notice{}, err
		}
	case n.Device == "" && n.Case == "" && n.Agency != "":
		known := false
		if c.Agencies != nil {
			as, err := c.Agencies(ctx)
			if err != nil {
				return Notice{}, err
			}
			known = slices.ContainsFunc(as, func(a catalog.Agency) bool { return a.Code == n.Agency })
		}
		if !known {
			return Notice{}, fmt.Errorf("%w: %q", ErrNoticeAgency, n.Agency)
		}
	default:
		return Notice{}, ErrNoticeTarget
	}
	now := c.Now()
	n.Year, n.IssuedAt = now.In(time.Local).Year(), now.UTC().Format(time.RFC3339)
	err = c.DB.Tx(ctx, func(t *sqldb.Tx) error {
		if err := t.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) + 1 FROM notices WHERE year = ?`, n.Year).Scan(&n.Seq); err != nil {
			return err
		}
		n.ID = strconv.Itoa(n.Year) + "-" + strconv.Itoa(n.Seq)
		_, err := t.ExecContext(ctx, `INSERT INTO notices (id, year, seq, agency, device, case_id, finding, basis, actions, deadline, issued_at, issuer, issuer_role)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, n.ID, n.Year, n.Seq, n.Agency, n.Device, n.Case, n.Finding, n.Basis, n.Actions,
			n.Deadline, n.IssuedAt, actor, role)
		return err
	})
	if err != nil {
		return Notice{}, err
	}
	return c.Notice(ctx, "", n.ID)
}

// Notices lists the notices f selects, overdue first, then by deadline,
// with how many of each state and how many overdue.
func (c *Room) Notices(ctx context.Context, f NoticeFilter) (_ []Notice, _ NoticeCount, err error) {
	defer wrap.Err(&err, "list notices")
	count := NoticeCount{States: map[string]int{}}
	all, err := c.readNotices(ctx, `(? = '' OR agency = ?) AND (? = '' OR agency = ?) AND (? = '' OR device = ?)`,
		f.Agency, f.Agency, f.Of, f.Of, f.Device, f.Device)
	if err != nil {
		return nil, count, err
	}
	out := []Notice{}
	for _, n := range all {
		count.All++
		count.States[n.State]++
		if n.Overdue {
			count.Overdue++
		}
		if (f.State == "" || n.State == f.State) && (!f.Overdue || n.Overdue) {
			out = append(out, n)
		}
	}
	slices.SortStableFunc(out, func(a, b Notice) int {
		switch {
		case a.Overdue != b.Overdue && a.Overdue:
			return -1
		case a.Overdue != b.Overdue:
			return 1
		case a.State == NoticePassed && b.State != NoticePassed:
			return 1
		case b.State == NoticePassed && a.State != NoticePassed:
			return -1
		case a.Deadline != b.Deadline:
			return strings.Compare(a.Deadline, b.Deadline)
		}
		return strings.Compare(b.IssuedAt, a.IssuedAt)
	})
	return out, count, nil
}

// Notice is one notice with its steps; ErrNoNotice if there is none with
// id, or it is of another agency than agency (when not "").
func (c *Room) Notice(ctx context.Context, agency, id string) (_ Notice, err error) {
	defer wrap.Err(&err, "notice "+id)
	list, err := c.readNotices(ctx, `id = ? AND (? = '' OR agency = ?)`, id, agency, agency)
	if err != nil {
		return Notice{}, err
	}
	if len(list) == 0 {
		return Notice{}, fmt.Errorf("%w: %s", ErrNoNotice, id)
	}
	return list[0], nil
}

func (c *Room) readNotices(ctx context.Context, cond string, args ...any) ([]Notice, error) {
	rows, err := c.DB.QueryContext(ctx, `SELECT id, year, seq, agency, device, case_id, finding, basis, actions, deadline, issued_at, issuer, issuer_role
		FROM notices WHERE `+cond+` ORDER BY year, seq`, args...)
	if err != nil {
		return nil, err
	}
	list := []Notice{}
	index := map[string]int{}
	for rows.Next() {
		var n Notice
		if err := rows.Scan(&n.ID, &n.Year, &n.Seq, &n.Agency, &n.Device, &n.Case, &n.Finding, &n.Basis, &n.Actions, &n.Deadline,
			&n.IssuedAt, &n.Issuer, &n.IssuerRole); err != nil {
			rows.Close()
			return nil, err
		}
		n.Steps = []NoticeStep{}
		index[n.ID] = len(list)
		list = append(list, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return list, nil
	}
	// The steps and attachments of the notices read, in two queries.
	ids := make([]any, 0, len(list))
	for _, n := range list {
		ids = append(ids, n.ID)
	}
	in := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
	rows, err = c.DB.QueryContext(ctx, `SELECT notice, n, kind, at, actor, role, text, who, measure FROM notice_steps WHERE notice IN (`+in+`) ORDER BY notice, n`, ids...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id string
		var s NoticeStep
		if err := rows.Scan(&id, &s.N, &s.Kind, &s.At, &s.Actor, &s.Role, &s.Text, &s.Who, &s.Measure); err != nil {
			rows.Close()
			return nil, err
		}
		list[index[id]].Steps = append(list[index[id]].Steps, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = c.DB.QueryContext(ctx, `SELECT notice, n, sha256, name, type, size FROM notice_attachments WHERE notice IN (`+in+`) ORDER BY notice, n, i`, ids...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id string
		var n int
		var f NoticeFile
		if err := rows.Scan(&id, &n, &f.SHA256, &f.Name, &f.Type, &f.Size); err != nil {
			rows.Close()
			return nil, err
		}
		steps := list[index[id]].Steps
		if i := slices.IndexFunc(steps, func(s NoticeStep) bool { return s.N == n }); i >= 0 {
			steps[i].Files = append(steps[i].Files, f)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	today := c.today()
	names := map[string]string{}
	for i := range list {
		list[i].settle(today)
		a := list[i].Agency
		if _, ok := names[a]; !ok {
			names[a] = c.agencyName(ctx, a)
		}
		list[i].AgencyName = names[a]
	}
	return list, nil
}

// noticeFileType judges an attachment by its content: a PDF, a JPEG, a
// PNG, or an Office Open XML document (DOCX) or workbook (XLSX), which
// are ZIP files holding word/document.xml or xl/workbook.xml.
func noticeFileType(b []byte) (string, error) {
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "application/pdf", nil
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg", nil
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png", nil
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return "", fmt.Errorf("%w: not a readable ZIP: %v", ErrNoticeFileType, err)
		}
		for _, f := range z.File {
			switch f.Name {
			case "word/document.xml":
				return "application/vnd.openxmlformats-officedocument.wordprocessingml.document", nil
			case "xl/workbook.xml":
				return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", nil
			}
		}
	}
	return "", ErrNoticeFileType
}

// cleanName keeps an uploaded file's own name, without any folder, at
// most 120 characters.
func cleanName(name string) string {
	name = path.Base(strings.ReplaceAll(strings.TrimSpace(name), `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, name)
	if !utf8.ValidString(name) || name == "." || name == "/" || name == "" {
		name = "file"
	}
	if r := []rune(name); len(r) > 120 {
		name = string(r[len(r)-120:])
	}
	return name
}

// step appends a step to notice id in a transaction that first reads the
// notice again and lets allow refuse it by its state.
func (c *Room) step(ctx context.Context, agency, id string, s NoticeStep, files []NoticeUpload, allow func(Notice) error) (_ Notice, err error) {
	type stored struct {
		f    NoticeFile
		data []byte
	}
	var keep []stored
	if len(files) > MaxNoticeFiles {
		return Notice{}, fmt.Errorf("%w: %d files", ErrNoticeFileSize, len(files))
	}
	for _, u := range files {
		if len(u.Data) == 0 || len(u.Data) > MaxNoticeFile {
			return Notice{}, fmt.Errorf("%w: %s (%d bytes)", ErrNoticeFileSize, cleanName(u.Name), len(u.Data))
		}
		typ, err := noticeFileType(u.Data)
		if err != nil {
			return Notice{}, fmt.Errorf("%s: %w", cleanName(u.Name), err)
		}
		sum := sha256.Sum256(u.Data)
		keep = append(keep, stored{NoticeFile{SHA256: hex.EncodeToString(sum[:]), Name: cleanName(u.Name), Type: typ, Size: int64(len(u.Data))}, u.Data})
	}
	n, err := c.Notice(ctx, agency, id)
	if err != nil {
		return Notice{}, err
	}
	if err := allow(n); err != nil {
		return Notice{}, err
	}
	err = c.DB.Tx(ctx, func(t *sqldb.Tx) error {
		// Read again inside the transaction: two answers at once are
		// one after the other, and the second sees the first.
		var last string
		if err := t.QueryRowContext(ctx, `SELECT coalesce(max(n), 0), coalesce((SELECT kind FROM notice_steps WHERE notice = ? AND kind <> ? ORDER BY n DESC LIMIT 1), '')
			FROM notice_steps WHERE notice = ?`, id, StepAccountability, id).Scan(&s.N, &last); err != nil {
			return err
		}
		again := n
		again.Steps = nil
		if last != "" {
			again.Steps = []NoticeStep{{Kind: last}}
		}
		again.settle(c.today())
		if err := allow(again); err != nil {
			return err
		}
		s.N++
		s.At = c.Now().UTC().Format(time.RFC3339)
		if _, err := t.ExecContext(ctx, `INSERT INTO notice_steps (notice, n, kind, at, actor, role, text, who, measure) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, s.N, s.Kind, s.At, s.Actor, s.Role, s.Text, s.Who, s.Measure); err != nil {
			return err
		}
		for i, k := range keep {
			if _, err := t.ExecContext(ctx, `INSERT INTO notice_files (sha256, data) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING`, k.f.SHA256, k.data); err != nil {
				return fmt.Errorf("keep %s: %w", k.f.Name, err)
			}
			if _, err := t.ExecContext(ctx, `INSERT INTO notice_attachments (notice, n, i, sha256, name, type, size) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				id, s.N, i+1, k.f.SHA256, k.f.Name, k.f.Type, k.f.Size); err != nil {
				return fmt.Errorf("attach %s: %w", k.f.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return Notice{}, err
	}
	return c.Notice(ctx, agency, id)
}

// ReportNotice appends the agency's rectification report (text and
// files) to notice id: only an agency's side (agency not ""), of its own
// notices, while nothing waits for a re-check and it is not passed.
func (c *Room) ReportNotice(ctx context.Context, agency, id, text string, files []NoticeUpload, actor, role string) (_ Notice, err error) {
	defer wrap.Err(&err, "report on notice "+id)
	if agency == "" {
		return Notice{}, ErrNoticeRole
	}
	if text, err = checkText(ErrNoticeReport, text); err != nil {
		return Notice{}, err
	}
	return c.step(ctx, agency, id, NoticeStep{Kind: StepReport, Actor: actor, Role: role, Text: text}, files, func(n Notice) error {
		switch n.State {
		case NoticePassed:
			return ErrNoticePassed
		case NoticeReported:
			return ErrNoticeReported
		}
		return nil
	})
}

// RecheckNotice re-checks the report on notice id for the city's side:
// pass closes it, a return (with its reasons) sends it back.
func (c *Room) RecheckNotice(ctx context.Context, agency, id string, pass bool, reasons, actor, role string) (_ Notice, err error) {
	defer wrap.Err(&err, "re-check notice "+id)
	if agency != "" {
		return Notice{}, ErrNoticeRole
	}
	kind, required := StepPass, error(nil)
	if !pass {
		kind, required = StepReturn, ErrNoticeReasons
	}
	if reasons, err = checkText(required, reasons); err != nil {
		return Notice{}, err
	}
	return c.step(ctx, "", id, NoticeStep{Kind: kind, Actor: actor, Role: role, Text: reasons}, nil, func(n Notice) error {
		switch n.State {
		case NoticePassed:
			return ErrNoticePassed
		case NoticePending, NoticeReturned:
			return ErrNoticeNoReport
		}
		return nil
	})
}

// HoldAccountable records accountability (问责) on notice id for the
// city's side: who, and the measure taken; in any state.
func (c *Room) HoldAccountable(ctx context.Context, agency, id, who, measure, actor, role string) (_ Notice, err error) {
	defer wrap.Err(&err, "accountability on notice "+id)
	if agency != "" {
		return Notice{}, ErrNoticeRole
	}
	if who, err = checkText(ErrNoticeWho, who); err != nil {
		return Notice{}, err
	}
	if measure, err = checkText(ErrNoticeWho, measure); err != nil {
		return Notice{}, err
	}
	return c.step(ctx, "", id, NoticeStep{Kind: StepAccountability, Actor: actor, Role: role, Who: who, Measure: measure}, nil,
		func(Notice) error { return nil })
}

// NoticeAttachment reads an attachment of notice id (of agency, when not
// "") by its SHA-256: its name and type as attached, and its bytes.
func (c *Room) NoticeAttachment(ctx context.Context, agency, id, sha string) (_ NoticeFile, _ []byte, err error) {
	defer wrap.Err(&err, "attachment "+sha+" of notice "+id)
	if _, err := c.Notice(ctx, agency, id); err != nil {
		return NoticeFile{}, nil, err
	}
	f := NoticeFile{SHA256: sha}
	var data []byte
	err = c.DB.QueryRowContext(ctx, `SELECT a.name, a.type, a.size, f.data FROM notice_attachments a JOIN notice_files f ON f.sha256 = a.sha256
		WHERE a.notice = ? AND a.sha256 = ? ORDER BY a.n, a.i LIMIT 1`, id, sha).Scan(&f.Name, &f.Type, &f.Size, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return NoticeFile{}, nil, ErrNoticeNoFile
	}
	if err != nil {
		return NoticeFile{}, nil, err
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != sha {
		return NoticeFile{}, nil, fmt.Errorf("stored attachment does not match its SHA-256")
	}
	return f, data, nil
}
