// Package demo makes the demonstration catalog of the fictional city 青禾市
// from the pools in assets/demo. The same size always gives the same data,
// so screenshots, tests and benchmarks see the same lists every run.
package demo

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/draw"
	"github.com/sanxiang-desk/sanxiang/assets"
)

// Size says how much data to make.
type Size struct {
	Officers, Fees, Guides int
}

var (
	// Standard is the demo set: a city of six agencies, 240 officers.
	Standard = Size{Officers: 240}
	// Large is the benchmark set.
	Large = Size{Officers: 100_000, Fees: 10_000, Guides: 10_000}
)

// entry is one named item of an agency's lists, with the provision that
// governs it: basis is 《law》 or 《law》第N条, checked against laws.json.
type entry struct {
	Name      string   `json:"name"`
	Basis     string   `json:"basis"`
	Materials []string `json:"materials"` // guides: what this item asks for
	Fine      [2]int   `json:"fine"`      // penalties: the law's range, yuan
	// Fees: the standard as charged, who pays, and (for national fees) the
	// document that sets it; otherwise a provincial document is drawn.
	Standard   string `json:"standard"`
	Payer      string `json:"payer"`
	Approver   string `json:"approver"`
	DocumentNo string `json:"document_no"`
}

type pools struct {
	City        string   `json:"city"`
	ProvGov     string   `json:"province_government"`
	CityGov     string   `json:"city_government"`
	RegionCode  string   `json:"region_code"`
	Districts   []string `json:"districts"`
	Hall        string   `json:"hall"`
	HallAddr    string   `json:"hall_address"`
	HallWindows int      `json:"hall_windows"`
	OfficeHrs   string   `json:"office_hours"`
	Hotline     string   `json:"complaint_hotline"`
	Agencies    []struct {
		Code, Name, Short, Field, Phone, Address, Issuer string
		Duties, Powers                                   string
		Fees, Guides, Penalties, Coercions, Levies       []entry
		Inspections                                      []entry
		Windows                                          [2]int // first and last window of the agency in the hall
		Parties                                          []string
		Random                                           []struct {
			Target, Content, Basis, Ratio, Method, Frequency string
		}
	} `json:"agencies"`
	Surnames    string   `json:"surnames"`
	GivenMale   string   `json:"given_male"`
	GivenFemale string   `json:"given_female"`
	Staffing    []string `json:"staffing"`
	// Positions are civil-service ranks and posts (行政编制, 参公); staff of
	// 事业编制 hold the post of the same index in InstPositions instead
	// (管理岗位 grades): they hold no civil-service rank.
	Positions     []string          `json:"positions"`
	InstPositions []string          `json:"positions_institution"`
	ReviewMethods []string          `json:"review_methods"`
	Materials     []string          `json:"materials"`
	T             map[string]string `json:"templates"`
	FeeApprovers  [][2]string       `json:"fee_approvers"`
	Remedy        string            `json:"remedy_channels"`
	Facts         []string          `json:"facts"`
	Decisions     []string          `json:"decisions"`
	DocPrefix     map[string]string `json:"doc_prefix"`
}

// Institution is the 编制 whose staff hold no civil-service rank.
const Institution = "事业编制"

func loadPools() (*pools, error) {
	data, err := assets.Demo.ReadFile("demo/city.json")
	if err != nil {
		return nil, err
	}
	p := new(pools)
	if err := json.Unmarshal(data, p); err != nil {
		return nil, fmt.Errorf("demo pools: %w", err)
	}
	return p, nil
}

