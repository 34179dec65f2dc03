package people

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"sort"
	"strconv"
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

// ImportResult is what an import did.
type ImportResult struct {
	Agencies int `json:"agencies"` // agencies written
	People   int `json:"people"`   // people written
	// Added are the people new to the platform, by id: those who need an
	// activation code.
	Added []string `json:"added"`
	// Deactivated were active and are not any more (是否在岗 = 否).
	Deactivated []string `json:"deactivated"`
}

// column is one column an import may have: the field it fills and the
// names a header may give it, the first being the one errors name when
// the column is missing.
type column struct {
	field string
	names []string
}

// The people's table (sheet 人员). A person's id is 编号 (工号), or the
// certificate number when the sheet has no id column or leaves it empty.
var personColumns = []column{
	{"id", []string{"编号", "工号", "人员编号", "证件号/工号", "id"}},
	{"name", []string{"姓名", "name"}},
	{"gender", []string{"性别", "gender"}},
	{"agency", []string{"执法主体代码", "执法主体", "机关代码", "agency"}},
	{"unit", []string{"所属单位", "单位", "unit"}},
	{"position", []string{"职务", "position"}},
	{"staffing", []string{"编制", "编制性质", "staffing"}},
	{"role", []string{"角色", "role"}},
	{"qualification", []string{"资格", "法律职业资格", "qualification"}},
	{"cert_no", []string{"执法证号", "证件号", "行政执法证号", "cert_no"}},
	{"issuer", []string{"发证机关", "issuer"}},
	{"status", []string{"证件状态", "status"}},
	{"valid_until", []string{"有效期至", "valid_until"}},
	{"region", []string{"执法区域", "region"}},
	{"active", []string{"是否在岗", "在岗", "active"}},
	{"photo", []string{"照片", "照片文件", "photo"}}, // a file in the uploaded ZIP (importzip.go)
}

// The agencies' table (sheet 执法主体): what the seed requires public of
// each enforcement body, its duties and powers and where to complain.
var agencyColumns = []column{
	{"code", []string{"执法主体代码", "代码", "机关代码", "code"}},
	{"name", []string{"名称", "执法主体名称", "机关名称", "name"}},
	{"short", []string{"简称", "short"}},
	{"phone", []string{"咨询电话", "电话", "联系电话", "phone"}},
	{"address", []string{"地址", "办公地址", "address"}},
	{"complaint_phone", []string{"投诉电话", "投诉举报电话", "complaint_phone"}},
	{"remedy_channels", []string{"救济渠道", "救济途径", "remedy_channels"}},
	{"duties", []string{"职责", "duties"}},
	{"powers", []string{"权限", "职权", "powers"}},
}

var (
	personNeed = []string{"name", "agency", "role"} // and id or cert_no
	agencyNeed = []string{"code", "name", "complaint_phone", "remedy_channels", "duties", "powers"}
)

// Sheet names a workbook's tables may have; any other sheet (a note for
// whoever fills it in) is left alone, unless its header says what it is.
var (
	personSheets = []string{"人员", "people"}
	agencySheets = []string{"执法主体", "agencies"}
)

// Import reads people and agencies from a CSV file or an Excel workbook
// and writes them all, or nothing. A workbook holds a sheet 人员 and/or a
// sheet 执法主体 (otherwise each sheet is taken for what its header says);
// a CSV file holds one table: people if its header has 角色, agencies if
// it has 职责. Every row is checked first (empty required cells, unknown
// role, agency or qualification, duplicate id, bad date, an officer
// without a certificate, …); if any is bad the result is an
// *sheet.ImportError naming each one by sheet, row and column, in
// Chinese, and nothing is written. Then agencies, people and the
// certificate holders' entries in the public officers list are written in
// one transaction. A person the file leaves out stays as they are; one
// whose 是否在岗 says 否 is deactivated.
func (r *Room) Import(ctx context.Context, filename string, data []byte) (ImportResult, error) {
	return r.ImportFor(ctx, "", filename, data)
}

