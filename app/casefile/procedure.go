package casefile

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/sanxiang-desk/sanxiang/app/act"
	"github.com/sanxiang-desk/sanxiang/assets"
)

// Procedure is one act's procedure as data (执法程序): its stages in order,
// what each needs done before it, its documents and audio-visual flags, and
// its statutory clocks. The national defaults are bundled
// (assets/procedures/national.json); an agency's own version, sent by its
// platform, replaces the default of the same ID for that agency.
type Procedure struct {
	// ID names the procedure: the act's code for its general procedure
	// ("penalty"), the act's code and a variant for the others
	// ("penalty.summary", "coercion.execute").
	ID    string   `json:"id"`
	Act   act.Kind `json:"act"`
	Title string   `json:"title"`
	Basis string   `json:"basis,omitempty"`
	// Agency is "" for the national default, else the agency this
	// version belongs to.
	Agency  string      `json:"agency,omitempty"`
	Version int         `json:"version,omitempty"`
	Stages  []Stage     `json:"stages"`
	Clocks  []ClockRule `json:"clocks,omitempty"`
	// Limits bound what a decision of this procedure may decide: the
	// summary procedure's warnings and small fines (行政处罚法 art. 51).
	Limits *Limits `json:"limits,omitempty"`
}

// Stage is one step of an act's procedure. Key is also the translation key
// suffix ("stage." + Key).
type Stage struct {
	Key string `json:"key"`
	// OnSite stages are done in front of the party: the record must name at
	// least two officers with their certificates (行政处罚法 art. 42).
	OnSite bool `json:"on_site,omitempty"`
	// ReviewOnly stages exist only for major decisions (法制审核).
	ReviewOnly bool `json:"review_only,omitempty"`
	// Optional stages are done only where the case needs them (a hearing,
	// an extension, evidence preservation).
	Optional bool `json:"optional,omitempty"`
	// Requires lists the stages that must be done before this one; an
	// entry "a|b" is met by either.
	Requires []string `json:"requires,omitempty"`
	// NotBefore lists dates the stage must wait for: "stage.field" is a
	// date the named stage's record set (the 催告书's time to comply).
	NotBefore []string `json:"not_before,omitempty"`
	// Documents are the templates the stage needs in the case file.
	Documents []string `json:"documents,omitempty"`
	// AV is the audio-visual record the stage needs by law or practice:
	// "any" (photos, sound or video) or "full" (the whole process in sound
	// or video). Agencies' own lists add to it (AVRequirement).
	AV string `json:"av,omitempty"`
	// Dates are the date fields the stage's record sets (hearing_on,
	// comply_by, rectify_by, pay_by).
	Dates []string `json:"dates,omitempty"`
	// Decision marks the act's decision: the legal review gate applies to
	// it, and publication counts from it.
	Decision bool `json:"decision,omitempty"`
	// Approval stages need the approving head named (负责人批准).
	Approval bool `json:"approval,omitempty"`
	// Final closes the case; archiving follows it.
	Final bool `json:"final,omitempty"`
}

// ClockRule is a statutory time limit: it runs from a stage's record (or a
// date that record set) for a number of days, working days or hours, and is
// met by another stage. An extension stage adds to it.
type ClockRule struct {
	Key  string `json:"key"` // translation key suffix: "clock." + Key
	From string `json:"from"`
	// Date, when set, is a date field of the From record the limit counts
	// from (or is, with no days): a hearing date, a time to comply.
	Date     string `json:"date,omitempty"`
	Days     int    `json:"days,omitempty"`
	Workdays int    `json:"workdays,omitempty"`
	Hours    int    `json:"hours,omitempty"`
	// Until is the stage that meets the limit; "a|b" for either.
	Until string `json:"until,omitempty"`
	// Extend names the stage that extends the limit once, by ExtendDays
	// or ExtendWorkdays.
	Extend         string `json:"extend,omitempty"`
	ExtendDays     int    `json:"extend_days,omitempty"`
	ExtendWorkdays int    `json:"extend_workdays,omitempty"`
	// Party marks a limit on the party, not the agency (a hearing request,
	// a time to pay): when it passes unused, nobody is overdue.
	Party bool `json:"party,omitempty"`
	// Catchup marks a limit that applies only when Until was not done
	// before From: an approval sought within 24 hours of a measure taken
	// on the spot (行政强制法 art. 19).
	Catchup bool `json:"catchup,omitempty"`
}

