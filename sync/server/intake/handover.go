package intake

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/people"
)

// Why a push is refused for a handover (移交); each has its own code.
var (
	errHandedOver    = errors.New("the push writes into a case its device handed over")
	errNotHandedOver = errors.New("a takeover does not answer a handover of the case to its author")
	errBadHandover   = errors.New("a handover names nobody who may take the case over")
)

// handoverCodes gives each refusal its code, for the wire and the alert.
var handoverCodes = []struct {
	err  error
	code string
}{
	{errHandedOver, "case_handed_over"},
	{errNotHandedOver, "not_handed_over"},
	{errBadHandover, "bad_handover"},
}

// HandoverCode is the code of a handover refusal, "" for another error.
func handoverCode(err error) string {
	for _, c := range handoverCodes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return ""
}

// handoverRow is a handover the platform holds.
type handoverRow struct {
	fromDevice string
	fromSeq    int64
	to, hash   string
}

// caseHold is what the platform knows of a case before a push acts on it.
type caseHold struct {
	holder  string // the device that holds it; "" for a case the index does not know
	agency  string
	pending *handoverRow
}

// holdOf reads who holds a case and its pending handover.
func holdOf(ctx context.Context, tx *dbTx, id string) (h caseHold, err error) {
	defer wrap.Err(&err, "who holds %s", id)
	err = tx.QueryRowContext(ctx, `SELECT device, agency FROM cases WHERE case_id = ? AND handed_to = '' LIMIT 1`, id).Scan(&h.holder, &h.agency)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return h, err
	}
	var p handoverRow
	err = tx.QueryRowContext(ctx, `SELECT from_device, from_seq, to_person, hash FROM handovers WHERE case_id = ? AND taken_device = ''`, id).
		Scan(&p.fromDevice, &p.fromSeq, &p.to, &p.hash)
	switch {
	case err == nil:
		h.pending = &p
	case !errors.Is(err, sql.ErrNoRows):
		return h, err
	}
	return h, nil
}

// recordHash is the hex leaf hash a takeover names its handover by.
func recordHash(r casefile.Record) (string, error) {
	data, err := ledger.EncodeRecord(&r)
	if err != nil {
		return "", err
	}
	sum := ledger.RecordHash(data)
	return hex.EncodeToString(sum[:]), nil
}

// checkCasesOwned refuses records that write into a case another device
// holds (a publication, a withdrawal, a stage, an opinion: anything), and
// a case opened under an ID that is not the pushing device's own
// (casefile.Log.OpenCase names a case "<device>-<date>-<n>"), so no device
// can claim another's future case IDs ahead of it. A case is its opening
// device's until a handover moves it: the holder's handover record names
// the officer who may take it (an active officer of its agency), after
// which the holder writes nothing more into it; a takeover by that officer,
// naming the handover by place and hash, moves it to the device that
// pushes the takeover. Both are kept here, in the push's transaction,
// before the case index moves on.
func (s *Intake) checkCasesOwned(ctx context.Context, tx *dbTx, device string, arrived []casefile.Record) error {
	holds := map[string]*caseHold{}
	for _, r := range arrived {
		if r.Case == "" {
			continue
		}
		if r.Kind == casefile.KindOpen {
			if len(r.Case) <= len(device) || r.Case[:len(device)+1] != device+"-" {
				return fmt.Errorf("%w: record %d opens %s, which is not an ID of %s", errCaseElsewhere, r.Seq, r.Case, device)
			}
		}
		h := holds[r.Case]
		if h == nil {
			got, err := holdOf(ctx, tx, r.Case)
			if err != nil {
				return err
			}
			h = &got
			holds[r.Case] = h
		}
		if r.Kind == casefile.KindOpen && h.holder == "" {
			var o casefile.Opening
			json.Unmarshal(r.Body, &o)            // one that does not read has no agency
			h.holder, h.agency = device, o.Agency // indexCases adds its row
		}
		switch {
		case r.Kind == casefile.KindTakeover:
			if err := s.takeOver(ctx, tx, device, r, h); err != nil {
				return err
			}
		case h.pending != nil && h.pending.fromDevice == device:
			return fmt.Errorf("%w: record %d (%s) writes into %s, handed over to %s", errHandedOver, r.Seq, r.Kind, r.Case, h.pending.to)
		case h.holder != "" && h.holder != device:
			return fmt.Errorf("%w: record %d (%s) writes into %s, held by %s", errCaseElsewhere, r.Seq, r.Kind, r.Case, h.holder)
		case r.Kind == casefile.KindHandover:
			if err := s.handOver(ctx, tx, device, r, h); err != nil {
				return err
			}
		}
	}
	return nil
}

