package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
)

// Submission is the body of a review.submit record: the proposed decision
// with its materials.
type Submission struct {
	Proposal   Proposal `json:"proposal"`
	Facts      string   `json:"facts"`
	Evidence   []int64  `json:"evidence"` // records of the case that prove the facts
	LegalBasis string   `json:"legal_basis"`
	Discretion string   `json:"discretion"` // the discretion benchmark applied (裁量基准)
	Major      bool     `json:"major"`
	Rules      []Rule   `json:"rules,omitempty"` // the list entries that make it major
	Checklist  string   `json:"checklist"`
	Due        string   `json:"due"` // the review's last working day
}

// PointResult is the reviewer's answer to one checklist point.
type PointResult struct {
	Key    string  `json:"key"`
	Text   string  `json:"text"`
	Status string  `json:"status"` // met, not_met, na
	Note   string  `json:"note"`
	Refs   []int64 `json:"refs,omitempty"` // case records that support it
}

// Reviewer is who signs an opinion.
type Reviewer struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Qualification string `json:"qualification"`
	// Agency is the agency whose cases the reviewer reviews; Keys the
	// public keys the platform registered to them and has not revoked
	// (standard base64). An opinion counts only under one of them.
	Agency string   `json:"agency,omitempty"`
	Keys   []string `json:"keys,omitempty"`
}

// SignedOpinion is the record an opinion was signed in on the reviewer's
// device (a review.remote_opinion, with the reviewer's signature), and
// that log's origin: carried with the opinion to the case's device, which
// checks it before taking the opinion in, and kept with it, so anyone can
// check it again.
type SignedOpinion struct {
	Origin string          `json:"origin"`
	Record json.RawMessage `json:"record"`
}

// Opinion is the body of a review.opinion record.
type Opinion struct {
	Submission int64         `json:"submission"` // the seq of the submission it answers
	Checklist  string        `json:"checklist"`
	Points     []PointResult `json:"points"`
	Opinion    string        `json:"opinion"` // agree, disagree, return
	Reasons    string        `json:"reasons"`
	Reviewer   Reviewer      `json:"reviewer"`
	// Origin names the record an opinion signed on another device came
	// from ("DEVICE#SEQ" in that device's log, which the platform holds);
	// empty when it was signed on this device.
	Origin string `json:"origin,omitempty"`
	// Signed is that record itself, with the reviewer's signature.
	Signed *SignedOpinion `json:"signed,omitempty"`
}

// RemoteOpinion is the body of a review.remote_opinion record: an opinion
// a reviewer signed on this device about a case of another device. It is
// kept in this device's log (under the case key DEVICE/CASE) and reaches
// the case's own device through the platform.
type RemoteOpinion struct {
	Device  string  `json:"device"`
	Case    string  `json:"case"`
	Opinion Opinion `json:"opinion"`
}

// Coordination is the body of a review.coordinate record: how a
// disagreement between the reviewer and the handling unit was settled.
type Coordination struct {
	Opinion      int64  `json:"opinion"`
	Method       string `json:"method"`  // collective (集体讨论) or head (负责人决定)
	Outcome      string `json:"outcome"` // what was decided
	Participants string `json:"participants"`
}

// Errors the screens explain and the gate's tests expect.
var (
	ErrPending         = errors.New("review: a submission of this case is still waiting for its opinion")
	ErrNoPending       = errors.New("review: the opinion must answer the case's pending submission")
	ErrNotReviewer     = errors.New("review: only a legal reviewer may sign an opinion")
	ErrFirstTime       = errors.New("review: a first-time reviewer must hold the national legal professional qualification (行政处罚法 art. 58)")
	ErrIncomplete      = errors.New("review: every checklist point needs an answer, and a refusal or return needs reasons")
	ErrInconsistent    = errors.New("review: an opinion that agrees cannot leave a point not met")
	ErrBadRef          = errors.New("review: a reference names a record of another case")
	ErrNoReview        = errors.New("review: a major decision needs a legal review first")
	ErrReviewNotPassed = errors.New("review: the legal review has not passed")
	ErrOtherCase       = errors.New("review: the review belongs to another case")
	ErrDecisionDiffers = errors.New("review: the decision differs from the one reviewed")
	ErrDecisionMissing = errors.New("review: a decision record must state what is decided")
	ErrNoDisagreement  = errors.New("review: coordination follows an opinion that disagrees")
	// ErrUnsignedOpinion: the opinion does not carry a signature that
	// verifies under a key registered to its reviewer.
	ErrUnsignedOpinion = errors.New("review: the opinion is not signed by its reviewer's registered key")
)