// Limits bound the decisions of a procedure.
type Limits struct {
	FinePerson int64    `json:"fine_person"` // yuan, at most, for a citizen
	FineOrg    int64    `json:"fine_org"`    // yuan, at most, for an organisation
	Kinds      []string `json:"kinds"`       // the only kinds of decision allowed
}

// Stage finds a stage of the procedure by key.
func (p Procedure) Stage(key string) (Stage, bool) {
	for _, s := range p.Stages {
		if s.Key == key {
			return s, true
		}
	}
	return Stage{}, false
}

// DecisionStage is the key of the procedure's first decision stage.
func (p Procedure) DecisionStage() string {
	for _, s := range p.Stages {
		if s.Decision {
			return s.Key
		}
	}
	return ""
}

// Validate checks that the procedure is one the rules can enforce: known
// act, unique stage keys, prerequisites and clocks that name its stages,
// and one final stage.
func (p Procedure) Validate() error {
	if !p.Act.Valid() {
		return fmt.Errorf("procedure %q: %w: act %q", p.ID, ErrBadProcedure, p.Act)
	}
	if p.ID != string(p.Act) && !strings.HasPrefix(p.ID, string(p.Act)+".") {
		return fmt.Errorf("procedure %q: %w: its ID must start with its act %q", p.ID, ErrBadProcedure, p.Act)
	}
	keys := map[string]bool{}
	finals := 0
	for _, s := range p.Stages {
		if s.Key == "" || keys[s.Key] {
			return fmt.Errorf("procedure %q: %w: stage %q empty or repeated", p.ID, ErrBadProcedure, s.Key)
		}
		keys[s.Key] = true
		if s.Final {
			finals++
		}
		if s.AV != "" && s.AV != "any" && s.AV != "full" {
			return fmt.Errorf("procedure %q stage %s: %w: av %q", p.ID, s.Key, ErrBadProcedure, s.AV)
		}
	}
	if finals != 1 {
		return fmt.Errorf("procedure %q: %w: %d final stages, want 1", p.ID, ErrBadProcedure, finals)
	}
	known := func(alts string) bool {
		for _, k := range strings.Split(alts, "|") {
			if !keys[k] {
				return false
			}
		}
		return true
	}
	for _, s := range p.Stages {
		for _, r := range s.Requires {
			if !known(r) {
				return fmt.Errorf("procedure %q stage %s: %w: requires unknown stage %q", p.ID, s.Key, ErrBadProcedure, r)
			}
		}
		for _, nb := range s.NotBefore {
			st, field, ok := strings.Cut(nb, ".")
			if !ok || !keys[st] || field == "" {
				return fmt.Errorf("procedure %q stage %s: %w: not_before %q", p.ID, s.Key, ErrBadProcedure, nb)
			}
		}
	}
	for _, c := range p.Clocks {
		if c.Key == "" || !keys[c.From] || c.Until != "" && !known(c.Until) || c.Extend != "" && !keys[c.Extend] {
			return fmt.Errorf("procedure %q clock %s: %w: names a stage it does not have", p.ID, c.Key, ErrBadProcedure)
		}
		if c.Days == 0 && c.Workdays == 0 && c.Hours == 0 && c.Date == "" {
			return fmt.Errorf("procedure %q clock %s: %w: no length", p.ID, c.Key, ErrBadProcedure)
		}
	}
	return nil
}

// ErrBadProcedure is returned for a procedure the rules cannot enforce.
var ErrBadProcedure = errors.New("malformed procedure")

// ErrNoProcedure refuses a case that names a procedure its agency does
// not have.
var ErrNoProcedure = errors.New("no such procedure for this act")

// Set is the procedures in force: the national defaults and the agencies'
// own versions.
type Set struct {
	national map[string]Procedure
	agency   map[string]map[string]Procedure // agency → ID → procedure
}

