// Package publish makes a decided case public the way the law asks: the
// decision document after technical processing (app/redact), with what
// the officer masked by hand, both versions kept in the case's log; or a
// recorded legal reason not to publish it; and its withdrawal when the
// decision is revoked, changed or declared void. Every act publishes its
// decision (DecisionStage, DecisionTemplate). It counts the deadline with
// the holiday calendar: 7 working days after the decision for licensing
// and penalty decisions, 20 for the others (国办发〔2018〕118号), unless the
// platform set the agency's own (Deadlines). It never imports Fyne.
package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/app/redact"
)

// Record kinds in a case's log.
const (
	KindPublish  = "publish.decision"
	KindExempt   = "publish.exempt"
	KindWithdraw = "publish.withdraw"
)

// Publication is the body of a publish.decision record: the decision as
// written and as published.
type Publication struct {
	DocNo    string   `json:"doc_no"`
	Party    string   `json:"party"` // as published
	Original string   `json:"original"`
	Redacted string   `json:"redacted"`
	Manual   []string `json:"manual,omitempty"` // what the officer masked by hand
	// Confirmed is what looked like a person's data after redaction
	// (redact.Suspects) and the officer read and confirmed stays public.
	Confirmed []string `json:"confirmed,omitempty"`
	DecidedOn string   `json:"decided_on"`
}

// Exemption is the body of a publish.exempt record.
type Exemption struct {
	Reason string `json:"reason"` // one of ExemptReasons
	Note   string `json:"note"`
}

// ExemptReasons are the legal reasons not to publish a decision.
var ExemptReasons = []string{"state_secret", "privacy", "trade_secret", "law_forbids", "minor"}

// Withdrawal is the body of a publish.withdraw record.
type Withdrawal struct {
	Cause       string `json:"cause"` // revoked, changed, void
	Explanation string `json:"explanation"`
	// EffectiveOn is the day the decision was revoked, changed or declared
	// void (YYYY-MM-DD): the 3 working days to withdraw it count from it.
	EffectiveOn string `json:"effective_on"`
}

// WithdrawDays is how many working days a revoked, changed or void
// decision may stay public (行政处罚法 第四十八条).
const WithdrawDays = 3

// WithdrawCauses are why a published decision is taken down (行政处罚法
// 第四十八条: within 3 working days).
var WithdrawCauses = []string{"revoked", "changed", "void"}

// Errors the screens explain.
var (
	ErrNotDecided  = errors.New("publish: the case has no decision yet")
	ErrNoDocument  = errors.New("publish: the case has no decision document to publish")
	ErrDone        = errors.New("publish: the decision is already published or exempted")
	ErrNoReason    = errors.New("publish: choose a legal reason")
	ErrNotPublic   = errors.New("publish: only a published decision can be withdrawn")
	ErrExplanation = errors.New("publish: a withdrawal needs its explanation")
	ErrEffective   = errors.New("publish: a withdrawal needs the day the decision was revoked, changed or declared void, not after today")
)

// ErrorKey is the translation key ("publish.err.…") of a refusal, or ""
// if err is none of them.
func ErrorKey(err error) string {
	for key, e := range map[string]error{"not_decided": ErrNotDecided, "no_document": ErrNoDocument, "done": ErrDone,
		"no_reason": ErrNoReason, "not_public": ErrNotPublic, "explanation": ErrExplanation, "effective": ErrEffective} {
		if errors.Is(err, e) {
			return "publish.err." + key
		}
	}
	return ""
}

// State is where a case's publication stands.
type State struct {
	Decided     bool
	DecidedAt   time.Time
	Due         time.Time // the last working day to publish
	Days        int       // the working days to publish in (the agency's or the national)
	Published   *Publication
	PublishedAt time.Time
	Exempt      *Exemption
	Withdrawn   *Withdrawal
	WithdrawnAt time.Time
	// WithdrawDue is the last working day to withdraw, counted from the
	// withdrawal's EffectiveOn (zero when a withdrawal does not say).
	WithdrawDue  time.Time
	Approximate  bool // the calendar lacks the due date's year
	DocumentText string
	DocNo        string
}

// Pending says whether the decision still waits to be published.
func (s State) Pending() bool { return s.Decided && s.Published == nil && s.Exempt == nil }