// fill replaces {name} placeholders in a template from the pools.
func fill(tmpl string, kv ...string) string {
	pairs := make([]string, 0, len(kv))
	for i := 0; i+1 < len(kv); i += 2 {
		pairs = append(pairs, "{"+kv[i]+"}", kv[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(tmpl)
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// LawOf is the 《title》 a basis cites first ("" when it names none).
func LawOf(basis string) string {
	i := strings.Index(basis, "《")
	j := strings.Index(basis, "》")
	if i < 0 || j < i {
		return ""
	}
	return basis[i : j+len("》")]
}

// Dataset makes the catalog of the given size. Zero counts take the natural
// size of the pools (every fee and guide named once per agency).
func Dataset(size Size) (*catalog.Dataset, error) {
	p, err := loadPools()
	if err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(2018, 614)) // the seed's year and month-day: any fixed pair will do
	ds := new(catalog.Dataset)
	gov := p.CityGov
	for _, a := range p.Agencies {
		ds.Agencies = append(ds.Agencies, catalog.Agency{
			Code: a.Code, Name: a.Name, Short: a.Short, Phone: a.Phone, Address: a.Address,
			ComplaintPhone: a.Phone,
			RemedyChannels: fill(p.Remedy, "government", gov, "address", p.HallAddr, "city", p.City, "phone", a.Phone),
			Duties:         a.Duties, Powers: a.Powers,
		})
	}

	// Officers, spread over the agencies in turn.
	surnames := []rune(p.Surnames)
	male, female := []rune(p.GivenMale), []rune(p.GivenFemale)
	seq := make(map[string]int)
	for i := range size.Officers {
		a := p.Agencies[i%len(p.Agencies)]
		seq[a.Code]++
		gender, given := "男", male
		if r.IntN(100) < 38 {
			gender, given = "女", female
		}
		name := string(pick(r, surnames)) + string(pick(r, given))
		if r.IntN(100) < 65 {
			name += string(pick(r, given))
		}
		region := fill(p.T["region_city"], "city", p.City)
		unit := a.Name
		if r.IntN(100) < 60 {
			d := pick(r, p.Districts)
			region = d
			unit = strings.Replace(a.Name, p.City, p.City+d, 1)
		}
		status := catalog.CertValid
		switch n := r.IntN(100); {
		case n < 3:
			status = catalog.CertRevoked
		case n < 5:
			status = catalog.CertSuspended
		}
		cert := fmt.Sprintf("%s%s%06d", p.RegionCode, a.Code, seq[a.Code])
		post := r.IntN(len(p.Positions))
		staffing := pick(r, p.Staffing)
		position := p.Positions[post]
		if staffing == Institution {
			position = p.InstPositions[post%len(p.InstPositions)]
		}
		ds.Officers = append(ds.Officers, catalog.Officer{
			ID: cert, Name: name, Gender: gender, AgencyCode: a.Code, Unit: unit,
			Position: position, Staffing: staffing, Region: region,
			Issuer: a.Issuer, CertNo: cert, Status: status,
			ValidUntil: fmt.Sprintf("%d-%02d-%02d", 2027+r.IntN(4), 1+r.IntN(12), 1+r.IntN(28)),
		})
	}

	// Fees: every agency's fees once, then more by branch until size.Fees.
	var fees []catalog.FeeItem
	for round := 0; ; round++ {
		for _, a := range p.Agencies {
			for _, fe := range a.Fees {
				if size.Fees > 0 && len(fees) >= size.Fees {
					break
				}
				collector := branchOf(p, a.Name, round)
				approver, docNo := fe.Approver, fe.DocumentNo
				if approver == "" {
					ap := pick(r, p.FeeApprovers)
					year := strconv.Itoa(2015 + r.IntN(9))
					approver, docNo = ap[0], fill(ap[1], "y", year, "n", strconv.Itoa(1+r.IntN(180)))
				}
				fees = append(fees, catalog.FeeItem{
					ID: fmt.Sprintf("F%s%05d", a.Code, len(fees)+1), Name: fe.Name, AgencyCode: a.Code,
					Collector: collector, Approver: approver, DocumentNo: docNo,
					Payer: fe.Payer, Scope: fill(p.T["fee_scope"], "city", p.City, "fee", fe.Name),
					Standard: fe.Standard, ComplaintPhone: a.Phone,
				})
			}
		}
		if size.Fees == 0 || len(fees) >= size.Fees {
			break
		}
	}
	ds.Fees = fees

	// Service guides, likewise; licensing items come from the guides.
	var guides []catalog.ServiceGuide
	for round := 0; ; round++ {
		for _, a := range p.Agencies {
			for _, ge := range a.Guides {
				if size.Guides > 0 && len(guides) >= size.Guides {
					break
				}
				impl := branchOf(p, a.Name, round)
				review := pick(r, p.ReviewMethods)
				legal := 20
				promised := 1 + r.IntN(15)
				mats := append(append([]string(nil), ge.Materials...), p.Materials...)
				for i := range mats {
					// No space after the number: wrapping breaks at spaces,
					// and a long item would leave its number alone on a line.
					mats[i] = strconv.Itoa(i+1) + "．" + mats[i]
				}
				window := a.Windows[0] + r.IntN(a.Windows[1]-a.Windows[0]+1)
				guides = append(guides, catalog.ServiceGuide{
					ID: fmt.Sprintf("G%s%05d", a.Code, len(guides)+1), Name: ge.Name, AgencyCode: a.Code,
					Act:         catalog.ActLicensing,
					LegalBasis:  ge.Basis,
					Implementer: impl, Subject: a.Name,
					Conditions:   fill(p.T["conditions"], "law", LawOf(ge.Basis)),
					Materials:    strings.Join(mats, "\n"),
					Procedure:    fill(p.T["procedure"], "review", review),
					TimeLimit:    fill(p.T["time_limit"], "legal", strconv.Itoa(legal), "promised", strconv.Itoa(promised)),
					ReviewMethod: review,
					Supervision:  fill(p.T["supervision"], "government", gov, "agency", a.Name, "phone", a.Phone),
					Remedy:       fill(p.T["remedy"], "government", gov),
					Complaint:    fill(p.T["complaint"], "agency", a.Name, "phone", a.Phone, "address", a.Address),
					OfficeHours:  p.OfficeHrs,
					Location:     fill(p.T["location"], "hall", p.Hall, "address", p.HallAddr, "window", strconv.Itoa(window)),
					Phone:        a.Phone,
				})
			}
		}
		if size.Guides == 0 || len(guides) >= size.Guides {
			break
		}
	}
	ds.Guides = guides

	// Enforcement items across all six acts, from the city-level lists.
	for _, a := range p.Agencies {
		add := func(act catalog.Act, entries []entry) {
			for _, e := range entries {
				ds.Items = append(ds.Items, catalog.EnforcementItem{
					ID: fmt.Sprintf("E%s%04d", a.Code, len(ds.Items)+1), Name: e.Name, AgencyCode: a.Code, Act: act,
					Subject:     a.Name,
					LegalBasis:  e.Basis,
					Implementer: a.Name,
					Responsible: fill(p.T["responsible"], "agency", a.Name, "short", a.Short),
				})
			}
		}
		add(catalog.ActLicensing, a.Guides)
		add(catalog.ActPenalty, a.Penalties)
		add(catalog.ActCoercion, a.Coercions)
		add(catalog.ActLevy, a.Levies)
		add(catalog.ActInspection, a.Inspections)
		add(catalog.ActFee, a.Fees)
		for _, ri := range a.Random {
			ds.Inspections = append(ds.Inspections, catalog.InspectionItem{
				ID:   fmt.Sprintf("R%s%03d", a.Code, len(ds.Inspections)+1),
				Name: fill(p.T["inspection_name"], "target", ri.Target), AgencyCode: a.Code,
				Inspector: a.Name, Basis: ri.Basis, Target: ri.Target, Content: ri.Content,
				Ratio: ri.Ratio, Method: ri.Method, Frequency: ri.Frequency,
			})
		}
	}
	ds.Decisions = decisions(p, r)
	results, err := drawResults(ds)
	if err != nil {
		return nil, err
	}
	ds.Results = results
	return ds, nil
}

// DrawPlan is the demo's random inspection (双随机): made-up shops drawn
// for the first inspection item with a fixed seed, and the results of the
// first shops drawn. The platform makes it as its first draw; the kiosk's
// offline demo lists the same results.
type DrawPlan struct {
	Item    string
	Seed    uint64
	Count   int
	Targets []string
	Results []string // of the first tasks, in order
	DrawnOn string
}

// InspectionDraw is the demo's draw over ds.
func InspectionDraw(ds *catalog.Dataset) DrawPlan {
	names := []string{"福满楼餐饮店", "鑫源超市", "康健大药房", "老街面馆", "百味烘焙坊", "惠民副食店", "江南小厨", "晨光便利店",
		"青禾食品商行", "金穗粮油店", "湖畔茶餐厅", "万家福超市", "顺心快餐店", "田园生鲜店", "一品豆腐坊", "云台饺子馆"}
	districts := []string{"明湖区", "松川区", "云台区"}
	plan := DrawPlan{Seed: 20261101, Count: 4, DrawnOn: "2026-11-02",
		Results: []string{"未发现问题。", "发现超过保质期的食品原料 2 袋，已责令改正并依法立案调查。"}}
	if len(ds.Inspections) > 0 {
		plan.Item = ds.Inspections[0].ID
	}
	for i, n := range names {
		plan.Targets = append(plan.Targets, "青禾市"+districts[i%len(districts)]+n)
	}
	return plan
}

// drawResults are the results the demo draw publishes, as the platform
// publishes them from its first draw.
func drawResults(ds *catalog.Dataset) ([]catalog.InspectionResult, error) {
	plan := InspectionDraw(ds)
	if plan.Item == "" {
		return nil, nil
	}
	it := ds.Inspections[0]
	d, err := draw.Run(plan.Item, it.AgencyCode, plan.Seed, plan.Count, plan.Targets, draw.Inspectors(ds.Officers, it.AgencyCode))
	if err != nil {
		return nil, fmt.Errorf("demo draw: %w", err)
	}
	var out []catalog.InspectionResult
	for i, res := range plan.Results {
		t := d.Tasks[i]
		out = append(out, catalog.InspectionResult{ID: fmt.Sprintf("1-%d", i+1), DrawID: 1, ItemID: it.ID, ItemName: it.Name,
			AgencyCode: it.AgencyCode, AgencyName: it.Inspector, Target: t.Target,
			Inspectors: t.Team(),
			Result:     res, DrawnOn: plan.DrawnOn, PublishedOn: "2026-11-16"})
	}
	return out, nil
}

// decisions makes published penalty decisions: organisations by name (the
// law publishes them), dated over the two years before the demo's day.
func decisions(p *pools, r *rand.Rand) []catalog.Decision {
	var out []catalog.Decision
	day := func() string {
		return fmt.Sprintf("2026-%02d-%02d", 1+r.IntN(10), 1+r.IntN(28))
	}
	for i := range 24 {
		a := p.Agencies[i%len(p.Agencies)]
		penalty := a.Penalties[r.IntN(len(a.Penalties))]
		// "对未取得…的处罚" → the conduct: "未取得…"
		conduct := strings.TrimSuffix(strings.TrimPrefix(penalty.Name, "对"), "的处罚")
		law := LawOf(penalty.Basis)
		decided := day()
		// A fine within the range the law sets, in round figures.
		lo, hi := penalty.Fine[0], penalty.Fine[1]
		step := 1000
		if hi <= 10000 {
			step = 100
		}
		amount := strconv.Itoa(lo + r.IntN((hi-lo)/step+1)*step)
		out = append(out, catalog.Decision{
			ID:         fmt.Sprintf("D%s%04d", a.Code, i+1),
			DocNo:      fmt.Sprintf("%s〔2026〕%d号", p.DocPrefix[a.Code], 10+i*3+r.IntN(3)),
			AgencyCode: a.Code, AgencyName: a.Name, Act: catalog.ActPenalty,
			Party:       pick(r, a.Parties),
			Facts:       fill(pick(r, p.Facts), "date", decided, "act_short", conduct, "law", law),
			Basis:       penalty.Basis,
			Content:     fill(pick(r, p.Decisions), "amount", amount, "gain", strconv.Itoa((1+r.IntN(20))*500)),
			DecidedOn:   decided,
			PublishedOn: decided, // published within the week in the demo
		})
	}
	return out
}

// branchOf names the body that serves round n of a repeated list: the
// agency itself first, then its district branches.
func branchOf(p *pools, agency string, round int) string {
	if round == 0 {
		return agency
	}
	d := p.Districts[(round-1)%len(p.Districts)]
	return strings.Replace(agency, p.City, p.City+d, 1) + fill(p.T["branch"], "district", "", "n", strconv.Itoa((round-1)/len(p.Districts)+1))
}

// PIN is every demo account's PIN. It is printed in README.md: demo only.
const PIN = "147258"

// RecoveryPublic is the demo city's recovery key (SM2), which the demo
// platform publishes and `sanxiang seed` wraps the demo folder's data key
// to. Its private key is committed in assets/demo/recovery.key, so anyone
// can try `sanxiang recover` on a demo folder: like PIN, it guards nothing,
// and a real city makes its own (`sanxiang-platform key recovery new`).
const RecoveryPublic = "sm2:BPPc+a587BSUjcu8AJRe8BnKV5B1gzD/QeUmRaCRZ6UGG3gWmilRPfonjjZ+FqBlUux82+bvs12x+XzDbF02hAI="

// RecoveryKeyFile is the demo recovery key's private key file in the
// source tree (not embedded: no binary carries it).
const RecoveryKeyFile = "assets/demo/recovery.key"

// Accounts picks the demo's sign-in accounts from the officers: per agency,
// two officers, one legal reviewer and one window staff member, all holding
// a valid certificate.
func Accounts(ds *catalog.Dataset) []account.Account {
	var out []account.Account
	taken := map[string]int{}
	roles := []account.Role{account.RoleOfficer, account.RoleOfficer, account.RoleReviewer, account.RoleStaff}
	for _, o := range ds.Officers {
		n := taken[o.AgencyCode]
		if n >= len(roles) || o.Status != catalog.CertValid {
			continue
		}
		taken[o.AgencyCode] = n + 1
		a := account.Account{ID: o.CertNo, Name: o.Name, Agency: o.AgencyCode, Unit: o.Unit,
			Position: o.Position, Role: roles[n]}
		if a.Role == account.RoleReviewer {
			a.Qualification = "legal_professional" // 国家法律职业资格
		}
		out = append(out, a)
	}
	return out
}
