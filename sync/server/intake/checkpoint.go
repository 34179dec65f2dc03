package intake

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/witness"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// ServeCheckpoint takes a device's checkpoint alone (api.PathCheckpoint).
// The platform checks its signature, and its root against what it holds:
// the tree of the records it has (a smaller size than it holds), or a
// checkpoint of the same size it kept before. One that disagrees is a
// rewritten log — refused as a fork, alerted, and shown to the witnesses,
// who refuse it on their own state (witness_split_view). What it cannot
// check — records it has not seen — the next push checks against the
// checkpoints kept here.
func (s *Intake) ServeCheckpoint(w http.ResponseWriter, r *http.Request, d Device) {
	var req api.CheckpointRequest
	if !web.Decode(w, r, &req) {
		return
	}
	var proof []ledger.Hash
	for _, p := range req.Proof {
		h, err := ledger.ParseHash(p)
		if err != nil {
			web.Problem(w, r, http.StatusBadRequest, "bad_log", words.M("platform.bad_log"), "a proof line is not a hash")
			return
		}
		proof = append(proof, h)
	}
	ans, err := s.Checkpoint(r.Context(), d, []byte(req.Checkpoint), req.ProofFrom, proof)
	switch {
	case errors.Is(err, errSignature):
		web.Problem(w, r, http.StatusForbidden, "bad_signature", words.M("platform.bad_signature"), err.Error())
	case errors.Is(err, errFork):
		web.Problem(w, r, http.StatusConflict, "fork", words.M("platform.fork"), err.Error())
	case err != nil:
		web.Internal(w, r, err)
	default:
		web.JSON(w, http.StatusOK, ans)
	}
}

// Checkpoint is ServeCheckpoint's work, callable in-process.
// A consistency proof the device sends from its newest witnessed size is
// relayed to the witnesses (who check it) when the platform cannot prove
// from records it holds.
func (s *Intake) Checkpoint(ctx context.Context, d Device, msg []byte, proofFrom int64, proof []ledger.Hash) (api.CheckpointAnswer, error) {
	cp, err := ledger.ParseCheckpoint(msg, d.Verifier)
	if err != nil || cp.Origin != d.Origin || cp.Size <= 0 {
		return api.CheckpointAnswer{}, fmt.Errorf("checkpoint of %s: %w: %v", d.ID, errSignature, err)
	}
	if err := s.checkAgainstHeld(ctx, d.ID, cp); err != nil {
		s.Alert(ctx, d.ID, "fork", err.Error())
		if s.cosign != nil {
			// The witnesses see it too, and refuse it on what they cosigned.
			go s.cosign.challenge(context.WithoutCancel(ctx), pending{device: d.ID, size: cp.Size, note: string(cp.Note), key: d.Verifier})
		}
		return api.CheckpointAnswer{}, fmt.Errorf("checkpoint of %s: %w", d.ID, err)
	}
	if s.cosign != nil && proofFrom > 0 && proofFrom < cp.Size {
		s.cosign.proofs.Store(d.ID, deviceProof{from: proofFrom, size: cp.Size, proof: proof})
	}
	now := s.now().UTC().Truncate(time.Second)
	if err := s.keepCheckpoint(ctx, d.ID, cp, now); err != nil {
		return api.CheckpointAnswer{}, err
	}
	var at string
	if err := s.db.QueryRowContext(ctx, `SELECT at FROM device_checkpoints WHERE device = ? AND size = ?`, d.ID, cp.Size).Scan(&at); err != nil {
		return api.CheckpointAnswer{}, fmt.Errorf("checkpoint of %s: %w", d.ID, err)
	}
	ans := api.CheckpointAnswer{Size: cp.Size}
	ans.ReceivedAt, _ = time.Parse(time.RFC3339, at)
	size, note, _, err := s.Cosigned(ctx, d.ID)
	if err != nil {
		return api.CheckpointAnswer{}, err
	}
	ans.Cosigned, ans.CosignedSize = note, size
	return ans, nil
}