// ImportFor is Import for an administrator held to one agency (agency
// not ""): every row must be of that agency — a person whose 执法主体代码
// is another's, or who is another agency's on the platform now, and an
// agency row of another code are bad rows (other_agency), and the whole
// file is refused as for any bad row.
func (r *Room) ImportFor(ctx context.Context, agency, filename string, data []byte) (res ImportResult, err error) {
	defer wrap.Err(&err, "import people from %s", filename)
	var z *photoZip
	if isPhotoZip(filename) {
		unpacked, err := readPhotoZip(data)
		if err != nil {
			return res, err
		}
		z, filename, data = &unpacked, unpacked.sheetName, unpacked.sheet
	}
	tables, err := sheet.Read(filename, data)
	if err != nil {
		return res, err
	}
	var (
		bad      []sheet.RowError
		agencies []agencyRow
		persons  []personRow
		found    bool
	)
	for _, t := range tables {
		switch tableKind(t) {
		case "people":
			found = true
			p, b := parsePeople(t)
			persons, bad = append(persons, p...), append(bad, b...)
		case "agencies":
			found = true
			a, b := parseAgencies(t)
			agencies, bad = append(agencies, a...), append(bad, b...)
		}
	}
	if !found {
		return res, &sheet.ImportError{Rows: []sheet.RowError{{Reason: words.L("platform.people.no_table"), Code: "no_table"}}}
	}
	if agency != "" {
		other := func(sheetName string, row int, column string) sheet.RowError {
			return sheet.RowError{Sheet: sheetName, Row: row, Column: column, Code: "other_agency",
				Reason: words.L("platform.people.other_agency", map[string]any{"Agency": agency})}
		}
		for _, p := range persons {
			if p.rec.Agency != "" && p.rec.Agency != agency && !p.bad["agency"] {
				p.bad["agency"] = true
				bad = append(bad, other(p.sheet, p.row, p.header("agency")))
			}
		}
		for _, a := range agencies {
			if a.Code != agency {
				bad = append(bad, other(a.sheet, a.row, a.codeHeader))
			}
		}
	}
	photos, badPhotos := photosOf(persons, z)
	bad = append(bad, badPhotos...)
	res.Added, res.Deactivated = []string{}, []string{}
	err = r.DB.Tx(ctx, func(tx *sqldb.Tx) error {
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
		for _, a := range agencies {
			codes[a.Code] = true
		}
		for _, p := range persons {
			if agency != "" && !p.bad["agency"] {
				prev, err := getTx(ctx, tx, p.rec.ID)
				switch {
				case err == nil && prev.Agency != agency:
					p.bad["agency"] = true
					bad = append(bad, sheet.RowError{Sheet: p.sheet, Row: p.row, Column: p.header("id"), Code: "other_agency",
						Reason: words.L("platform.people.other_agency_now", map[string]any{"Agency": prev.Agency})})
				case err != nil && !errors.Is(err, ErrNoPerson):
					return err
				}
			}
			for _, b := range CheckRecord(p.rec, codes) {
				if p.bad[b.Field] {
					continue // named already, as the cell was written
				}
				bad = append(bad, sheet.RowError{Sheet: p.sheet, Row: p.row, Column: p.header(b.Field), Reason: b.Reason(), Code: b.Code})
			}
		}
		if len(bad) > 0 {
			order := map[string]int{}
			for i, t := range tables {
				order[t.Name] = i
			}
			sort.SliceStable(bad, func(i, j int) bool {
				if a, b := order[bad[i].Sheet], order[bad[j].Sheet]; a != b {
					return a < b
				}
				return bad[i].Row < bad[j].Row
			})
			return &sheet.ImportError{Rows: bad}
		}
		var list []catalog.Agency
		for _, a := range agencies {
			list = append(list, a.Agency)
		}
		if len(list) > 0 {
			if err := r.Lists.Publish(ctx, tx, nil, list); err != nil {
				return err
			}
		}
		for i, p := range persons {
			prev, err := getTx(ctx, tx, p.rec.ID)
			switch {
			case errors.Is(err, ErrNoPerson):
				res.Added = append(res.Added, p.rec.ID)
			case err != nil:
				return err
			case prev.Active && !p.rec.Active:
				res.Deactivated = append(res.Deactivated, p.rec.ID)
			}
			if err := r.putTx(ctx, tx, p.rec); err != nil {
				return err
			}
			if ph, ok := photos[i]; ok {
				if err := r.setPhotoTx(ctx, tx, p.rec.ID, ph); err != nil {
					return err
				}
			}
		}
		res.Agencies, res.People = len(agencies), len(persons)
		return nil
	})
	return res, err
}