// ParseProcedures reads a list of procedures (national.json's form).
func ParseProcedures(data []byte) ([]Procedure, error) {
	var list []Procedure
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("procedures: %w: %w", ErrBadProcedure, err)
	}
	for _, p := range list {
		if err := p.Validate(); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// NewSet makes a set of the national defaults and the agencies' versions;
// an agency's version must replace a national procedure or be a variant
// of one of the six acts.
func NewSet(national, agencies []Procedure) (*Set, error) {
	s := &Set{national: map[string]Procedure{}, agency: map[string]map[string]Procedure{}}
	for _, p := range national {
		if err := p.Validate(); err != nil {
			return nil, err
		}
		if p.Agency != "" {
			return nil, fmt.Errorf("procedure %q: %w: a national procedure names agency %s", p.ID, ErrBadProcedure, p.Agency)
		}
		s.national[p.ID] = p
	}
	for _, p := range agencies {
		if err := p.Validate(); err != nil {
			return nil, err
		}
		if p.Agency == "" {
			return nil, fmt.Errorf("procedure %q: %w: an agency's version names no agency", p.ID, ErrBadProcedure)
		}
		if s.agency[p.Agency] == nil {
			s.agency[p.Agency] = map[string]Procedure{}
		}
		s.agency[p.Agency][p.ID] = p
	}
	return s, nil
}

var national = sync.OnceValues(func() (*Set, error) {
	list, err := ParseProcedures(assets.Procedures)
	if err != nil {
		return nil, err
	}
	return NewSet(list, nil)
})

// National is the set of the bundled national procedures. It panics if the
// bundled file does not read, which a test catches.
func National() *Set {
	s, err := national()
	if err != nil {
		panic(err)
	}
	return s
}

// WithAgencies is the national defaults with the agencies' versions, as a
// platform sends them.
func WithAgencies(agencies []Procedure) (*Set, error) {
	list, err := ParseProcedures(assets.Procedures)
	if err != nil {
		return nil, err
	}
	return NewSet(list, agencies)
}

// Get is the procedure id in force for agency.
func (s *Set) Get(agency, id string) (Procedure, bool) {
	if s == nil {
		s = National()
	}
	if p, ok := s.agency[agency][id]; ok {
		return p, true
	}
	p, ok := s.national[id]
	return p, ok
}

// For is the procedure a case opened with o follows.
func (s *Set) For(o Opening) (Procedure, error) {
	id := o.ProcedureID()
	p, ok := s.Get(o.Agency, id)
	if !ok || p.Act != o.Act {
		return Procedure{}, fmt.Errorf("%w: %s (%s)", ErrNoProcedure, id, o.Act)
	}
	return p, nil
}

// Of is the procedure the case follows; a case whose procedure is not
// known here (a newer device's variant) follows its act's general one.
func (s *Set) Of(c *Case) Procedure {
	if p, err := s.For(c.Opening); err == nil {
		return p
	}
	p, _ := s.Get(c.Opening.Agency, string(c.Opening.Act))
	return p
}

// Attach resolves the case's procedure in this set, and returns c.
func (s *Set) Attach(c *Case) *Case {
	p := s.Of(c)
	c.Proc = &p
	return c
}

// Variants lists the procedures an agency may open a case of act with,
// the general one first.
func (s *Set) Variants(agency string, a act.Kind) []Procedure {
	if s == nil {
		s = National()
	}
	ids := map[string]bool{}
	for id, p := range s.national {
		ids[id] = p.Act == a
	}
	for id, p := range s.agency[agency] {
		ids[id] = p.Act == a
	}
	var out []Procedure
	for id, ok := range ids {
		if p, found := s.Get(agency, id); ok && found {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(x, y Procedure) int {
		if (x.ID == string(a)) != (y.ID == string(a)) {
			if x.ID == string(a) {
				return -1
			}
			return 1
		}
		return strings.Compare(x.ID, y.ID)
	})
	return out
}

// Knows says whether some procedure of the set has the stage.
func (s *Set) Knows(stage string) bool {
	return s.any(func(st Stage) bool { return st.Key == stage })
}

// Decides says whether stage is a decision stage of any procedure in the
// set, for readers that see a record without its case (a platform
// choosing which arrivals to run the review rules on).
func (s *Set) Decides(stage string) bool {
	return s.any(func(st Stage) bool { return st.Key == stage && st.Decision })
}

func (s *Set) any(f func(Stage) bool) bool {
	if s == nil {
		s = National()
	}
	for _, m := range append([]map[string]Procedure{s.national}, mapsValues(s.agency)...) {
		for _, p := range m {
			if slices.ContainsFunc(p.Stages, f) {
				return true
			}
		}
	}
	return false
}

func mapsValues(m map[string]map[string]Procedure) []map[string]Procedure {
	out := make([]map[string]Procedure, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// Agencies lists the agencies' own versions, for a platform to send.
func (s *Set) Agencies() []Procedure {
	var out []Procedure
	for _, m := range s.agency {
		for _, p := range m {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(x, y Procedure) int {
		return strings.Compare(x.Agency+"/"+x.ID, y.Agency+"/"+y.ID)
	})
	return out
}

// ProcedureID is the procedure the case follows: its act's general one
// unless the opening named a variant.
func (o Opening) ProcedureID() string {
	if o.Procedure != "" {
		return o.Procedure
	}
	return string(o.Act)
}
