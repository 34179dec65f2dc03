package intake

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"github.com/sanxiang-desk/sanxiang/app/redact"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// Checked twice (issue 18, item 3): a device's redaction is not taken on
// trust. On arrival the platform runs the same engine (package redact)
// over what the device would publish, and over the decision as written
// with the officer's own marks; anything it would mask that is still in
// the published text holds the publication: it stays out of the public
// lists (no public page, nothing in the change feed to kiosks), an alert
// is raised, and an administrator decides — publish the platform's
// redaction, publish the device's text as it is for a stated reason (a
// false positive), or reject it — each decision kept on the held row and
// in the audit log by the console.

// The states of a held publication.
const (
	HeldWaiting    = "held"       // waits for an administrator
	HeldPlatform   = "platform"   // published with the platform's redaction
	HeldDevice     = "device"     // published as the device sent it
	HeldRejected   = "rejected"   // kept off the public lists
	HeldWithdrawn  = "withdrawn"  // the device withdrew it while held
	HeldSuperseded = "superseded" // a later publication of the case replaced it
)

// HeldSpan is one piece of the device's published text the platform
// masks more: byte offsets into the device's text.
type HeldSpan struct {
	Start    int    `json:"start"`
	End      int    `json:"end"`
	Kind     string `json:"kind"`
	Original string `json:"original"`
	Masked   string `json:"masked"`
}

// Held is a publication the platform held.
type Held struct {
	CaseID, Device string
	Seq            int64
	Agency         string
	HeldAt         string // RFC 3339 UTC
	// Decision is what the device would have published.
	Decision                   catalog.Decision
	DeviceParty, PlatformParty string
	DeviceText, PlatformText   string
	Extra                      []HeldSpan
	State                      string
	DecidedAt, DecidedBy       string
	DecidedRole, Reason        string
}

// Errors of an administrator's decision on a held publication.
var (
	ErrNoHeld         = errors.New("no such held publication")
	ErrHeldDecided    = errors.New("the held publication was decided already")
	ErrHeldNeedReason = errors.New("publishing the device's text as it is, or rejecting it, needs a stated reason")
	ErrHeldChoice     = errors.New("unknown decision on a held publication")
	ErrHeldElsewhere  = errors.New("the held publication is another agency's")
)

// Recheck runs the platform's redaction over a publication as a device
// sent it. It answers the platform's party and text (the device's with
// what more the platform masks) and the spans it masks more in the
// device's text; none, and the same party, when the device's redaction
// holds.
//
// Two runs find what the device left: the engine over the published text
// itself, and the engine over the decision as written, with the officer's
// manual marks, whose every masked piece must be gone from the published
// text. A name once found is looked for everywhere, even inside an
// organisation's name: in doubt the platform holds, and an administrator
// may publish the device's text for a stated reason.
func Recheck(p publish.Publication) (party, text string, extra []HeldSpan) {
	var found []HeldSpan
	for _, sp := range redact.Redact(p.Redacted, redact.Options{}).Spans {
		if sp.Original != sp.Masked {
			found = append(found, HeldSpan{sp.Start, sp.End, string(sp.Kind), sp.Original, sp.Masked})
		}
	}
	pairs := map[string]redact.Span{}
	if strings.TrimSpace(p.Original) != "" {
		for _, sp := range redact.Redact(p.Original, redact.Options{Extra: p.Manual}).Spans {
			if sp.Original != sp.Masked && strings.Trim(sp.Original, "*") != "" {
				if old, ok := pairs[sp.Original]; !ok || len(sp.Masked) > len(old.Masked) {
					pairs[sp.Original] = sp
				}
			}
		}
	}
	for orig, sp := range pairs {
		for at := 0; ; {
			i := strings.Index(p.Redacted[at:], orig)
			if i < 0 {
				break
			}
			found = append(found, HeldSpan{at + i, at + i + len(orig), string(sp.Kind), orig, sp.Masked})
			at += i + len(orig)
		}
	}
	extra = mergeSpans(p.Redacted, found)
	text = applySpans(p.Redacted, extra)

	// The party as published: the engine with its label, and every piece
	// the decision's own redaction masks.
	party = strings.TrimSuffix(strings.TrimPrefix(redact.Redact("当事人："+p.Party+"，", redact.Options{}).Text, "当事人："), "，")
	origs := make([]string, 0, len(pairs))
	for o := range pairs {
		origs = append(origs, o)
	}
	slices.SortFunc(origs, func(a, b string) int { return len(b) - len(a) })
	for _, o := range origs {
		party = strings.ReplaceAll(party, o, pairs[o].Masked)
	}
	return party, text, extra
}