// tableKind says what a table holds: "people", "agencies" or "".
func tableKind(t sheet.Table) string {
	name := strings.ToLower(strings.TrimSpace(t.Name))
	switch {
	case known(personSheets, name):
		return "people"
	case known(agencySheets, name):
		return "agencies"
	case len(t.Rows) == 0:
		return ""
	}
	fields := map[string]bool{}
	for _, h := range t.Rows[0] {
		for _, set := range [][]column{personColumns, agencyColumns} {
			if f := fieldOf(set, h); f != "" {
				fields[f] = true
			}
		}
	}
	switch {
	case fields["role"]:
		return "people"
	case fields["duties"] || fields["powers"] || fields["remedy_channels"]:
		return "agencies"
	}
	return ""
}

// cleanHeader is a header cell as compared: no byte-order mark, spaces or
// required-column star, nothing from a bracket on (角色（执法人员/…）),
// lower case.
func cleanHeader(h string) string {
	h = strings.TrimPrefix(h, "\ufeff")
	if i := strings.IndexAny(h, "(（"); i > 0 {
		h = h[:i]
	}
	h = strings.NewReplacer(" ", "", "\u3000", "", "*", "", "＊", "").Replace(h)
	return strings.ToLower(strings.TrimSpace(h))
}

func fieldOf(cols []column, header string) string {
	h := cleanHeader(header)
	for _, c := range cols {
		for _, n := range c.names {
			if h == strings.ToLower(n) {
				return c.field
			}
		}
	}
	return ""
}

func firstName(cols []column, field string) string {
	for _, c := range cols {
		if c.field == field {
			return c.names[0]
		}
	}
	return field
}

// table is a sheet's rows as cells by field, each with its row number.
type table struct {
	sheet   string
	headers map[string]string // field → the header as written
	rows    []tableRow
}

type tableRow struct {
	n     int
	cells map[string]string
}

// readTable maps a table's header to fields and its rows to cells; bad
// are the header's faults (an unknown or repeated column, a missing one)
// and rows whose cells do not line up with it.
func readTable(t sheet.Table, cols []column, need []string) (tb table, bad []sheet.RowError) {
	tb = table{sheet: t.Name, headers: map[string]string{}}
	rowErr := func(row int, col, code string, data ...map[string]any) {
		bad = append(bad, sheet.RowError{Sheet: t.Name, Row: row, Column: col, Reason: words.L("platform.people."+code, data...), Code: code})
	}
	if len(t.Rows) == 0 {
		rowErr(1, "", "no_header")
		return tb, bad
	}
	header := t.Rows[0]
	fields := make([]string, len(header))
	for i, h := range header {
		if strings.TrimSpace(h) == "" {
			continue
		}
		f := fieldOf(cols, h)
		switch {
		case f == "":
			rowErr(1, strings.TrimSpace(h), "unknown_column")
		case tb.headers[f] != "":
			rowErr(1, strings.TrimSpace(h), "duplicate_column", map[string]any{"Other": tb.headers[f]})
		default:
			fields[i] = f
			tb.headers[f] = strings.TrimSpace(h)
		}
	}
	for _, f := range need {
		if tb.headers[f] == "" {
			rowErr(1, firstName(cols, f), "missing_column")
		}
	}
	for i, rec := range t.Rows[1:] {
		n := i + 2
		cells := map[string]string{}
		empty := true
		for j, v := range rec {
			v = strings.TrimSpace(v)
			empty = empty && v == ""
			if j < len(fields) && fields[j] != "" {
				cells[fields[j]] = v
			}
		}
		if empty {
			continue // a blank line
		}
		if t.Name == "" && len(rec) != len(header) || len(rec) > len(header) && strings.TrimSpace(strings.Join(rec[len(header):], "")) != "" {
			rowErr(n, "", "bad_cells", map[string]any{"N": len(rec), "M": len(header)})
			continue
		}
		tb.rows = append(tb.rows, tableRow{n: n, cells: cells})
	}
	return tb, bad
}