// CanPublish says whether the decision may be published now: pending, or
// withdrawn because it was changed (the changed decision is published
// anew). One revoked or declared void stays down.
func (s State) CanPublish() bool {
	return s.Pending() || s.Exempt == nil && s.Withdrawn != nil && s.Withdrawn.Cause == "changed"
}

// Late says whether it was or is published after its deadline.
func (s State) Late(now time.Time) bool {
	if !s.Decided || s.Exempt != nil {
		return false
	}
	at := now
	if s.Published != nil {
		at = s.PublishedAt
	}
	return dateOf(at).After(dateOf(s.Due))
}

// WithdrawnLate says whether the withdrawal came after its 3 working days.
func (s State) WithdrawnLate() bool {
	return s.Withdrawn != nil && !s.WithdrawDue.IsZero() && dateOf(s.WithdrawnAt).After(dateOf(s.WithdrawDue))
}

func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Each act's decision to publish under its general procedure: the stage
// at which the agency decides, and the document that carries the
// decision. The deadline counts from that stage. A case of another
// procedure of the act (当场处罚, 强制执行) decides at its own procedure's
// decision stage, carried by that stage's document (Decision).
//
//   - licensing: decide → 行政许可决定书 (licensing_decision)
//   - penalty: decide → 行政处罚决定书 (penalty_decision)
//   - coercion: decide → 行政强制措施决定书 (coercion_decision): the
//     measure is decided after the agency's head approves it (行政强制法
//     第十八条); the decision is handed over on site at enforce.
//   - levy: assess → 征收决定书 (levy_decision): the amount is decided when
//     it is assessed; notify only serves it.
//   - inspection: handle → 检查结果及处理决定书 (inspection_result): the
//     results of a 双随机 inspection and what is done about them.
//   - fee: assess → 缴费通知书 (fee_notice): the fee is decided when it is
//     assessed; collect is its payment.
var (
	DecisionStage = map[catalog.Act]string{
		catalog.ActLicensing:  "decide",
		catalog.ActPenalty:    "decide",
		catalog.ActCoercion:   "decide",
		catalog.ActLevy:       "assess",
		catalog.ActInspection: "handle",
		catalog.ActFee:        "assess",
	}
	DecisionTemplate = map[catalog.Act]string{
		catalog.ActLicensing:  "licensing_decision",
		catalog.ActPenalty:    "penalty_decision",
		catalog.ActCoercion:   "coercion_decision",
		catalog.ActLevy:       "levy_decision",
		catalog.ActInspection: "inspection_result",
		catalog.ActFee:        "fee_notice",
	}
)

// Decision is the stage at which the case's procedure decides and the
// templates of the document that carries the decision: the procedure's
// decision stage and its first document ("a|b" for either).
func Decision(c *casefile.Case) (stage string, templates []string) {
	p := c.Procedure()
	stage = p.DecisionStage()
	if st, ok := p.Stage(stage); ok && len(st.Documents) > 0 {
		templates = strings.Split(st.Documents[0], "|")
	}
	if stage == "" || len(templates) == 0 {
		stage, templates = DecisionStage[c.Opening.Act], []string{DecisionTemplate[c.Opening.Act]}
	}
	return stage, templates
}

// DefaultDays is the national deadline to publish a decision of act, in
// working days (国办发〔2018〕118号): 7 for licensing and penalty
// decisions, 20 for the others.
func DefaultDays(act catalog.Act) int {
	if act == catalog.ActPenalty || act == catalog.ActLicensing {
		return 7
	}
	return 20
}

// Deadline is an agency's own deadline to publish its decisions of one
// act, set on the platform (a row of its deadline table).
type Deadline struct {
	Agency string      `json:"agency"`
	Act    catalog.Act `json:"act"`
	Days   int         `json:"days"`
}

// Deadlines are the agencies' own deadlines as the platform holds them;
// an agency and act not listed keeps the national default.
type Deadlines []Deadline

// MaxDays bounds an agency's deadline: a deadline is a number of working
// days the agency publishes within, not a way to never publish.
const MaxDays = 60

// ErrBadDeadline refuses a deadline table the platform cannot hold.
var ErrBadDeadline = errors.New("publish: 公开时限须为 1 至 60 个工作日，机关代码和执法类别不能为空或重复")