// checkAgainstHeld compares a checkpoint with the platform's copy of the
// log (sizes it holds) and with a checkpoint of the same size kept before.
func (s *Intake) checkAgainstHeld(ctx context.Context, device string, cp ledger.Checkpoint) error {
	var held int64
	err := s.db.QueryRowContext(ctx, `SELECT seq FROM log_records WHERE device = ? ORDER BY seq DESC LIMIT 1`, device).Scan(&held)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		held = 0
	case err != nil:
		return fmt.Errorf("records held of %s: %w", device, err)
	default:
		held++
	}
	if cp.Size <= held {
		root, err := s.HeldRoot(ctx, device, cp.Size)
		if err != nil {
			return err
		}
		if root != cp.Root {
			return fmt.Errorf("%w: the checkpoint of size %d signs another tree than the records held", errFork, cp.Size)
		}
		return nil
	}
	var kept string
	err = s.db.QueryRowContext(ctx, `SELECT note FROM device_checkpoints WHERE device = ? AND size = ?`, device, cp.Size).Scan(&kept)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("kept checkpoint of %s: %w", device, err)
	}
	a, _ := witness.Body([]byte(kept))
	b, _ := witness.Body(cp.Note)
	if a != b {
		return fmt.Errorf("%w: two checkpoints of size %d sign different trees", errFork, cp.Size)
	}
	return nil
}

// checkKept checks, in a push, the checkpoints kept alone of sizes the
// push's records now reach: each must sign the tree they make.
func checkKept(ctx context.Context, tx *dbTx, device string, from, have int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT size, note FROM device_checkpoints WHERE device = ? AND size > ? AND size <= ?`, device, from, have)
	if err != nil {
		return fmt.Errorf("kept checkpoints of %s: %w", device, err)
	}
	type kept struct {
		size int64
		note string
	}
	var ks []kept
	for rows.Next() {
		var k kept
		if err := rows.Scan(&k.size, &k.note); err != nil {
			rows.Close()
			return fmt.Errorf("kept checkpoints of %s: %w", device, err)
		}
		ks = append(ks, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("kept checkpoints of %s: %w", device, err)
	}
	for _, k := range ks {
		root, err := ledger.TreeRoot(deviceHashes{ctx, tx, device}, k.size)
		if err != nil {
			return err
		}
		i := bytes.Index([]byte(k.note), []byte("\n"))
		j := bytes.Index([]byte(k.note[i+1:]), []byte("\n"))
		body := k.note[i+1+j+1:]
		if !bytes.HasPrefix([]byte(body), []byte(root.String()+"\n")) {
			return fmt.Errorf("%w: the records make another tree of size %d than the checkpoint sent before them", errFork, k.size)
		}
	}
	return nil
}

// challenge shows the witnesses a checkpoint the platform refused, each
// from the size it cosigned: one that cosigned the same size refuses it
// (and ask alerts). Nothing is kept of it.
func (c *cosigner) challenge(ctx context.Context, p pending) {
	for _, w := range c.w.Policy.Witnesses {
		old, _, err := c.progress(ctx, w.Name, p.device)
		if err != nil || old != p.size {
			continue
		}
		_, err = witness.AddCheckpoint(ctx, c.w.HTTP, w, old, nil, []byte(p.note), p.key)
		if errors.Is(err, witness.ErrSplitView) {
			c.s.Alert(ctx, p.device, AlertSplitView, err.Error())
		}
	}
}

// HeldRoot is the root of the first size records of device's log as the
// platform holds them (for a checkpoint sent alone, and for 扫码验真 on a
// case file's cover).
func (s *Intake) HeldRoot(ctx context.Context, device string, size int64) (ledger.Hash, error) {
	root, err := ledger.TreeRoot(heldHashes{ctx, s.db, device}, size)
	if err != nil {
		return ledger.Hash{}, fmt.Errorf("root of %s at %d: %w", device, size, err)
	}
	return root, nil
}
