package casefile

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sanxiang-desk/sanxiang/app/ledger"
)

// Record kinds of a handover (移交): the officer who holds a case hands it
// to another officer, on this device or another, and that officer takes
// it over. Each is signed by its author; the platform carries the case's
// records to the device where it is taken over, and the earlier records
// stay in the logs that hold them, with their signatures.
const (
	KindHandover = "case.handover"
	KindTakeover = "case.takeover"
)

// Handover is the body of a handover record.
type Handover struct {
	// To is the certificate number of the officer the case goes to.
	To     string `json:"to"`
	ToName string `json:"to_name,omitempty"`
	Reason string `json:"reason"`
}

// Takeover is the body of a takeover record: it names the handover it
// answers by its place and the leaf hash of its bytes, and is the case's
// first record in the taking device's log when that is another device.
type Takeover struct {
	FromDevice string `json:"from_device"`
	FromSeq    int64  `json:"from_seq"`
	Handover   string `json:"handover"` // hex leaf hash of the handover record's bytes
}

// Errors of a handover.
var (
	// ErrHandedOver refuses a record for a case handed over and not yet
	// taken over, other than its taking over by the officer it names.
	ErrHandedOver = errors.New("the case has been handed over to another officer")
	// ErrNotHandedToYou refuses a takeover by someone the handover does
	// not name, or of a case not handed over.
	ErrNotHandedToYou = errors.New("the case was not handed over to this officer")
	// ErrBrokenChain: a case's records cannot be followed back to its
	// opening across the devices that held it.
	ErrBrokenChain = errors.New("the case's records cannot be followed back to its opening")
	// ErrNotHolder refuses a handover by someone who does not hold the case.
	ErrNotHolder = errors.New("only the officer who holds the case can hand it over")
	// ErrHandoverSelf refuses a handover to the officer who holds the case.
	ErrHandoverSelf = errors.New("a case cannot be handed over to the officer who holds it")
)

// HandoverGate checks a case before it is handed over; the review package
// installs one that refuses a case waiting for its legal review opinion
// (the opinion goes to the device that asked for it).
type HandoverGate func(ctx context.Context, c *Case) error

// SetHandoverGate installs the check every handover goes through.
func (l *Log) SetHandoverGate(g HandoverGate) { l.handoverGate = g }

// HandOver records that the officer who holds the case (author, signed in)
// hands it to another officer, on this device or another; from then on the
// case takes no record here but its taking over.
func (l *Log) HandOver(ctx context.Context, caseID, author string, h Handover) (*Record, error) {
	h.To, h.Reason = strings.TrimSpace(h.To), strings.TrimSpace(h.Reason)
	if h.To == "" || h.Reason == "" {
		return nil, fmt.Errorf("hand over %s: %w", caseID, ErrIncomplete)
	}
	body, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("hand over %s: %w", caseID, err)
	}
	r := &Record{Case: caseID, Kind: KindHandover, Author: author, Body: body}
	return r, l.add(ctx, r)
}

// TakeOver records that author, the officer a pending handover names,
// takes the case over on this device: the takeover names the handover by
// its place and hash, and the case continues here.
func (l *Log) TakeOver(ctx context.Context, caseID, author string) (*Record, error) {
	c, err := l.Case(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("take over %s: %w", caseID, err)
	}
	if c.Pending == nil || c.Pending.To != strings.TrimSpace(author) {
		return nil, fmt.Errorf("take over %s: %w", caseID, ErrNotHandedToYou)
	}
	h := c.Records[len(c.Records)-1]
	data, err := ledger.EncodeRecord(&h)
	if err != nil {
		return nil, fmt.Errorf("take over %s: %w", caseID, err)
	}
	sum := ledger.RecordHash(data)
	from := h.Device
	if from == "" {
		from = l.DeviceID()
	}
	body, err := json.Marshal(Takeover{FromDevice: from, FromSeq: h.Seq, Handover: hex.EncodeToString(sum[:])})
	if err != nil {
		return nil, fmt.Errorf("take over %s: %w", caseID, err)
	}
	r := &Record{Case: caseID, Kind: KindTakeover, Author: author, Body: body}
	return r, l.add(ctx, r)
}

