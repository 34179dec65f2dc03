package casefile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/act"
	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
)

// Record kinds of a case.
const (
	KindOpen       = "case.open"  // the case is registered (立案 or 受理)
	KindStage      = "case.stage" // a stage of the procedure is done
	KindNote       = "note"       // a text record
	KindMedia      = "media"      // audio, video or photos
	KindCorrection = "correction" // corrects an earlier record
	KindDocument   = "document"   // a standard enforcement document (文书)
)

// StageOf finds a stage of a case's procedure in the national set: the
// stage of the act's general procedure, else of any of its variants (a
// reader without the case's opening, such as a platform index, asks this).
func StageOf(a act.Kind, key string) (Stage, bool) {
	for _, p := range National().Variants("", a) {
		if s, ok := p.Stage(key); ok {
			return s, true
		}
	}
	return Stage{}, false
}

// Officer names an officer on a record.
type Officer struct {
	CertNo string `json:"cert_no"`
	Name   string `json:"name"`
}

// Party is who the case concerns.
type Party struct {
	Kind string `json:"kind"` // person or org
	Name string `json:"name"`
	// IDNo is an identity card number or a unified social credit code;
	// lists show it masked.
	IDNo    string `json:"id_no"`
	Address string `json:"address,omitempty"`
	Phone   string `json:"phone,omitempty"`
	// Representative is an organisation's legal representative (法定代表人)
	// or a person's agent.
	Representative string `json:"representative,omitempty"`
}

// Opening is the body of a case's first record.
type Opening struct {
	Act      act.Kind  `json:"act"`
	Agency   string    `json:"agency"`
	ItemID   string    `json:"item_id"`
	ItemName string    `json:"item_name"`
	Party    Party     `json:"party"`
	Place    string    `json:"place"`
	Summary  string    `json:"summary"`
	Officers []Officer `json:"officers"`
	// Procedure is the procedure the case follows, "" for its act's
	// general one ("penalty.summary" for 当场处罚); ProcedureVersion is the
	// agency's version in force when it was opened.
	Procedure        string `json:"procedure,omitempty"`
	ProcedureVersion int    `json:"procedure_version,omitempty"`
	// Task is the drawn inspection task (双随机) the case carries out, when
	// the platform's draw sent it: the inspection is its result.
	Task *TaskRef `json:"task,omitempty"`
}

// TaskRef names a drawn inspection task in a case's opening.
type TaskRef struct {
	ID  string `json:"id"`  // "12-3": the draw's number and the task's
	Due string `json:"due"` // YYYY-MM-DD, the day it is to be done by
}

// StageBody is the body of a stage record.
type StageBody struct {
	Stage    string    `json:"stage"`
	Note     string    `json:"note"`
	Officers []Officer `json:"officers,omitempty"`
	// HearingOn is the hearing date a notice of hearing sets (听证).
	HearingOn string `json:"hearing_on,omitempty"`
	// Decision is what a "decide" stage decides, in the review package's
	// form: the gate reads it to tell a major decision.
	Decision json.RawMessage `json:"decision,omitempty"`
	// Dates are the dates the stage sets, by the procedure's field names
	// (comply_by, rectify_by, pay_by; hearing_on lives in HearingOn).
	Dates map[string]string `json:"dates,omitempty"`
	// Approver is the head who approved the stage (负责人批准), on a stage
	// that needs approval.
	Approver string `json:"approver,omitempty"`
	// Exception records a stage done before its prerequisites, with the
	// reason and who approved it; supervision counts it.
	Exception *Exception `json:"exception,omitempty"`
	// Retention is how long the archive keeps the file, on a final stage:
	// "permanent" or a number of years ("30").
	Retention string `json:"retention,omitempty"`
}

// Exception is a stage done out of the procedure's order, on purpose.
type Exception struct {
	Reason   string `json:"reason"`
	Approver string `json:"approver"`
	// Missing are the prerequisites not done when it was recorded.
	Missing []string `json:"missing,omitempty"`
}

// DateOf is the date field the stage record set, "" if none.
func (s StageBody) DateOf(field string) string {
	if field == "hearing_on" && s.HearingOn != "" {
		return s.HearingOn
	}
	return s.Dates[field]
}

// Gate checks a stage before it is appended; the review package installs
// the rule that no major decision is recorded without a passed review.
type Gate func(ctx context.Context, c *Case, s StageBody) error

// SetGate installs the gate every stage record goes through, however it is
// appended: the ledger calls it before the append (see beforeAppend).
func (l *Log) SetGate(g Gate) { l.gate = g }