// Reviewers tells who is a legal reviewer and with what qualification: the
// device's account book, or the platform's registry.
type Reviewers interface {
	Reviewer(id string) (Reviewer, bool)
}

// Registry is a list of reviewers by ID: the platform's, on the platform
// or as a device last pulled it.
type Registry map[string]Reviewer

// NewRegistry indexes a list of reviewers.
func NewRegistry(list []Reviewer) Registry {
	r := Registry{}
	for _, v := range list {
		r[v.ID] = v
	}
	return r
}

// Reviewer returns the registered reviewer with the id.
func (r Registry) Reviewer(id string) (Reviewer, bool) {
	v, ok := r[id]
	return v, ok
}

// AnyOf trusts a reviewer that any of its registries knows: a device's own
// accounts and the platform's registry.
type AnyOf []Reviewers

// Reviewer returns the first registry's answer that knows id, with the
// keys every registry holds for them (their key on this device, and those
// the platform registered on others).
func (a AnyOf) Reviewer(id string) (Reviewer, bool) {
	var out Reviewer
	found := false
	for _, r := range a {
		v, ok := r.Reviewer(id)
		if !ok {
			continue
		}
		if !found {
			out, found = v, true
			out.Keys = slices.Clone(v.Keys)
			continue
		}
		for _, k := range v.Keys {
			if !slices.Contains(out.Keys, k) {
				out.Keys = append(out.Keys, k)
			}
		}
	}
	return out, found
}

// Service writes and checks reviews on a case log.
type Service struct {
	Log        *casefile.Log
	Policies   Policies
	Checklists map[string]Checklist
	Calendar   *calendar.Calendar
	Reviewers  Reviewers
	Now        func() time.Time
	// Remote gives other devices' cases waiting for review, from the
	// platform's last answer (a reviewer's device shows them in its
	// queue); nil for none.
	Remote func() []RemoteCase
	// Signatures makes the gate count an opinion only when it carries its
	// reviewer's signature under a registered key (the device sets it;
	// the platform checks signatures as records arrive).
	Signatures bool
}

// State is where a case's review stands, derived from its records.
type State struct {
	Submission    *Submission
	SubmissionSeq int64
	Opinion       *Opinion
	OpinionSeq    int64
	OpinionAuthor string
	OpinionRecord *casefile.Record
	Coordinated   *Coordination
}

// Pending reports a submission that waits for its opinion.
func (s State) Pending() bool { return s.Submission != nil && s.Opinion == nil }

// Passed reports an opinion that agrees with the latest submission.
func (s State) Passed() bool { return s.Opinion != nil && s.Opinion.Opinion == Agree }

// StateOf reads a case's review state from its records (up to the end).
func StateOf(c *casefile.Case) State { return stateUpTo(c, len(c.Records)) }