// checkHandover applies the handover rules to a record about to be
// appended: a case handed over takes nothing but its taking over by the
// officer named; a handover comes from the case's holder, to someone
// else, past the handover gate.
func (l *Log) checkHandover(ctx context.Context, r *Record) error {
	if r.Kind == KindOpen {
		return nil
	}
	kind, held, err := l.LastKind(ctx, r.Case)
	if err != nil {
		return err
	}
	if held && kind != KindHandover && r.Kind != KindHandover && r.Kind != KindTakeover {
		return nil // the common case, at one indexed read
	}
	if !held && r.Kind != KindTakeover {
		n, err := l.ReceivedCount(ctx, r.Case)
		if err != nil || n == 0 {
			return err // not a case this file knows: the other rules say
		}
	}
	c, err := l.Case(ctx, r.Case)
	if err != nil {
		return err
	}
	switch {
	case r.Kind == KindTakeover:
		var t Takeover
		if c.Pending == nil || json.Unmarshal(r.Body, &t) != nil {
			return fmt.Errorf("%w: %s", ErrNotHandedToYou, r.Case)
		}
		if err := checkAnswers(*r, c.Records[len(c.Records)-1]); err != nil {
			return err
		}
		return nil
	case c.Pending != nil:
		return fmt.Errorf("%w: %s, to %s", ErrHandedOver, r.Case, c.Pending.To)
	case r.Kind == KindHandover:
		var h Handover
		if err := json.Unmarshal(r.Body, &h); err != nil {
			return fmt.Errorf("handover of %s: %w", r.Case, err)
		}
		if r.Author != c.Holder {
			return fmt.Errorf("%w: %s holds %s", ErrNotHolder, c.Holder, r.Case)
		}
		if h.To == c.Holder {
			return ErrHandoverSelf
		}
		if l.handoverGate != nil {
			return l.handoverGate(ctx, c)
		}
	}
	return nil
}

// caseRecords reads a case's records from this log and those received
// from the devices that held it before, in the case's order.
func (l *Log) caseRecords(ctx context.Context, id string) ([]Record, error) {
	own, err := l.Records(ctx, id)
	if err != nil {
		return nil, err
	}
	received, err := l.Received(ctx, id)
	if err != nil || len(received) == 0 {
		return own, err
	}
	at := map[ledger.RecordRef]Record{}
	for _, r := range slices.Concat(own, received) {
		at[r.Ref()] = r
	}
	last, err := tip(own, received, l.DeviceID())
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", id, err)
	}
	return Follow(last, l.DeviceID(), func(ref ledger.RecordRef) (Record, error) {
		r, ok := at[ref]
		if !ok {
			return r, fmt.Errorf("%w: %s: record %s #%d is not here", ErrBrokenChain, id, ref.Device, ref.Seq)
		}
		return r, nil
	})
}

// tip is the case's last record among those held here: the one no other
// record follows, this log's own first.
func tip(own, received []Record, home string) (Record, error) {
	followed := map[ledger.RecordRef]bool{}
	for _, r := range slices.Concat(own, received) {
		if ref, ok, err := Predecessor(r); err == nil && ok {
			if ref.Device == home {
				ref.Device = ""
			}
			followed[ref] = true
		}
	}
	for _, set := range [][]Record{own, received} {
		for i := len(set) - 1; i >= 0; i-- {
			if !followed[set[i].Ref()] {
				return set[i], nil
			}
		}
	}
	return Record{}, fmt.Errorf("%w: every record is followed by another", ErrBrokenChain)
}

// Receive keeps the records of a case handed over to an officer here, as
// the platform carried them from the logs that hold them (each its device
// and exact bytes), after checking each person's signature over its record
// in its log and that they follow back from a handover to the case's
// opening. Records of this device's own log are not kept twice.
func (l *Log) Receive(ctx context.Context, caseID string, recs []ReceivedRecord) error {
	home := l.DeviceID()
	own, err := l.Records(ctx, caseID)
	if err != nil {
		return fmt.Errorf("receive %s: %w", caseID, err)
	}
	at := map[ledger.RecordRef]Record{}
	for _, r := range own {
		at[r.Ref()] = r
	}
	byDevice := map[string][]ledger.RawRecord{}
	var order []string
	var last Record
	for _, rr := range recs {
		if rr.Device == home {
			continue
		}
		var r Record
		if err := json.Unmarshal(rr.Data, &r); err != nil {
			return fmt.Errorf("receive %s: record %s #%d: %w", caseID, rr.Device, rr.Seq, err)
		}
		if r.Seq != rr.Seq || r.Case != caseID {
			return fmt.Errorf("receive %s: %w: record %s #%d says it is #%d of %s", caseID, ErrBrokenChain, rr.Device, rr.Seq, r.Seq, r.Case)
		}
		if err := ledger.VerifySigs("sanxiang/device/"+rr.Device, &r); err != nil {
			return fmt.Errorf("receive %s: %w", caseID, err)
		}
		r.Device = rr.Device
		at[r.Ref()] = r
		if _, ok := byDevice[rr.Device]; !ok {
			order = append(order, rr.Device)
		}
		byDevice[rr.Device] = append(byDevice[rr.Device], ledger.RawRecord{Seq: rr.Seq, Data: rr.Data})
		last = r
	}
	if last.Kind != KindHandover {
		return fmt.Errorf("receive %s: %w: the records do not end in a handover", caseID, ErrBrokenChain)
	}
	if _, err := Follow(last, home, func(ref ledger.RecordRef) (Record, error) {
		r, ok := at[ref]
		if !ok {
			return r, fmt.Errorf("%w: record %s #%d is missing", ErrBrokenChain, ref.Device, ref.Seq)
		}
		return r, nil
	}); err != nil {
		return fmt.Errorf("receive %s: %w", caseID, err)
	}
	for _, dev := range order {
		if err := l.Log.Receive(ctx, dev, caseID, byDevice[dev]); err != nil {
			return err
		}
	}
	return nil
}