// Signer adds people's signatures to a record about to be appended: its
// author's, and those of the others who must sign it too (the officers an
// on-site record names besides its author). An error refuses the record.
type Signer func(ctx context.Context, r *Record, others []string) error

// SetSigner installs the signer every record goes through after the gate;
// the device installs one that signs with the keys of the people signed
// in on it (account.Keyring).
func (l *Log) SetSigner(s Signer) { l.signer = s }

// Errors a person must see explained.
var (
	ErrTwoOfficers = errors.New("an on-site record must name at least two officers with their certificate numbers")
	ErrBadStage    = errors.New("no such stage for this act")
	ErrNoCase      = errors.New("no such case")
	ErrIncomplete  = errors.New("the case needs an act, an item, a party and an officer")
	// ErrNotSigned refuses a record one of whose people has not signed it
	// on this device: its author not signed in, or a second officer on
	// site who has not confirmed with their own PIN.
	ErrNotSigned = errors.New("a person who must sign the record has not signed it on this device")
)

func checkOfficers(os []Officer) error {
	n := 0
	seen := map[string]bool{}
	for _, o := range os {
		c := strings.TrimSpace(o.CertNo)
		if c != "" && !seen[c] {
			seen[c] = true
			n++
		}
	}
	if n < 2 {
		return ErrTwoOfficers
	}
	return nil
}

// OpenCase registers a case and returns its id: the device, the day and a
// counter, readable on paper and unique across devices.
func (l *Log) OpenCase(ctx context.Context, author string, o Opening) (string, error) {
	if !o.Act.Valid() || o.ItemID == "" || strings.TrimSpace(o.Party.Name) == "" || len(o.Officers) == 0 {
		return "", ErrIncomplete
	}
	p, err := l.Procedures().For(o)
	if err != nil {
		return "", err
	}
	o.ProcedureVersion = p.Version
	n, err := l.CountKind(ctx, KindOpen)
	if err != nil {
		return "", fmt.Errorf("open case: %w", err)
	}
	now := l.Now()
	id := fmt.Sprintf("%s-%s-%04d", strings.TrimPrefix(l.Origin(), "sanxiang/device/"), now.Format("20060102"), n+1)
	body, err := json.Marshal(o)
	if err != nil {
		return "", fmt.Errorf("open case %s: %w", id, err)
	}
	if err := l.Append(ctx, &Record{Case: id, Kind: KindOpen, Author: author, At: now, Body: body}); err != nil {
		return "", fmt.Errorf("open case %s: %w", id, err)
	}
	return id, nil
}

// AddStage records that a stage of the case's procedure was done. The
// case's rules and the gate check it before the append (beforeAppend).
func (l *Log) AddStage(ctx context.Context, caseID, author string, s StageBody, media ...string) (*Record, error) {
	body, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("stage %s of %s: %w", s.Stage, caseID, err)
	}
	r := &Record{Case: caseID, Kind: KindStage, Author: author, Body: body, Media: media}
	return r, l.add(ctx, r)
}

// add appends r, naming the record's kind and case in any error; r is
// returned either way, as the Add methods always have.
func (l *Log) add(ctx context.Context, r *Record) error {
	if err := l.Append(ctx, r); err != nil {
		return fmt.Errorf("add %s record to %s: %w", r.Kind, r.Case, err)
	}
	return nil
}

// AddRecord appends a record of any kind to an existing case; the review
// package writes its submissions and opinions through it.
func (l *Log) AddRecord(ctx context.Context, caseID, author, kind string, body json.RawMessage, corrects *int64) (*Record, error) {
	if _, err := l.Case(ctx, caseID); err != nil {
		return nil, fmt.Errorf("add to %s: %w", caseID, err)
	}
	r := &Record{Case: caseID, Kind: kind, Author: author, Body: body, Corrects: corrects}
	return r, l.add(ctx, r)
}

// AddMedia appends a record of audio, video or photos to a case: body
// describes them, media are the files' digests (already in the store).
func (l *Log) AddMedia(ctx context.Context, caseID, author string, body json.RawMessage, media []string) (*Record, error) {
	if _, err := l.Case(ctx, caseID); err != nil {
		return nil, fmt.Errorf("add to %s: %w", caseID, err)
	}
	r := &Record{Case: caseID, Kind: KindMedia, Author: author, Body: body, Media: media}
	return r, l.add(ctx, r)
}

// AddNote appends a text record to a case.
func (l *Log) AddNote(ctx context.Context, caseID, author, text string, media ...string) (*Record, error) {
	if _, err := l.Case(ctx, caseID); err != nil {
		return nil, fmt.Errorf("add to %s: %w", caseID, err)
	}
	body, err := json.Marshal(map[string]string{"text": text})
	if err != nil {
		return nil, fmt.Errorf("note on %s: %w", caseID, err)
	}
	r := &Record{Case: caseID, Kind: KindNote, Author: author, Body: body, Media: media}
	return r, l.add(ctx, r)
}