type personRow struct {
	sheet     string
	row       int
	rec       Record
	photoFile string // the 照片 cell: a file in the uploaded ZIP
	headers   map[string]string
	bad       map[string]bool // fields already reported
}

func (p personRow) header(field string) string {
	if h := p.headers[field]; h != "" {
		return h
	}
	return firstName(personColumns, field)
}

type agencyRow struct {
	catalog.Agency
	sheet      string
	row        int
	codeHeader string // the code's column as the sheet names it
}

// parsePeople reads the people's table: cells as written in Chinese (角
// 色 执法人员, 证件状态 有效, 是否在岗 否, 有效期至 2027年6月30日) become
// the record's values; what cannot be read is reported here, the rest of
// the checks are CheckRecord's.
func parsePeople(t sheet.Table) (out []personRow, bad []sheet.RowError) {
	tb, bad := readTable(t, personColumns, personNeed)
	if tb.headers["id"] == "" && tb.headers["cert_no"] == "" {
		bad = append(bad, sheet.RowError{Sheet: t.Name, Row: 1, Column: firstName(personColumns, "id") + "/" + firstName(personColumns, "cert_no"),
			Reason: words.L("platform.people.missing_column"), Code: "missing_column"})
	}
	if hasHeaderFault(bad) {
		return nil, bad
	}
	seen, seenCert := map[string]int{}, map[string]int{}
	for _, row := range tb.rows {
		p := personRow{sheet: t.Name, row: row.n, headers: tb.headers, bad: map[string]bool{}}
		report := func(field, code string, data ...map[string]any) {
			p.bad[field] = true
			bad = append(bad, sheet.RowError{Sheet: t.Name, Row: row.n, Column: p.header(field),
				Reason: words.L("platform.people."+code, data...), Code: code})
		}
		for f, v := range row.cells {
			if ptr := p.rec.field(f); ptr != nil {
				*ptr = v
			}
		}
		if p.rec.ID == "" {
			p.rec.ID = p.rec.CertNo
		}
		p.photoFile = row.cells["photo"]
		p.rec.Role = roleOf(p.rec.Role)
		if p.rec.Role != "" && api.RoleDevice(p.rec.Role) == "" {
			report("role", "bad_role")
		}
		p.rec.Qualification = qualificationOf(p.rec.Qualification)
		p.rec.Status = statusOf(p.rec.Status)
		if v := p.rec.ValidUntil; v != "" {
			if d, ok := sheet.Date(v); ok {
				p.rec.ValidUntil = d
			} else {
				report("valid_until", "bad_date")
			}
		}
		active, ok := activeOf(row.cells["active"])
		if !ok {
			report("active", "bad_active")
		}
		p.rec.Active = active
		if prev, dup := seen[p.rec.ID]; dup && p.rec.ID != "" {
			report("id", "duplicate_id", map[string]any{"Row": prev})
		} else {
			seen[p.rec.ID] = row.n
		}
		if prev, dup := seenCert[p.rec.CertNo]; dup && p.rec.CertNo != "" {
			report("cert_no", "duplicate_cert", map[string]any{"Row": prev})
		} else {
			seenCert[p.rec.CertNo] = row.n
		}
		out = append(out, p)
	}
	return out, bad
}

// hasHeaderFault says whether a table's header is wrong, which makes its
// rows unreadable.
func hasHeaderFault(bad []sheet.RowError) bool {
	for _, b := range bad {
		if b.Row == 1 {
			return true
		}
	}
	return false
}