// mergeSpans orders spans and makes one of those that overlap, over
// their union, masked whole with * (in doubt, more is masked).
func mergeSpans(s string, spans []HeldSpan) []HeldSpan {
	slices.SortFunc(spans, func(a, b HeldSpan) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return (b.End - b.Start) - (a.End - a.Start)
	})
	var out []HeldSpan
	for _, sp := range spans {
		if n := len(out); n > 0 && sp.Start < out[n-1].End {
			// One inside the last is masked with it already.
			if last := &out[n-1]; sp.End > last.End {
				last.End = sp.End
				last.Original = s[last.Start:last.End]
				last.Masked = strings.Repeat("*", utf8.RuneCountInString(last.Original))
			}
			continue
		}
		out = append(out, sp)
	}
	return out
}

// applySpans is s with each span replaced by its mask.
func applySpans(s string, spans []HeldSpan) string {
	var b strings.Builder
	pos := 0
	for _, sp := range spans {
		b.WriteString(s[pos:sp.Start])
		b.WriteString(sp.Masked)
		pos = sp.End
	}
	b.WriteString(s[pos:])
	return b.String()
}

// hold keeps a publication the recheck found wanting, instead of
// publishing it, and raises the alert. The same record arriving again (a
// retried follow-up) changes nothing; a newer publication of the case
// replaces the row.
func (s *Intake) hold(ctx context.Context, device string, seq int64, dec *catalog.Decision, party, text string, extra []HeldSpan) (err error) {
	defer wrap.Err(&err, "hold publication of case %s", dec.ID)
	var haveDevice string
	var haveSeq int64
	err = s.db.QueryRowContext(ctx, `SELECT device, seq FROM held_publications WHERE case_id = ?`, dec.ID).Scan(&haveDevice, &haveSeq)
	if err == nil && haveDevice == device && haveSeq == seq {
		return nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	body, err := json.Marshal(dec)
	if err != nil {
		return err
	}
	spans, err := json.Marshal(extra)
	if err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO held_publications (case_id, device, seq, agency, held_at, decision, device_party, platform_party,
		device_text, platform_text, extra, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'held')
		ON CONFLICT (case_id) DO UPDATE SET device = excluded.device, seq = excluded.seq, agency = excluded.agency, held_at = excluded.held_at,
		decision = excluded.decision, device_party = excluded.device_party, platform_party = excluded.platform_party,
		device_text = excluded.device_text, platform_text = excluded.platform_text, extra = excluded.extra, state = 'held',
		decided_at = '', decided_by = '', decided_role = '', reason = ''`,
		dec.ID, device, seq, dec.AgencyCode, s.now().UTC().Format(time.RFC3339), string(body), dec.Party, party, dec.Content, text, string(spans)); err != nil {
		return err
	}
	kinds := []string{}
	for _, sp := range extra {
		if k := words.L("platform.held.kind." + sp.Kind); !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	if party != dec.Party && !slices.Contains(kinds, words.L("platform.held.kind.party")) {
		kinds = append(kinds, words.L("platform.held.kind.party"))
	}
	s.Alert(ctx, device, "publication_held", words.L("platform.alert.publication_held", map[string]any{
		"Case": dec.ID, "DocNo": dec.DocNo, "Count": len(extra), "Kinds": strings.Join(kinds, "、")}))
	return nil
}

// settleHeld marks a case's waiting held publication: a newer one of the
// case passed the recheck, or the device withdrew it.
func (s *Intake) settleHeld(ctx context.Context, caseID, state string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE held_publications SET state = ?, decided_at = ? WHERE case_id = ? AND state = 'held'`,
		state, s.now().UTC().Format(time.RFC3339), caseID); err != nil {
		return fmt.Errorf("settle held publication of case %s: %w", caseID, err)
	}
	return nil
}

const heldColumns = `case_id, device, seq, agency, held_at, decision, device_party, platform_party, device_text, platform_text, extra,
	state, decided_at, decided_by, decided_role, reason`

type rowScanner interface{ Scan(...any) error }