// AddDocument appends a filled-in document to a case. body is the
// document's JSON; its text is what prints, so paper and record agree.
func (l *Log) AddDocument(ctx context.Context, caseID, author string, body json.RawMessage) (*Record, error) {
	if _, err := l.Case(ctx, caseID); err != nil {
		return nil, fmt.Errorf("add to %s: %w", caseID, err)
	}
	r := &Record{Case: caseID, Kind: KindDocument, Author: author, Body: body}
	return r, l.add(ctx, r)
}

// Correction is the body of a correction record.
type Correction struct {
	Reason string `json:"reason"`
	Text   string `json:"text"`
}

// ErrNotInCase is returned for a correction of a record of another case.
var ErrNotInCase = errors.New("the corrected record is not in this case")

// AddCorrection appends a record that corrects an earlier record of the
// same case; the earlier record stays as it was, for all to see.
func (l *Log) AddCorrection(ctx context.Context, caseID, author string, corrects int64, c Correction) (*Record, error) {
	cs, err := l.Case(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("correct a record of %s: %w", caseID, err)
	}
	found := false
	for _, r := range cs.Records {
		found = found || r.Device == "" && r.Seq == corrects
	}
	if !found {
		return nil, fmt.Errorf("%w: record %d", ErrNotInCase, corrects)
	}
	if strings.TrimSpace(c.Reason) == "" || strings.TrimSpace(c.Text) == "" {
		return nil, ErrIncomplete
	}
	body, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("correction on %s: %w", caseID, err)
	}
	r := &Record{Case: caseID, Kind: KindCorrection, Author: author, Corrects: &corrects, Body: body}
	return r, l.add(ctx, r)
}

// Case is a case as its records tell it.
type Case struct {
	ID       string
	Opening  Opening
	OpenedAt time.Time
	Records  []Record
	// Done maps each stage key to the record that completed it.
	Done map[string]Record
	// Current is the last stage done ("" right after opening).
	Current string
	// Holder is the certificate number of the officer who holds the case:
	// who opened it, or who took it over last.
	Holder string
	// Pending is the handover waiting to be taken over, if any.
	Pending *Handover
	// Proc is the procedure the case follows where its reader resolved it
	// with the agencies' versions (Log.Case, Set.Attach); nil means the
	// national one.
	Proc *Procedure
}

// Case reads one case's records and derives its state.
func (l *Log) Case(ctx context.Context, id string) (*Case, error) {
	recs, err := l.caseRecords(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", id, err)
	}
	c, err := CaseOf(id, recs)
	if err != nil {
		return nil, err
	}
	return l.Procedures().Attach(c), nil
}

// CaseOf derives a case from its records in log order, wherever they were
// read from (the platform builds cases from the logs devices push).
func CaseOf(id string, recs []Record) (*Case, error) {
	if len(recs) == 0 || recs[0].Kind != KindOpen {
		return nil, fmt.Errorf("%w: %s", ErrNoCase, id)
	}
	c := &Case{ID: id, OpenedAt: recs[0].At, Records: recs, Done: map[string]Record{}, Holder: recs[0].Author}
	if err := json.Unmarshal(recs[0].Body, &c.Opening); err != nil {
		return nil, fmt.Errorf("case %s: %w", id, err)
	}
	for _, r := range recs[1:] {
		switch r.Kind {
		case KindStage:
			var s StageBody
			if json.Unmarshal(r.Body, &s) == nil {
				c.Done[s.Stage] = r
				c.Current = s.Stage
			}
		case KindHandover:
			var h Handover
			if json.Unmarshal(r.Body, &h) == nil {
				c.Pending = &h
			}
		case KindTakeover:
			c.Holder, c.Pending = r.Author, nil
		}
	}
	return c, nil
}