// handOver keeps a handover record of the case's holder.
func (s *Intake) handOver(ctx context.Context, tx *dbTx, device string, r casefile.Record, h *caseHold) error {
	var body casefile.Handover
	if err := json.Unmarshal(r.Body, &body); err != nil || body.To == "" {
		return fmt.Errorf("%w: record %d of %s names nobody", errBadHandover, r.Seq, r.Case)
	}
	agency := h.agency
	if h.holder == "" {
		return fmt.Errorf("%w: record %d hands over %s, which the platform does not know", errBadHandover, r.Seq, r.Case)
	}
	p, err := s.people.Get(ctx, body.To)
	if errors.Is(err, people.ErrNoPerson) {
		return fmt.Errorf("%w: record %d hands %s to %s, whom the platform does not know", errBadHandover, r.Seq, r.Case, body.To)
	}
	if err != nil {
		return err
	}
	if p.Role != api.RoleOfficer || !p.Active || p.Agency != agency {
		return fmt.Errorf("%w: record %d hands %s (of %s) to %s, %s of %s, active %v", errBadHandover, r.Seq, r.Case, agency, body.To, p.Role, p.Agency, p.Active)
	}
	hash, err := recordHash(r)
	if err != nil {
		return fmt.Errorf("handover record %d: %w", r.Seq, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO handovers (case_id, from_device, from_seq, to_person, reason, at, hash) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		r.Case, device, r.Seq, body.To, body.Reason, r.At.UTC().Format(time.RFC3339), hash); err != nil {
		return fmt.Errorf("keep the handover of %s: %w", r.Case, err)
	}
	h.pending = &handoverRow{fromDevice: device, fromSeq: r.Seq, to: body.To, hash: hash}
	return nil
}

// takeOver moves a case to the device that pushes the takeover answering
// its pending handover, by the officer it names.
func (s *Intake) takeOver(ctx context.Context, tx *dbTx, device string, r casefile.Record, h *caseHold) error {
	var t casefile.Takeover
	p := h.pending
	if json.Unmarshal(r.Body, &t) != nil || p == nil || t.FromDevice != p.fromDevice || t.FromSeq != p.fromSeq || t.Handover != p.hash {
		return fmt.Errorf("%w: record %d takes over %s, which waits for no such handover", errNotHandedOver, r.Seq, r.Case)
	}
	if r.Author != p.to {
		return fmt.Errorf("%w: record %d: %s takes over %s, handed to %s", errNotHandedOver, r.Seq, r.Author, r.Case, p.to)
	}
	now := r.At.UTC().Format(time.RFC3339)
	if _, err := tx.ExecContext(ctx, `UPDATE handovers SET taken_device = ?, taken_seq = ?, taken_at = ? WHERE from_device = ? AND from_seq = ?`,
		device, r.Seq, now, p.fromDevice, p.fromSeq); err != nil {
		return fmt.Errorf("keep the takeover of %s: %w", r.Case, err)
	}
	if p.fromDevice != device {
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET handed_to = ? WHERE device = ? AND case_id = ?`, device, p.fromDevice, r.Case); err != nil {
			return fmt.Errorf("move %s: %w", r.Case, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO cases (device, case_id, agency, act, opened, last_seq, submitted)
			SELECT ?, case_id, agency, act, opened, ?, submitted FROM cases WHERE device = ? AND case_id = ?
			ON CONFLICT (device, case_id) DO UPDATE SET handed_to = '', last_seq = excluded.last_seq`,
			device, r.Seq, p.fromDevice, r.Case); err != nil {
			return fmt.Errorf("move %s: %w", r.Case, err)
		}
	}
	h.holder, h.pending = device, nil
	return nil
}

// HandoversTo lists the handovers waiting for person, each with the case's
// records from its opening to the handover, across the devices that held it.
func (s *Intake) HandoversTo(ctx context.Context, person string) (_ []api.Handover, err error) {
	defer wrap.Err(&err, "handovers to %s", person)
	rows, err := s.db.QueryContext(ctx, `SELECT case_id, from_device, from_seq, to_person, reason, at FROM handovers
		WHERE to_person = ? AND taken_device = '' ORDER BY at`, person)
	if err != nil {
		return nil, err
	}
	out := []api.Handover{}
	for rows.Next() {
		var h api.Handover
		if err := rows.Scan(&h.Case, &h.FromDevice, &h.FromSeq, &h.To, &h.Reason, &h.At); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		h := &out[i]
		recs, err := s.caseRecords(ctx, h.FromDevice, h.FromSeq)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			dev := r.Device
			if dev == "" {
				dev = h.FromDevice
			}
			var data []byte
			if err := s.db.QueryRowContext(ctx, `SELECT data FROM log_records WHERE device = ? AND seq = ?`, dev, r.Seq).Scan(&data); err != nil {
				return nil, fmt.Errorf("record %s #%d: %w", dev, r.Seq, err)
			}
			h.Records = append(h.Records, api.HeldRecord{Device: dev, Seq: r.Seq, Data: data})
		}
	}
	return out, nil
}