func scanHeld(r rowScanner) (Held, error) {
	var h Held
	var dec, extra string
	if err := r.Scan(&h.CaseID, &h.Device, &h.Seq, &h.Agency, &h.HeldAt, &dec, &h.DeviceParty, &h.PlatformParty, &h.DeviceText, &h.PlatformText,
		&extra, &h.State, &h.DecidedAt, &h.DecidedBy, &h.DecidedRole, &h.Reason); err != nil {
		return h, err
	}
	if err := json.Unmarshal([]byte(dec), &h.Decision); err != nil {
		return h, fmt.Errorf("held publication %s: %w", h.CaseID, err)
	}
	if err := json.Unmarshal([]byte(extra), &h.Extra); err != nil {
		return h, fmt.Errorf("held publication %s: %w", h.CaseID, err)
	}
	return h, nil
}

// HeldList is the held publications, the waiting first, then the latest:
// all, or one agency's.
func (s *Intake) HeldList(ctx context.Context, agency string) (_ []Held, err error) {
	defer wrap.Err(&err, "list held publications")
	q := `SELECT ` + heldColumns + ` FROM held_publications`
	var args []any
	if agency != "" {
		q += ` WHERE agency = ?`
		args = append(args, agency)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY CASE WHEN state = 'held' THEN 0 ELSE 1 END, held_at DESC, case_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Held{}
	for rows.Next() {
		h, err := scanHeld(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// HeldOne is the held publication of a case; ErrNoHeld if none.
func (s *Intake) HeldOne(ctx context.Context, caseID string) (h Held, err error) {
	defer wrap.Err(&err, "held publication of case %s", caseID)
	h, err = scanHeld(s.db.QueryRowContext(ctx, `SELECT `+heldColumns+` FROM held_publications WHERE case_id = ?`, caseID))
	if errors.Is(err, sql.ErrNoRows) {
		return h, ErrNoHeld
	}
	return h, err
}

// DecideHeld is an administrator's decision on a waiting held
// publication: HeldPlatform publishes the platform's redaction,
// HeldDevice the device's text as it came (reason required), HeldRejected
// keeps it off the public lists (reason required). Publishing goes
// through the public lists as any publication does. scope, when not "",
// is the only agency the administrator may decide for. The decision is
// kept on the row; the caller writes the audit log.
func (s *Intake) DecideHeld(ctx context.Context, caseID, scope, choice, actor, role, reason string) (h Held, err error) {
	defer wrap.Err(&err, "decide held publication of case %s", caseID)
	reason = strings.TrimSpace(reason)
	switch choice {
	case HeldPlatform:
	case HeldDevice, HeldRejected:
		if reason == "" {
			return h, ErrHeldNeedReason
		}
	default:
		return h, ErrHeldChoice
	}
	h, err = s.HeldOne(ctx, caseID)
	if err != nil {
		return h, err
	}
	if scope != "" && h.Agency != scope {
		return h, ErrHeldElsewhere
	}
	at := s.now().UTC().Format(time.RFC3339)
	// Claimed first: of two administrators deciding at once, one does.
	res, err := s.db.ExecContext(ctx, `UPDATE held_publications SET state = ?, decided_at = ?, decided_by = ?, decided_role = ?, reason = ?
		WHERE case_id = ? AND device = ? AND seq = ? AND state = 'held'`, choice, at, actor, role, reason, caseID, h.Device, h.Seq)
	if err != nil {
		return h, err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return h, ErrHeldDecided
	}
	if choice != HeldRejected {
		dec := h.Decision
		if choice == HeldPlatform {
			dec.Party, dec.Content = h.PlatformParty, h.PlatformText
		}
		dec.PublishedOn = s.now().In(time.Local).Format("2006-01-02")
		if err := s.lists.Publish(ctx, []catalog.Item{&dec}, nil); err != nil {
			// Not published: it waits again.
			if _, uerr := s.db.ExecContext(ctx, `UPDATE held_publications SET state = 'held', decided_at = '', decided_by = '', decided_role = '', reason = ''
				WHERE case_id = ? AND device = ? AND seq = ?`, caseID, h.Device, h.Seq); uerr != nil {
				s.log.Error("held publication left decided after a failed publication", "case", caseID, "err", uerr)
			}
			return h, err
		}
	}
	h.State, h.DecidedAt, h.DecidedBy, h.DecidedRole, h.Reason = choice, at, actor, role, reason
	return h, nil
}