// CaseIDs lists the cases this device's log holds records of, opened or
// taken over here, newest first.
func (l *Log) CaseIDs(ctx context.Context) ([]string, error) {
	ids, err := l.CasesOfKind(ctx, KindOpen)
	if err != nil {
		return nil, fmt.Errorf("case list: %w", err)
	}
	taken, err := l.CasesOfKind(ctx, KindTakeover)
	if err != nil {
		return nil, fmt.Errorf("case list: %w", err)
	}
	for _, id := range taken {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// TaskCases maps the drawn inspection tasks (双随机) this device opened a
// case for to their cases: how a device knows a task it has taken up,
// across sync rounds and restarts, from its own log.
func (l *Log) TaskCases(ctx context.Context) (map[string]string, error) {
	opens, err := l.OfKind(ctx, KindOpen)
	if err != nil {
		return nil, fmt.Errorf("task cases: %w", err)
	}
	out := map[string]string{}
	for _, r := range opens {
		var o Opening
		if err := json.Unmarshal(r.Body, &o); err != nil {
			return nil, fmt.Errorf("task cases: opening of %s: %w", r.Case, err)
		}
		if o.Task != nil && o.Task.ID != "" {
			if _, seen := out[o.Task.ID]; !seen {
				out[o.Task.ID] = r.Case
			}
		}
	}
	return out, nil
}

// TaskStage is the stage of an inspection that carries out a drawn task
// (处理: the inspection done and its result recorded): recorded by the
// task's day, the task was done in time.
const TaskStage = "handle"

// TaskClock is the key of the clock of a drawn task's day ("clock." +
// TaskClock translates it).
const TaskClock = "task_due"

// Clock is a statutory time limit on a case.
type Clock struct {
	Key     string // translation key suffix: "clock." + Key
	Due     time.Time
	Met     bool // the act it limits was done in time
	Overdue bool // not done, and the day has passed
	Missed  bool // done, but after the day
	// Party marks a limit on the party, not the agency (a hearing request):
	// when it passes unused, the right has lapsed; nobody is overdue.
	Party  bool
	Lapsed bool
	// Approximate is set when the calendar does not know the year, so
	// working days were counted with weekends only.
	Approximate bool
	// Extended is set when an extension stage lengthened the limit.
	Extended bool
}

// Clocks lists the statutory limits of the case's procedure as of now
// (Procedure.Clocks): a penalty decided within 90 days of registration
// (行政处罚法 art. 60), a hearing asked for within 5 working days of the
// notice and announced 7 days before it is held (art. 64), a licence
// decided within 20 working days, 30 with the head's extension (行政许可法
// art. 42), a seizure released within 30 days, 60 with an extension (行政强制法
// art. 25), a measure taken on the spot approved within 24 hours (art. 19)…
// and, for a case that carries out a drawn task (双随机), the task's day.
func (c *Case) Clocks(cal *calendar.Calendar, now time.Time) []Clock {
	p := c.Procedure()
	var out []Clock
	for _, rule := range p.Clocks {
		if k, ok := c.clock(p, rule, cal, now); ok {
			out = append(out, k)
		}
	}
	if k, ok := c.taskClock(now); ok {
		out = append(out, k)
	}
	return out
}

// taskClock is the day a drawn task (双随机) is to be done by, the whole day
// included: met when the case records TaskStage by then, overdue after.
// False for a case that carries out no task, or one whose day does not read.
func (c *Case) taskClock(now time.Time) (Clock, bool) {
	t := c.Opening.Task
	if t == nil {
		return Clock{}, false
	}
	day, err := time.ParseInLocation(time.DateOnly, t.Due, now.Location())
	if err != nil {
		return Clock{}, false
	}
	k := Clock{Key: TaskClock, Due: day}
	end := day.AddDate(0, 0, 1).Add(-time.Nanosecond)
	if done, ok := c.Done[TaskStage]; ok {
		k.Met = !done.At.After(end)
		k.Missed = !k.Met
	} else {
		k.Overdue = now.After(end)
	}
	return k, true
}

// clock is one rule's limit on the case; false when it does not apply yet.
func (c *Case) clock(p Procedure, rule ClockRule, cal *calendar.Calendar, now time.Time) (Clock, bool) {
	k := Clock{Key: rule.Key, Party: rule.Party}
	from, started := c.Done[rule.From]
	start := c.OpenedAt
	switch {
	case started:
		start = from.At
	case len(p.Stages) > 0 && p.Stages[0].Key == rule.From && rule.Date == "":
		// The first stage's limit runs from the opening until it is recorded.
	default:
		return k, false
	}
	done := c.firstDone(rule.Until)
	if rule.Catchup && done != nil && !done.At.After(start) {
		return k, false
	}
	start = start.In(now.Location())
	end := time.Time{}
	switch {
	case rule.Date != "":
		var b StageBody
		_ = json.Unmarshal(from.Body, &b) // a body that does not read sets no date
		day, err := time.ParseInLocation(time.DateOnly, b.DateOf(rule.Date), now.Location())
		if err != nil {
			return k, false
		}
		k.Due = day.AddDate(0, 0, rule.Days)
	case rule.Hours > 0:
		k.Due = start.Add(time.Duration(rule.Hours) * time.Hour)
		end = k.Due
	case rule.Workdays > 0:
		k.Due, k.Approximate = cal.AddWorkdays(start, rule.Workdays), !cal.Known(start)
	default:
		k.Due = dateOf(start).AddDate(0, 0, rule.Days)
	}
	if ext, ok := c.Done[rule.Extend]; ok && rule.Extend != "" {
		k.Extended = true
		switch {
		case rule.ExtendWorkdays > 0:
			k.Due = cal.AddWorkdays(k.Due, rule.ExtendWorkdays)
			k.Approximate = k.Approximate || !cal.Known(ext.At)
		default:
			k.Due = k.Due.AddDate(0, 0, rule.ExtendDays)
		}
	}
	if end.IsZero() {
		end = k.Due.Add(24*time.Hour - time.Nanosecond)
	}
	switch {
	case done != nil:
		k.Met = !done.At.After(end)
		k.Missed = !k.Met
	case k.Party:
		k.Lapsed = now.After(end)
	default:
		k.Overdue = now.After(end)
	}
	return k, true
}

// firstDone is the earliest record of the stages alts names ("a|b").
func (c *Case) firstDone(alts string) *Record {
	var first *Record
	for _, key := range strings.Split(alts, "|") {
		if r, ok := c.Done[key]; ok && key != "" && (first == nil || r.At.Before(first.At)) {
			first = &r
		}
	}
	return first
}

// Procedure is the procedure the case follows: the one its log resolved
// (Log.Case), else the national one.
func (c *Case) Procedure() Procedure {
	if c.Proc != nil {
		return *c.Proc
	}
	return National().Of(c)
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// AVRequirement says which stages of an agency's procedures need audio or
// video (音像记录事项清单), and which need it for the whole process.
type AVRequirement struct {
	Agency      string   `json:"agency"`
	Stages      []string `json:"stages"`
	FullProcess []string `json:"full_process"`
}

// AVStages lists the stages done that the agency's A/V list covers, each
// with whether it needs a recording of the whole process (全过程音像记录)
// rather than any audio-visual record.
func (c *Case) AVStages(req []AVRequirement) (stages []string, fullProcess map[string]bool) {
	need := map[string]bool{}
	for _, r := range req {
		if r.Agency != c.Opening.Agency && r.Agency != "*" {
			continue
		}
		for _, s := range r.Stages {
			if _, ok := need[s]; !ok {
				need[s] = false
			}
		}
		for _, s := range r.FullProcess {
			need[s] = true
		}
	}
	for _, st := range c.Procedure().Stages {
		if st.AV != "" {
			if _, ok := need[st.Key]; !ok {
				need[st.Key] = false
			}
			need[st.Key] = need[st.Key] || st.AV == "full"
		}
		_, listed := need[st.Key]
		if _, done := c.Done[st.Key]; done && listed {
			stages = append(stages, st.Key)
		}
	}
	return stages, need
}

// MissingAV lists the stages done without the audio-visual record the
// agency's list requires. A stage's record is media on the stage record,
// media added after it before the next stage, or a recording that names
// it (a recording usually starts before the stage is recorded). Photos
// are audio-visual records (照相); a stage listed for the whole process
// needs sound or picture recorded (录音、录像), which a photo is not.
func (c *Case) MissingAV(req []AVRequirement) []string {
	stages, full := c.AVStages(req)
	if len(stages) == 0 {
		return nil
	}
	stageAt := map[ledger.RecordRef]string{}
	for key, r := range c.Done {
		stageAt[r.Ref()] = key
	}
	anyAV, recorded := map[string]bool{}, map[string]bool{}
	current := ""
	for _, r := range c.Records {
		if r.Kind == KindStage {
			current = stageAt[r.Ref()]
		}
		if len(r.Media) == 0 {
			continue
		}
		named, sound := "", false
		if rec, ok := RecordingOf(r); ok {
			named, sound = rec.Stage, rec.Kind == MediaAudio || rec.Kind == MediaVideo
		}
		for _, st := range []string{current, named} {
			if st != "" {
				anyAV[st] = true
				recorded[st] = recorded[st] || sound
			}
		}
	}
	var out []string
	for _, st := range stages {
		if full[st] && !recorded[st] || !anyAV[st] {
			out = append(out, st)
		}
	}
	return out
}

// MaskID masks an identity number for lists: the first 6 and the last 4
// kept (a unified social credit code of an organisation is public, and kept).
func MaskID(p Party) string {
	if p.Kind == "org" {
		return p.IDNo
	}
	r := []rune(p.IDNo)
	if len(r) <= 10 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:6]) + strings.Repeat("*", len(r)-10) + string(r[len(r)-4:])
}