// Check says whether every row names an agency and a known act, once,
// with 1 to MaxDays days.
func (ds Deadlines) Check() error {
	seen := map[string]bool{}
	for _, d := range ds {
		k := d.Agency + "/" + string(d.Act)
		if strings.TrimSpace(d.Agency) == "" || DecisionStage[d.Act] == "" || d.Days < 1 || d.Days > MaxDays || seen[k] {
			return fmt.Errorf("%w (%s %s %d)", ErrBadDeadline, d.Agency, d.Act, d.Days)
		}
		seen[k] = true
	}
	return nil
}

// Days is how many working days agency has to publish a decision of act:
// its own deadline where the platform set one, else the national default.
func (ds Deadlines) Days(agency string, act catalog.Act) int {
	for _, d := range ds {
		if d.Agency == agency && d.Act == act && d.Days > 0 {
			return d.Days
		}
	}
	return DefaultDays(act)
}

// StateOf reads a case's publication from its records, with the national
// deadlines.
func StateOf(c *casefile.Case, cal *calendar.Calendar) State { return StateWith(c, cal, nil) }

// StateWith reads a case's publication from its records, with the
// agencies' own deadlines (ds, as the device pulled them).
func StateWith(c *casefile.Case, cal *calendar.Calendar, ds Deadlines) State {
	var st State
	act := c.Opening.Act
	stage, templates := Decision(c)
	// Records keep UTC; days are counted where the agency is.
	if r, ok := c.Done[stage]; ok && stage != "" {
		st.Decided, st.DecidedAt = true, r.At.In(time.Local)
		st.Days = ds.Days(c.Opening.Agency, act)
		st.Due = cal.AddWorkdays(st.DecidedAt, st.Days)
		st.Approximate = !cal.Known(st.Due)
	}
	for _, r := range c.Records {
		switch r.Kind {
		case casefile.KindDocument:
			var d document.Doc
			if json.Unmarshal(r.Body, &d) == nil && slices.Contains(templates, d.Template) {
				st.DocumentText, st.DocNo = d.Text, d.Inputs["doc_no"]
			}
		case KindPublish:
			var p Publication
			if json.Unmarshal(r.Body, &p) == nil {
				st.Published, st.PublishedAt, st.Withdrawn = &p, r.At.In(time.Local), nil
			}
		case KindExempt:
			var e Exemption
			if json.Unmarshal(r.Body, &e) == nil {
				st.Exempt = &e
			}
		case KindWithdraw:
			var w Withdrawal
			if json.Unmarshal(r.Body, &w) == nil {
				st.Withdrawn, st.WithdrawnAt, st.WithdrawDue = &w, r.At.In(time.Local), time.Time{}
				if on, err := time.ParseInLocation(time.DateOnly, w.EffectiveOn, time.Local); err == nil {
					st.WithdrawDue = cal.AddWorkdays(on, WithdrawDays)
				}
			}
		}
	}
	return st
}

// Preview is what Publish would publish: the decision document redacted,
// with extra strings masked by hand, and what the officer confirmed stays
// public.
func Preview(c *casefile.Case, cal *calendar.Calendar, extra []string, confirmed ...string) (Publication, error) {
	st := StateOf(c, cal)
	if !st.Decided {
		return Publication{}, ErrNotDecided
	}
	if st.DocumentText == "" {
		return Publication{}, ErrNoDocument
	}
	manual := distinct(extra)
	party := c.Opening.Party.Name
	if c.Opening.Party.Kind != "org" {
		party = redact.Redact("当事人："+party+"，", redact.Options{Extra: manual}).Text
		party = strings.TrimSuffix(strings.TrimPrefix(party, "当事人："), "，")
	}
	return Publication{
		DocNo:     st.DocNo,
		Party:     party,
		Original:  st.DocumentText,
		Redacted:  redact.Redact(st.DocumentText, redact.Options{Extra: manual}).Text,
		Manual:    manual,
		Confirmed: distinct(confirmed),
		DecidedOn: st.DecidedAt.Format(time.DateOnly),
	}, nil
}