func parseAgencies(t sheet.Table) (out []agencyRow, bad []sheet.RowError) {
	tb, bad := readTable(t, agencyColumns, agencyNeed)
	if hasHeaderFault(bad) {
		return nil, bad
	}
	seen := map[string]int{}
	for _, row := range tb.rows {
		c := row.cells
		a := agencyRow{sheet: t.Name, row: row.n, codeHeader: tb.headers["code"], Agency: catalog.Agency{Code: c["code"], Name: c["name"], Short: c["short"], Phone: c["phone"],
			Address: c["address"], ComplaintPhone: c["complaint_phone"], RemedyChannels: c["remedy_channels"],
			Duties: c["duties"], Powers: c["powers"]}}
		report := func(field, code string, data ...map[string]any) {
			h := tb.headers[field]
			if h == "" {
				h = firstName(agencyColumns, field)
			}
			bad = append(bad, sheet.RowError{Sheet: t.Name, Row: row.n, Column: h, Reason: words.L("platform.people."+code, data...), Code: code})
		}
		for _, f := range agencyNeed {
			if c[f] == "" {
				report(f, "empty")
			}
		}
		if prev, dup := seen[a.Code]; dup && a.Code != "" {
			report("code", "duplicate_id", map[string]any{"Row": prev})
		} else {
			seen[a.Code] = row.n
		}
		out = append(out, a)
	}
	return out, bad
}

// roleOf reads a role as a sheet gives it: its Chinese name (执法人员, 法制
// 审核人员, 窗口工作人员, 自助终端管理员) or its key. Anything else is
// returned as written, for CheckRecord to refuse.
func roleOf(s string) string {
	for _, r := range []string{api.RoleOfficer, api.RoleReviewer, api.RoleStaff, api.RoleKioskAdmin} {
		if s == r || s == words.L("role."+r) {
			return r
		}
	}
	switch s {
	case "法制审核", "法制审核员":
		return api.RoleReviewer
	case "窗口人员", "窗口":
		return api.RoleStaff
	case "终端管理员":
		return api.RoleKioskAdmin
	}
	return strings.ToLower(s)
}

func qualificationOf(s string) string {
	switch s {
	case "国家统一法律职业资格", "法律职业资格", "国家法律职业资格":
		return review.QualLegalProfessional
	case "专职法制员", "法制员":
		return review.QualDesignated
	}
	return s
}

func statusOf(s string) string {
	switch s {
	case "有效", "正常":
		return catalog.CertValid
	case "暂扣", "已暂扣":
		return catalog.CertSuspended
	case "注销", "已注销", "吊销", "已吊销":
		return catalog.CertRevoked
	}
	return strings.ToLower(s)
}

// activeOf reads 是否在岗: empty is yes (the row names a person in post).
func activeOf(s string) (active, ok bool) {
	switch strings.ToLower(s) {
	case "", "是", "在岗", "y", "yes", "true", "1":
		return true, true
	case "否", "离岗", "不在岗", "n", "no", "false", "0":
		return false, true
	}
	if b, err := strconv.ParseBool(s); err == nil {
		return b, true
	}
	return true, false
}

// Code is a one-time activation code issued for a person.
type Code struct {
	Person  string    `json:"id"`
	Name    string    `json:"name"`
	Code    string    `json:"code"`
	Expires time.Time `json:"expires"`
}

// IssueCodes makes a one-time activation code for each of the people (the
// ones an import added, say) who is active, to print or hand out.
func (r *Room) IssueCodes(ctx context.Context, ids []string) (_ []Code, err error) {
	defer wrap.Err(&err, "issue activation codes")
	out := []Code{}
	for _, id := range ids {
		p, err := r.Get(ctx, id)
		if err != nil {
			return out, err
		}
		if !p.Active {
			continue
		}
		code, exp, err := r.NewActivationCode(ctx, id)
		if err != nil {
			return out, err
		}
		out = append(out, Code{Person: id, Name: p.Name, Code: code, Expires: exp})
	}
	return out, nil
}

// CodesCSV is codes as a CSV file Excel opens (UTF-8 with a byte-order
// mark), headed in Chinese: 编号, 姓名, 激活码, 有效期至.
func CodesCSV(codes []Code) []byte {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	w.Write([]string{words.L("platform.people.col.id"), words.L("platform.people.col.name"),
		words.L("platform.people.col.code"), words.L("platform.people.col.expires")})
	for _, c := range codes {
		w.Write([]string{c.Person, c.Name, c.Code, c.Expires.In(beijing).Format("2006-01-02 15:04")})
	}
	w.Flush()
	return b.Bytes()
}

// beijing is the time printed codes expire in: the city's.
var beijing = time.FixedZone("CST", 8*3600)
