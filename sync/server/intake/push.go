package intake

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// Errors of a push, each answered with its own status.
var (
	errFork      = errors.New("the pushed log disagrees with what the platform holds")
	errGap       = errors.New("the pushed records do not continue the platform's copy")
	errBadTree   = errors.New("the checkpoint does not sign the tree the records make")
	errSignature = errors.New("the checkpoint is not signed by this device")
)

// deviceHashes is the platform's copy of a device's tree, in the push's
// transaction: the store ledger.VerifyBatch reads and extends.
type deviceHashes struct {
	ctx    context.Context
	tx     *dbTx
	device string
}

func (h deviceHashes) ReadHashes(indexes []int64) ([]ledger.Hash, error) {
	// One query for the lot (a batch's proof reads a few dozen).
	out := make([]ledger.Hash, len(indexes))
	if len(indexes) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(indexes)+1)
	args = append(args, h.device)
	for _, idx := range indexes {
		args = append(args, idx)
	}
	rows, err := h.tx.QueryContext(h.ctx, `SELECT idx, hash FROM log_hashes WHERE device = ? AND idx IN (`+
		strings.TrimSuffix(strings.Repeat("?, ", len(indexes)), ", ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("read hashes: %w", err)
	}
	defer rows.Close()
	got := make(map[int64][]byte, len(indexes))
	for rows.Next() {
		var idx int64
		var b []byte
		if err := rows.Scan(&idx, &b); err != nil {
			return nil, fmt.Errorf("read hashes: %w", err)
		}
		got[idx] = b
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read hashes: %w", err)
	}
	for i, idx := range indexes {
		b, ok := got[idx]
		if !ok {
			return nil, fmt.Errorf("hash %d: %w", idx, sql.ErrNoRows)
		}
		copy(out[i][:], b)
	}
	return out, nil
}

func (h deviceHashes) WriteHashes(start int64, hashes []ledger.Hash) error {
	rows := make([][]any, len(hashes))
	for i, x := range hashes {
		rows[i] = []any{h.device, start + int64(i), x[:]}
	}
	if err := h.tx.InsertRows(h.ctx, "log_hashes", []string{"device", "idx", "hash"}, rows); err != nil {
		return fmt.Errorf("store hashes from %d: %w", start, err)
	}
	return nil
}

// ServePush accepts a device's records and checkpoint. It verifies the
// signature, that the records continue (or repeat exactly) what the
// platform holds, and that the checkpoint's root is the tree they make;
// then it countersigns the checkpoint as the device's receipt. A retry of
// the same batch gets the same receipt; a different history is refused as
// a fork and raised as an alert.
func (s *Intake) ServePush(w http.ResponseWriter, r *http.Request, d Device) {
	var req api.PushRequest
	if !web.Decode(w, r, &req) {
		return
	}
	rc, err := s.Push(r.Context(), d, req)
	switch {
	case errors.Is(err, errSignature):
		web.Problem(w, r, http.StatusForbidden, "bad_signature", words.M("platform.bad_signature"), err.Error())
	case errors.Is(err, errFork):
		web.Problem(w, r, http.StatusConflict, "fork", words.M("platform.fork"), err.Error())
	case errors.Is(err, errCaseElsewhere):
		web.Problem(w, r, http.StatusForbidden, "case_elsewhere", words.M("platform.case_elsewhere"), err.Error())
	case sigCode(err) != "":
		code := sigCode(err)
		web.Problem(w, r, http.StatusForbidden, code, words.M("platform."+code), err.Error())
	case handoverCode(err) != "":
		code := handoverCode(err)
		web.Problem(w, r, http.StatusForbidden, code, words.M("platform."+code), err.Error())
	case errors.Is(err, errGap), errors.Is(err, errBadTree):
		web.Problem(w, r, http.StatusUnprocessableEntity, "bad_log", words.M("platform.bad_log"), err.Error())
	case err != nil:
		web.Internal(w, r, err)
	default:
		web.JSON(w, http.StatusOK, rc)
	}
}