// stateUpTo reads the state from the case's first n records (by position:
// a case handed over holds records of several logs, whose seqs may meet).
func stateUpTo(c *casefile.Case, n int) State {
	var st State
	for i, r := range c.Records[:n] {
		switch r.Kind {
		case KindSubmit:
			var sub Submission
			if json.Unmarshal(r.Body, &sub) == nil {
				st = State{Submission: &sub, SubmissionSeq: r.Seq}
			}
		case KindOpinion:
			var op Opinion
			if json.Unmarshal(r.Body, &op) == nil {
				st.Opinion, st.OpinionSeq, st.OpinionAuthor, st.Coordinated = &op, r.Seq, r.Author, nil
				st.OpinionRecord = &c.Records[i]
			}
		case KindCoordinate:
			var co Coordination
			if json.Unmarshal(r.Body, &co) == nil {
				st.Coordinated = &co
			}
		}
	}
	return st
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func inCase(c *casefile.Case, seqs ...int64) bool {
	for _, q := range seqs {
		found := false
		for _, r := range c.Records {
			found = found || r.Seq == q
		}
		if !found {
			return false
		}
	}
	return true
}

// Submit sends the proposed decision of a case to legal review. It records
// whether the decision is major and by which list entries, the checklist
// the agency uses, and the day the review is due.
func (s *Service) Submit(ctx context.Context, caseID, author string, sub Submission) (*casefile.Record, error) {
	c, err := s.Log.Case(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("submit case %s for review: %w", caseID, err)
	}
	if StateOf(c).Pending() {
		return nil, ErrPending
	}
	if !inCase(c, sub.Evidence...) {
		return nil, ErrBadRef
	}
	if strings.TrimSpace(sub.Facts) == "" || strings.TrimSpace(sub.LegalBasis) == "" || strings.TrimSpace(sub.Proposal.Text) == "" {
		return nil, ErrIncomplete
	}
	sub.Proposal.Act = c.Opening.Act
	sub.Proposal.PartyKind = c.Opening.Party.Kind
	pol := s.Policies[c.Opening.Agency]
	sub.Rules = pol.Major(sub.Proposal)
	sub.Major = len(sub.Rules) > 0
	sub.Checklist = pol.ChecklistFor(s.Checklists).ID
	sub.Due = s.Calendar.AddWorkdays(s.now(), pol.Days()).Format(time.DateOnly)
	body, err := json.Marshal(sub)
	if err != nil {
		return nil, fmt.Errorf("submit case %s for review: %w", caseID, err)
	}
	r, err := s.Log.AddRecord(ctx, caseID, author, KindSubmit, body, nil)
	if err != nil {
		return nil, fmt.Errorf("submit case %s for review: %w", caseID, err)
	}
	return r, nil
}

// ChecklistOf is the checklist a case's agency reviews with.
func (s *Service) ChecklistOf(c *casefile.Case) Checklist {
	return s.Policies[c.Opening.Agency].ChecklistFor(s.Checklists)
}

// Opine records a reviewer's signed opinion on the case's pending
// submission. Only reviewer accounts may; a first-time reviewer must hold
// the national legal professional qualification.
func (s *Service) Opine(ctx context.Context, caseID, reviewerID string, op Opinion) (*casefile.Record, error) {
	c, err := s.Log.Case(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("sign opinion on case %s: %w", caseID, err)
	}
	if err := s.checkOpinion(ctx, c, reviewerID, &op, true); err != nil {
		return nil, err
	}
	body, err := json.Marshal(op)
	if err != nil {
		return nil, fmt.Errorf("sign opinion on case %s: %w", caseID, err)
	}
	r, err := s.Log.AddRecord(ctx, caseID, reviewerID, KindOpinion, body, nil)
	if err != nil {
		return nil, fmt.Errorf("sign opinion on case %s: %w", caseID, err)
	}
	return r, nil
}

// OpineRemote signs an opinion on another device's case (a queue item the
// platform sent): checked exactly as Opine checks, then kept in this
// device's log as a review.remote_opinion record for the next push.
func (s *Service) OpineRemote(ctx context.Context, it QueueItem, reviewerID string, op Opinion) (*casefile.Record, error) {
	if it.Device == "" {
		return s.Opine(ctx, it.Case.ID, reviewerID, op)
	}
	if err := s.checkOpinion(ctx, it.Case, reviewerID, &op, true); err != nil {
		return nil, err
	}
	body, err := json.Marshal(RemoteOpinion{Device: it.Device, Case: it.Case.ID, Opinion: op})
	if err != nil {
		return nil, fmt.Errorf("sign opinion on case %s/%s: %w", it.Device, it.Case.ID, err)
	}
	r := &casefile.Record{Case: it.Device + "/" + it.Case.ID, Kind: KindRemoteOpinion, Author: reviewerID, Body: body}
	if err := s.Log.Append(ctx, r); err != nil {
		return nil, fmt.Errorf("sign opinion on case %s/%s: %w", it.Device, it.Case.ID, err)
	}
	return r, nil
}

// ReceiveOpinion takes into a case an opinion a reviewer signed on another
// device, as the platform delivered it: the reviewer device's record, which
// must carry the reviewer's signature under a key the registry this device
// trusts holds for them, and answer this case. The opinion is read from
// that record, checked again here against the case as this device holds
// it, and kept with the record. ErrNoPending means the case has no such
// pending submission (already answered, or superseded): nothing is written.
func (s *Service) ReceiveOpinion(ctx context.Context, caseID string, signed SignedOpinion) (*casefile.Record, error) {
	op, origin, err := s.verifyRemote(caseID, signed)
	if err != nil {
		return nil, fmt.Errorf("receive opinion on case %s: %w", caseID, err)
	}
	c, err := s.Log.Case(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("receive opinion %s on case %s: %w", origin, caseID, err)
	}
	reviewer := op.Reviewer.ID
	// The first-time rule was applied where the reviewer signed.
	if err := s.checkOpinion(ctx, c, reviewer, &op, false); err != nil {
		return nil, err
	}
	op.Origin, op.Signed = origin, &signed
	body, err := json.Marshal(op)
	if err != nil {
		return nil, fmt.Errorf("receive opinion %s on case %s: %w", origin, caseID, err)
	}
	r, err := s.Log.AddRecord(ctx, caseID, reviewer, KindOpinion, body, nil)
	if err != nil {
		return nil, fmt.Errorf("receive opinion %s on case %s: %w", origin, caseID, err)
	}
	return r, nil
}

// verifyRemote checks an opinion signed on another device: the record is
// a remote opinion on caseID, signed by its author with a key the registry
// holds for that reviewer. It returns the opinion and names the record
// ("DEVICE#SEQ").
func (s *Service) verifyRemote(caseID string, signed SignedOpinion) (Opinion, string, error) {
	var rec casefile.Record
	if err := json.Unmarshal(signed.Record, &rec); err != nil || rec.Kind != KindRemoteOpinion {
		return Opinion{}, "", fmt.Errorf("%w: not a signed opinion record", ErrUnsignedOpinion)
	}
	origin := strings.TrimPrefix(signed.Origin, "sanxiang/device/") + "#" + strconv.FormatInt(rec.Seq, 10)
	var ro RemoteOpinion
	if err := json.Unmarshal(rec.Body, &ro); err != nil || ro.Case != caseID || ro.Opinion.Reviewer.ID != rec.Author {
		return Opinion{}, origin, fmt.Errorf("%w: record %s does not answer case %s as its author", ErrUnsignedOpinion, origin, caseID)
	}
	if err := s.signedBy(signed.Origin, &rec, rec.Author); err != nil {
		return Opinion{}, origin, fmt.Errorf("record %s: %w", origin, err)
	}
	return ro.Opinion, origin, nil
}

// signedBy checks that r, in the log of origin, carries person's signature
// under a key the reviewers' registry (or this device's accounts) holds.
func (s *Service) signedBy(origin string, r *casefile.Record, person string) error {
	g, ok := r.SigBy(person)
	if !ok {
		return fmt.Errorf("%w: no signature by %s", ErrUnsignedOpinion, person)
	}
	if err := ledger.VerifySigs(origin, r); err != nil {
		return fmt.Errorf("%w: %w", ErrUnsignedOpinion, err)
	}
	rv, ok := s.Reviewers.Reviewer(person)
	if !ok || !slices.Contains(rv.Keys, g.Key) {
		return fmt.Errorf("%w: the key %s is not registered to %s", ErrUnsignedOpinion, g.Key, person)
	}
	return nil
}

// opinionSigned is the gate's check of the opinion that passes a review:
// signed on this device by its author, or taken in with the signed record
// from the reviewer's device.
func (s *Service) opinionSigned(c *casefile.Case, st State) error {
	if st.Opinion.Signed != nil {
		_, _, err := s.verifyRemote(c.ID, *st.Opinion.Signed)
		return err
	}
	if st.OpinionRecord == nil {
		return ErrUnsignedOpinion
	}
	return s.signedBy(s.Log.Origin(), st.OpinionRecord, st.OpinionAuthor)
}

// checkOpinion applies the rules of an opinion on c and completes it with
// the checklist's texts and the reviewer's details.
func (s *Service) checkOpinion(ctx context.Context, c *casefile.Case, reviewerID string, op *Opinion, firstTime bool) error {
	rv, ok := s.Reviewers.Reviewer(reviewerID)
	if !ok {
		return ErrNotReviewer
	}
	if firstTime && rv.Qualification != QualLegalProfessional {
		prior, err := s.opinionsBy(ctx, reviewerID)
		if err != nil {
			return err
		}
		if prior == 0 {
			return ErrFirstTime
		}
	}
	st := StateOf(c)
	if !st.Pending() || op.Submission != st.SubmissionSeq {
		return ErrNoPending
	}
	cl := s.ChecklistOf(c)
	if len(op.Points) != len(cl.Points) {
		return ErrIncomplete
	}
	notMet := false
	for i, p := range op.Points {
		if p.Key != cl.Points[i].Key || (p.Status != Met && p.Status != NotMet && p.Status != NA) {
			return ErrIncomplete
		}
		if !inCase(c, p.Refs...) {
			return ErrBadRef
		}
		op.Points[i].Text = cl.Points[i].Text
		notMet = notMet || p.Status == NotMet
	}
	switch op.Opinion {
	case Agree:
		if notMet {
			return ErrInconsistent
		}
	case Disagree, Return:
		if strings.TrimSpace(op.Reasons) == "" {
			return ErrIncomplete
		}
	default:
		return ErrIncomplete
	}
	op.Checklist = cl.ID
	op.Reviewer = rv
	return nil
}

func (s *Service) opinionsBy(ctx context.Context, reviewerID string) (int, error) {
	var n int
	err := s.Log.DB().QueryRowContext(ctx, `SELECT count(*) FROM records WHERE kind IN (?, ?) AND author = ?`,
		KindOpinion, KindRemoteOpinion, reviewerID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count opinions by reviewer %s: %w", reviewerID, err)
	}
	return n, nil
}

// Coordinate records how the unit settled a disagreement with the reviewer
// (协调决策). It does not pass the review: a decision still needs one.
func (s *Service) Coordinate(ctx context.Context, caseID, author string, co Coordination) (*casefile.Record, error) {
	c, err := s.Log.Case(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("record coordination on case %s: %w", caseID, err)
	}
	st := StateOf(c)
	if st.Opinion == nil || st.Opinion.Opinion != Disagree {
		return nil, ErrNoDisagreement
	}
	if strings.TrimSpace(co.Outcome) == "" || (co.Method != "collective" && co.Method != "head") {
		return nil, ErrIncomplete
	}
	co.Opinion = st.OpinionSeq
	body, err := json.Marshal(co)
	if err != nil {
		return nil, fmt.Errorf("record coordination on case %s: %w", caseID, err)
	}
	r, err := s.Log.AddRecord(ctx, caseID, author, KindCoordinate, body, nil)
	if err != nil {
		return nil, fmt.Errorf("record coordination on case %s: %w", caseID, err)
	}
	return r, nil
}

// Gate is the rule on every stage append: a decision of any act (the
// stages its procedure marks as decisions) that is major, by
// the agency's list or by its submission, is refused unless the case's
// latest submission has an opinion that agrees, signed by a reviewer, and
// the decision is the one reviewed.
func (s *Service) Gate() casefile.Gate {
	return func(_ context.Context, c *casefile.Case, st casefile.StageBody) error {
		if !decides(c, st.Stage) {
			return nil
		}
		return s.check(c, stateOf(c), st.Decision)
	}
}

func stateOf(c *casefile.Case) State { return StateOf(c) }

// decides says whether stage is a decision of the case's procedure (决定,
// 查封扣押决定, 强制执行决定, a licence granted, denied or revoked…): every
// such record passes the gate, whatever the act.
func decides(c *casefile.Case, stage string) bool {
	st, ok := c.Procedure().Stage(stage)
	return ok && st.Decision
}

// ErrReviewPending refuses to hand over a case waiting for its legal
// review opinion: the opinion goes to the device that asked for it.
var ErrReviewPending = errors.New("the case waits for its legal review opinion")

// HandoverGate refuses to hand over a case whose review is pending.
func (s *Service) HandoverGate() casefile.HandoverGate {
	return func(_ context.Context, c *casefile.Case) error {
		if StateOf(c).Pending() {
			return fmt.Errorf("%w: %s", ErrReviewPending, c.ID)
		}
		return nil
	}
}

// proposalOf is what a decision decides: the decision recorded with it,
// else the proposal submitted for review; ok is false when neither is
// there.
func proposalOf(decisionJSON json.RawMessage, state State) (d Proposal, ok bool, err error) {
	if len(decisionJSON) > 0 {
		err = json.Unmarshal(decisionJSON, &d)
		return d, err == nil, err
	}
	if state.Submission != nil {
		return state.Submission.Proposal, true, nil
	}
	return d, false, nil
}

// isMajor says whether d, decided in c, is a major decision (重大执法决定):
// it matches the agency's list, or the submission for review said so.
func (s *Service) isMajor(c *casefile.Case, state State, d Proposal) bool {
	d.Act, d.PartyKind = c.Opening.Act, c.Opening.Party.Kind
	if _, heard := c.Done["hearing"]; heard && !slices.Contains(d.Kinds, "hearing") {
		// A decision after a hearing is one the law had the party heard on
		// (依法应当组织听证的): the lists name it major.
		d.Kinds = slices.Concat(d.Kinds, []string{"hearing"})
	}
	return len(s.Policies[c.Opening.Agency].Major(d)) > 0 || (state.Submission != nil && state.Submission.Major)
}

func (s *Service) check(c *casefile.Case, state State, decisionJSON json.RawMessage) error {
	d, ok, err := proposalOf(decisionJSON, state)
	if err != nil || !ok && len(s.Policies[c.Opening.Agency].Rules) > 0 {
		return ErrDecisionMissing
	}
	if !s.isMajor(c, state, d) {
		return nil
	}
	switch {
	case state.Submission == nil || state.Opinion == nil:
		return ErrNoReview
	case !inCase(c, state.Opinion.Submission) || state.Opinion.Submission != state.SubmissionSeq:
		return ErrOtherCase
	case state.Opinion.Opinion != Agree:
		return ErrReviewNotPassed
	}
	if _, ok := s.Reviewers.Reviewer(state.OpinionAuthor); !ok || state.Opinion.Reviewer.ID != state.OpinionAuthor {
		return ErrNotReviewer
	}
	if s.Signatures {
		if err := s.opinionSigned(c, state); err != nil {
			return err
		}
	}
	r := state.Submission.Proposal
	if d.Fine != r.Fine || d.Confiscate != r.Confiscate || !sameSet(d.Kinds, r.Kinds) {
		return ErrDecisionDiffers
	}
	return nil
}

// Major says whether the case's decision is a major one (重大执法决定):
// its last decision, or the proposal submitted for review when it is not
// decided yet, matches the agency's list, or the submission said so.
func (s *Service) Major(c *casefile.Case) bool {
	st := StateOf(c)
	var decision json.RawMessage
	if r, ok := c.Done[c.Procedure().DecisionStage()]; ok {
		var body casefile.StageBody
		if json.Unmarshal(r.Body, &body) == nil {
			decision = body.Decision
		}
	}
	d, ok, err := proposalOf(decision, st)
	if err != nil { // an unreadable decision: judge the proposal reviewed
		d, ok, _ = proposalOf(nil, st)
	}
	return ok && s.isMajor(c, st, d)
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// Violations lists the decide records of a case that the gate would have
// refused: the platform runs it on every log that arrives, since a record
// written around the device's code would still be in the signed log.
func (s *Service) Violations(c *casefile.Case) []string {
	var out []string
	for _, v := range s.ViolationsOf(c) {
		out = append(out, fmt.Sprintf("record %d: %v", v.Seq, v.Err))
	}
	return out
}

// Violation is one decide record the gate would have refused, and why.
type Violation struct {
	Seq int64
	Err error
}

// ViolationsOf is Violations with the refusals as errors.
func (s *Service) ViolationsOf(c *casefile.Case) []Violation {
	var out []Violation
	for i, r := range c.Records {
		if r.Kind != casefile.KindStage {
			continue
		}
		var st casefile.StageBody
		if json.Unmarshal(r.Body, &st) != nil || !decides(c, st.Stage) {
			continue
		}
		if err := s.check(c, stateUpTo(c, i), st.Decision); err != nil {
			out = append(out, Violation{Seq: r.Seq, Err: err})
		}
	}
	return out
}

// QueueItem is one case waiting for review.
type QueueItem struct {
	// Device is the device whose log holds the case; "" for this one.
	Device      string
	Case        *casefile.Case
	Submission  *Submission
	Seq         int64
	Due         time.Time
	DaysLeft    int // working days left, 0 on the due day and after
	Overdue     bool
	Approximate bool // the calendar lacks the due date's year
	// Masked says the parties' personal data is masked, as the platform's
	// queue sends it until the reviewer opens the case.
	Masked bool
}

// Queue lists the cases of an agency whose submission waits for an opinion,
// most urgent first.
func (s *Service) Queue(ctx context.Context, agency string) ([]QueueItem, error) {
	ids, err := s.Log.CaseIDs(ctx)
	if err != nil {
		return nil, fmt.Errorf("review queue: list cases: %w", err)
	}
	var out []QueueItem
	add := func(device string, c *casefile.Case, masked bool) {
		if agency != "" && c.Opening.Agency != agency {
			return
		}
		if st := StateOf(c); st.Pending() {
			it := s.queueItem(device, c, st)
			it.Masked = masked
			out = append(out, it)
		}
	}
	for _, id := range ids {
		c, err := s.Log.Case(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("review queue: read case %s: %w", id, err)
		}
		add("", c, false)
	}
	answered, err := s.remoteAnswered(ctx)
	if err != nil {
		return nil, fmt.Errorf("review queue: %w", err)
	}
	var remote []RemoteCase
	if s.Remote != nil {
		remote = s.Remote()
	}
	for _, rc := range remote {
		c, err := casefile.CaseOf(rc.Case, rc.Records)
		if err != nil {
			continue // the platform sent a broken case: nothing to review
		}
		if !answered[rc.Device+"/"+rc.Case+"#"+strconv.FormatInt(StateOf(c).SubmissionSeq, 10)] {
			add(rc.Device, c, rc.Masked)
		}
	}
	slices.SortFunc(out, func(a, b QueueItem) int { return a.Due.Compare(b.Due) })
	return out, nil
}

// RemoteCase is another device's case waiting for review, as the platform
// sent it: its records in log order.
type RemoteCase struct {
	Device  string            `json:"device"`
	Case    string            `json:"case"`
	Records []casefile.Record `json:"records"`
	// Masked says the parties' personal data is masked, as the queue
	// sends it until the reviewer opens the case.
	Masked bool `json:"masked,omitempty"`
}

// remoteAnswered lists the submissions this device has already answered
// with a remote opinion, as DEVICE/CASE#SEQ, so that the queue drops them
// before the platform's next answer does.
func (s *Service) remoteAnswered(ctx context.Context) (map[string]bool, error) {
	// Through the ledger: a sealed log's rows are opened there.
	recs, err := s.Log.OfKind(ctx, KindRemoteOpinion)
	if err != nil {
		return nil, fmt.Errorf("read remote opinions: %w", err)
	}
	out := map[string]bool{}
	for _, r := range recs {
		var ro RemoteOpinion
		if json.Unmarshal(r.Body, &ro) == nil {
			out[ro.Device+"/"+ro.Case+"#"+strconv.FormatInt(ro.Opinion.Submission, 10)] = true
		}
	}
	return out, nil
}

func (s *Service) queueItem(device string, c *casefile.Case, st State) QueueItem {
	now := s.now()
	due, _ := time.ParseInLocation(time.DateOnly, st.Submission.Due, now.Location())
	it := QueueItem{Device: device, Case: c, Submission: st.Submission, Seq: st.SubmissionSeq, Due: due,
		Approximate: !s.Calendar.Known(due)}
	endOfDue := due.AddDate(0, 0, 1)
	if now.After(endOfDue) || now.Equal(endOfDue) {
		it.Overdue = true
	} else {
		it.DaysLeft = s.Calendar.WorkdaysBetween(now, due)
	}
	return it
}

// BookReviewers reads reviewers from a device's account book.
type BookReviewers struct{ Book *account.Book }

// Reviewer returns the reviewer account with the id, if there is one.
func (b BookReviewers) Reviewer(id string) (Reviewer, bool) {
	list, err := b.Book.List(context.Background(), account.RoleReviewer)
	if err != nil {
		return Reviewer{}, false
	}
	for _, a := range list {
		if a.ID == id {
			rv := Reviewer{ID: a.ID, Name: a.Name, Qualification: a.Qualification, Agency: a.Agency}
			if a.PubKey != "" {
				rv.Keys = []string{a.PubKey}
			}
			return rv, true
		}
	}
	return Reviewer{}, false
}