// ReceivedRecord is a record of a case as the platform carries it to the
// device it is handed over to: the device whose log holds it, its place
// there and its exact bytes.
type ReceivedRecord struct {
	Device string `json:"device"`
	Seq    int64  `json:"seq"`
	Data   []byte `json:"data"`
}

// Incoming lists the cases handed over to an officer here and not taken
// over yet, newest first.
func (l *Log) Incoming(ctx context.Context) ([]*Case, error) {
	ids, err := l.ReceivedCases(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Case
	for _, id := range ids {
		c, err := l.Case(ctx, id)
		if err != nil {
			return nil, err
		}
		if c.Pending != nil && c.Records[len(c.Records)-1].Device != "" {
			out = append(out, c)
		}
	}
	return out, nil
}

// Predecessor is the place of the case's record before r: the handover a
// takeover answers, the previous record in r's log, or none (ok false) for
// the opening.
func Predecessor(r Record) (ref ledger.RecordRef, ok bool, err error) {
	if r.Kind == KindTakeover {
		var t Takeover
		if err := json.Unmarshal(r.Body, &t); err != nil || t.FromDevice == "" {
			return ref, false, fmt.Errorf("%w: takeover record %d names no handover", ErrBrokenChain, r.Seq)
		}
		return ledger.RecordRef{Device: t.FromDevice, Seq: t.FromSeq}, true, nil
	}
	if r.Prev < 0 {
		if r.Kind != KindOpen {
			return ref, false, fmt.Errorf("%w: record %d (%s) links to nothing", ErrBrokenChain, r.Seq, r.Kind)
		}
		return ref, false, nil
	}
	if r.Prev >= r.Seq {
		return ref, false, fmt.Errorf("%w: record %d links forward to %d", ErrBrokenChain, r.Seq, r.Prev)
	}
	return ledger.RecordRef{Device: r.Device, Seq: r.Prev}, true, nil
}

// Follow reads a case's records back from its last one to its opening,
// across the devices that held it, and returns them in order. get reads
// one record at a place; a record's Device is the device of the log that
// holds it ("" for the log of last, which then stays ""), and get sets it.
// home names that log's device, so a takeover naming it resolves to "".
func Follow(last Record, home string, get func(ledger.RecordRef) (Record, error)) ([]Record, error) {
	out := []Record{last}
	r := last
	for n := 0; ; n++ {
		ref, ok, err := Predecessor(r)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if ref.Device == home {
			ref.Device = ""
		}
		if n > 10_000_000 {
			return nil, fmt.Errorf("%w: a loop", ErrBrokenChain)
		}
		next, err := get(ref)
		if err != nil {
			return nil, err
		}
		if r.Kind == KindTakeover {
			if err := checkAnswers(r, next); err != nil {
				return nil, err
			}
		}
		out = append(out, next)
		r = next
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// checkAnswers checks that takeover t answers handover h: h is a handover
// whose bytes hash to what t names, and t's author is whom h names.
func checkAnswers(t, h Record) error {
	var tb Takeover
	var hb Handover
	if h.Kind != KindHandover || json.Unmarshal(t.Body, &tb) != nil || json.Unmarshal(h.Body, &hb) != nil {
		return fmt.Errorf("%w: takeover record %d does not answer a handover", ErrBrokenChain, t.Seq)
	}
	data, err := ledger.EncodeRecord(&h)
	if err != nil {
		return fmt.Errorf("%w: handover record %d: %v", ErrBrokenChain, h.Seq, err)
	}
	sum := ledger.RecordHash(data)
	if tb.Handover != hex.EncodeToString(sum[:]) {
		return fmt.Errorf("%w: takeover record %d names another handover than %s #%d", ErrBrokenChain, t.Seq, h.Device, h.Seq)
	}
	if strings.TrimSpace(t.Author) != strings.TrimSpace(hb.To) {
		return fmt.Errorf("%w: %s took over a case handed to %s", ErrNotHandedToYou, t.Author, hb.To)
	}
	return nil
}