// Push is the push handler's work, callable in-process.
func (s *Intake) Push(ctx context.Context, d Device, req api.PushRequest) (api.Receipt, error) {
	cp, err := ledger.ParseCheckpoint([]byte(req.Checkpoint), d.Verifier)
	if err != nil || cp.Origin != d.Origin {
		return api.Receipt{}, fmt.Errorf("%w: %v", errSignature, err)
	}
	// The signatures are checked before the transaction: it holds one of
	// the instance's database connections, and should hold it only for
	// the database's work (sigChecks).
	pre, err := s.precheckSigs(ctx, d, req.Records)
	if err != nil {
		return api.Receipt{}, fmt.Errorf("push %s: %w", d.ID, err)
	}
	var rc api.Receipt
	var arrived [][]byte
	var arrivedAt []int // their indexes in req.Records
	var sigFlags []string
	var clockFlags []clockFlag
	var archiveFlags []archiveFlag
	err = s.db.Tx(ctx, func(tx *dbTx) error {
		arrived, arrivedAt, sigFlags, clockFlags = arrived[:0], arrivedAt[:0], nil, nil
		// The platform's time of this push: each new record's arrival, and
		// the time its receipt signs.
		now := s.now().UTC().Truncate(time.Second)
		if err := tx.Lock(ctx, "push:"+d.ID); err != nil {
			return err
		}
		have, err := heldSize(ctx, tx, d.ID)
		if err != nil {
			return err
		}
		from := have
		var fresh []ledger.RawRecord
		for i, rec := range req.Records {
			switch {
			case rec.Seq < have:
				var old []byte
				if rec.Seq >= from {
					// Sent twice in this batch: held below once the batch is.
					old = fresh[rec.Seq-from].Data
				} else if err := tx.QueryRowContext(ctx, `SELECT data FROM log_records WHERE device = ? AND seq = ?`, d.ID, rec.Seq).Scan(&old); err != nil {
					return err
				}
				if !bytes.Equal(old, rec.Data) {
					return fmt.Errorf("%w: record %d", errFork, rec.Seq)
				}
			case rec.Seq == have:
				arrived = append(arrived, rec.Data)
				arrivedAt = append(arrivedAt, i)
				fresh = append(fresh, ledger.RawRecord{Seq: rec.Seq, Data: rec.Data})
				have++
			default:
				return fmt.Errorf("%w: record %d after %d", errGap, rec.Seq, have)
			}
		}
		// The new records, in one statement a few hundred.
		rows := make([][]any, len(fresh))
		for i, r := range fresh {
			rows[i] = []any{d.ID, r.Seq, r.Data, now.Format(time.RFC3339)}
		}
		if err := tx.InsertRows(ctx, "log_records", []string{"device", "seq", "data", "arrived"}, rows); err != nil {
			return err
		}
		// The device's own verifier checks the batch: the new records'
		// tree hashes go into the platform's copy, and the checkpoint must
		// sign the tree they make.
		root, err := ledger.VerifyBatch(deviceHashes{ctx, tx, d.ID}, from, fresh, cp)
		switch {
		case errors.Is(err, ledger.ErrRecordMissing):
			return fmt.Errorf("%w: checkpoint of %d records, %d received", errGap, cp.Size, have)
		case errors.Is(err, ledger.ErrFork):
			// The records hash to another tree than the device signed: with
			// a known prefix, that is a rewritten history.
			return fmt.Errorf("%w: size %d", errFork, cp.Size)
		case err != nil:
			return fmt.Errorf("verify push: %w", err)
		}
		if err := checkKept(ctx, tx, d.ID, from, have); err != nil {
			return err
		}
		if err := checkHallPush(d, arrived); err != nil {
			return err
		}
		records, checks := pre.of(arrivedAt)
		if err := s.checkCasesOwned(ctx, tx, d.ID, records); err != nil {
			return err
		}
		if err := indexCases(ctx, tx, d.ID, records); err != nil {
			return err
		}
		if archiveFlags, err = indexArchives(ctx, tx, d.ID, records); err != nil {
			return err
		}
		if sigFlags, err = s.checkSigs(ctx, tx, d, records, checks, pre); err != nil {
			return err
		}
		if err := indexRatings(ctx, tx, d.ID, records, pre); err != nil {
			return err
		}
		if clockFlags, err = s.checkClock(ctx, tx, d.ID, records, now); err != nil {
			return err
		}
		if len(arrived) > 0 && owesFollowUp(records) {
			// What follows a push (review checks, publication) is owed
			// until settle has done it.
			if _, err := tx.ExecContext(ctx, `INSERT INTO arrivals (device, first_seq, last_seq) VALUES (?, ?, ?)`,
				d.ID, have-int64(len(arrived)), have-1); err != nil {
				return err
			}
		}
		var prev string
		var prevAt string
		err = sql.ErrNoRows
		if cp.Size <= from {
			// Every receipt is of a size the platform held before this
			// push: a checkpoint past that has none yet.
			err = tx.QueryRowContext(ctx, `SELECT note, received FROM receipts WHERE device = ? AND size = ?`, d.ID, cp.Size).Scan(&prev, &prevAt)
		}
		if err == nil {
			// A retry gets the receipt signed the first time, with its time.
			at, _ := time.Parse(time.RFC3339, prevAt)
			rc = api.Receipt{DeviceID: d.ID, Size: cp.Size, Root: base64.StdEncoding.EncodeToString(root[:]), ReceivedAt: at, Note: prev}
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// The receipt signs the platform's time with the tree: the device
		// keeps it, and never dates a record before it.
		signed, err := note.Sign(&note.Note{Text: ledger.ReceiptText(d.Origin, cp.Size, root, now)}, s.signer)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO receipts (device, size, root, note, received) VALUES (?, ?, ?, ?, ?)`,
			d.ID, cp.Size, base64.StdEncoding.EncodeToString(root[:]), string(signed), now.Format(time.RFC3339)); err != nil {
			return err
		}
		rc = api.Receipt{DeviceID: d.ID, Size: cp.Size, Root: base64.StdEncoding.EncodeToString(root[:]), ReceivedAt: now, Note: string(signed)}
		return nil
	})
	if errors.Is(err, errFork) {
		s.Alert(ctx, d.ID, "fork", err.Error())
	}
	if errors.Is(err, errCaseElsewhere) {
		s.Alert(ctx, d.ID, "case_elsewhere", err.Error())
	}
	if code := sigCode(err); code != "" {
		s.Alert(ctx, d.ID, code, err.Error())
	}
	if code := handoverCode(err); code != "" {
		s.Alert(ctx, d.ID, code, err.Error())
	}
	for _, f := range sigFlags {
		s.Alert(ctx, d.ID, "signed_after_revocation", f)
	}
	if err == nil && cp.Size > 0 {
		// For the witnesses, who are asked after this answer, never in it.
		if kerr := s.keepCheckpoint(ctx, d.ID, cp, s.now()); kerr != nil {
			s.log.Error("checkpoint for the witnesses", "device", d.ID, "err", kerr)
		}
	}
	if err == nil {
		s.alertClock(ctx, d.ID, clockFlags)
		s.alertArchive(ctx, d.ID, archiveFlags)
	}
	if err == nil {
		// This push's arrival, and any earlier one of the device's still
		// owed; a failure is the platform's to retry, not the device's.
		// The device leaving does not cut the follow-up short, and the
		// device does not wait long for it: what is not done in time stays
		// owed and is done later.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pushSettleTime)
		flags, ferr := s.settle(sctx, d.ID)
		cancel()
		if ferr != nil {
			s.log.Error("follow-up of a push", "device", d.ID, "err", ferr)
		}
		rc.Flags = append(flags, sigFlags...)
	}
	if err != nil {
		return rc, fmt.Errorf("push %s: %w", d.ID, err)
	}
	if s.onReceipt != nil && rc.Note != "" {
		s.onReceipt(ctx, d.ID, rc.Size, []byte(rc.Note))
	}
	return rc, nil
}

// heldSize is how many records of a device's log the platform holds. A
// device's records are held gapless from 0 (a push only ever appends the
// next seq, and log_records refuses updates and deletes), so that is one
// more than the highest seq: one step down the primary key (device, seq)
// whatever the log's length, where count(*) read every row the device
// ever pushed and made each push slower than the one before.
func heldSize(ctx context.Context, tx *dbTx, device string) (int64, error) {
	var last int64
	err := tx.QueryRowContext(ctx, `SELECT seq FROM log_records WHERE device = ? ORDER BY seq DESC LIMIT 1`, device).Scan(&last)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("records held of %s: %w", device, err)
	}
	return last + 1, nil
}

// LogRecords returns what the platform holds of a device's log.
func (s *Intake) LogRecords(ctx context.Context, device string) ([][]byte, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT data FROM log_records WHERE device = ? ORDER BY seq`, device)
	if err != nil {
		return nil, fmt.Errorf("log of %s: %w", device, err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, fmt.Errorf("log of %s: record %d: %w", device, len(out), err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("log of %s: %w", device, err)
	}
	return out, nil
}