// distinct is each non-blank string once, trimmed, in order.
func distinct(in []string) []string {
	var out []string
	for _, e := range in {
		if e = strings.TrimSpace(e); e != "" && !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

// Review is a preview for the officer's eye before publishing.
type Review struct {
	Publication
	// Masked are the masked spans, at their offsets in Redacted (Original
	// is what was there before).
	Masked []redact.Span
	// Suspects are what in Redacted still looks like a person's data
	// (redact.Suspects), officers' names and certificate numbers aside,
	// confirmed or not.
	Suspects []redact.Span
}

// Open is each suspect not yet confirmed, once: publishing waits until it
// is masked or confirmed.
func (r Review) Open() []string {
	var out []string
	for _, sp := range r.Suspects {
		if !slices.Contains(r.Confirmed, sp.Original) && !slices.Contains(out, sp.Original) {
			out = append(out, sp.Original)
		}
	}
	return out
}

// ReviewOf is Preview with where the masks stand and what is doubtful.
func ReviewOf(c *casefile.Case, cal *calendar.Calendar, extra []string, confirmed ...string) (Review, error) {
	p, err := Preview(c, cal, extra, confirmed...)
	if err != nil {
		return Review{}, err
	}
	res := redact.Redact(p.Original, redact.Options{Extra: p.Manual})
	spans := slices.Clone(res.Spans)
	slices.SortFunc(spans, func(a, b redact.Span) int { return a.Start - b.Start })
	var masked []redact.Span
	shift := 0
	for _, sp := range spans {
		at := sp.Start + shift
		masked = append(masked, redact.Span{Start: at, End: at + len(sp.Masked), Kind: sp.Kind, Original: sp.Original, Masked: sp.Masked})
		shift += len(sp.Masked) - (sp.End - sp.Start)
	}
	var keep []string
	for _, o := range c.Opening.Officers {
		keep = append(keep, o.Name, o.CertNo)
	}
	return Review{Publication: p, Masked: masked, Suspects: redact.Suspects(p.Redacted, keep)}, nil
}

// Publish records the publication of a decided case's decision document,
// both as written and as published, with what the officer masked by hand
// (extra) and confirmed stays public.
func Publish(ctx context.Context, l *casefile.Log, cal *calendar.Calendar, caseID, author string, extra []string, confirmed ...string) (*casefile.Record, error) {
	c, err := l.Case(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("publish decision of case %s: %w", caseID, err)
	}
	if st := StateOf(c, cal); st.Decided && !st.CanPublish() {
		return nil, ErrDone
	}
	p, err := Preview(c, cal, extra, confirmed...)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("publish decision of case %s: %w", caseID, err)
	}
	r, err := l.AddRecord(ctx, caseID, author, KindPublish, body, nil)
	if err != nil {
		return nil, fmt.Errorf("publish decision of case %s: %w", caseID, err)
	}
	return r, nil
}

// Exempt records that a decision is not published, and why.
func Exempt(ctx context.Context, l *casefile.Log, cal *calendar.Calendar, caseID, author string, e Exemption) (*casefile.Record, error) {
	c, err := l.Case(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("exempt decision of case %s: %w", caseID, err)
	}
	st := StateOf(c, cal)
	if !st.Decided {
		return nil, ErrNotDecided
	}
	if !st.Pending() {
		return nil, ErrDone
	}
	if !slices.Contains(ExemptReasons, e.Reason) {
		return nil, ErrNoReason
	}
	body, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("exempt decision of case %s: %w", caseID, err)
	}
	r, err := l.AddRecord(ctx, caseID, author, KindExempt, body, nil)
	if err != nil {
		return nil, fmt.Errorf("exempt decision of case %s: %w", caseID, err)
	}
	return r, nil
}

// Withdraw records that a published decision is taken down.
func Withdraw(ctx context.Context, l *casefile.Log, cal *calendar.Calendar, caseID, author string, w Withdrawal) (*casefile.Record, error) {
	c, err := l.Case(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("withdraw decision of case %s: %w", caseID, err)
	}
	if st := StateOf(c, cal); st.Published == nil || st.Withdrawn != nil {
		return nil, ErrNotPublic
	}
	if !slices.Contains(WithdrawCauses, w.Cause) {
		return nil, ErrNoReason
	}
	if strings.TrimSpace(w.Explanation) == "" {
		return nil, ErrExplanation
	}
	on, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(w.EffectiveOn), time.Local)
	if err != nil || on.After(l.Now()) {
		return nil, ErrEffective
	}
	w.EffectiveOn = on.Format(time.DateOnly)
	body, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("withdraw decision of case %s: %w", caseID, err)
	}
	r, err := l.AddRecord(ctx, caseID, author, KindWithdraw, body, nil)
	if err != nil {
		return nil, fmt.Errorf("withdraw decision of case %s: %w", caseID, err)
	}
	return r, nil
}
