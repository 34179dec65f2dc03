package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// The withdrawal of published decisions (issue 16, item 6): the platform
// accepts one only from the device that published the decision (a
// publish.withdraw record in its case's log, taken in by the intake) or
// from an administrator with a stated reason. Either way the decision
// leaves the lists (a deletion in the change feed: off every kiosk) and
// the withdrawal is kept — when, by whom, why — for the decision's public
// page, which says so instead of answering "not found".

var (
	// ErrNeedReason is an administrator's withdrawal without a reason.
	ErrNeedReason = errors.New("a withdrawal by an administrator needs a stated reason")
	// ErrOtherAgency is an agency administrator's (or an agency's token's)
	// withdrawal of another agency's decision.
	ErrOtherAgency = errors.New("the decision is another agency's")
)

// WithdrawDecision takes a published decision down for an administrator
// (w.Source api.WithdrawnByAdmin, w.Actor, w.Role and w.Reason set; the
// time and the decision's agency are filled in). scope, when not "", is
// the only agency whose decisions the administrator may withdraw. A
// decision the lists do not hold, or withdrew before, is ErrNoItem.
func (s *Server) WithdrawDecision(ctx context.Context, id, scope string, w api.Withdrawal) (_ api.Withdrawal, err error) {
	defer wrap.Err(&err, "withdraw decision %s", id)
	w.Reason = strings.TrimSpace(w.Reason)
	if w.Source == "" {
		w.Source = api.WithdrawnByAdmin
	}
	if w.Source == api.WithdrawnByAdmin && w.Reason == "" {
		return w, ErrNeedReason
	}
	w.At = s.now().UTC().Format(time.RFC3339)
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error { return withdrawDecisionTx(ctx, tx, id, scope, &w) })
	if errors.Is(err, sql.ErrNoRows) {
		return w, fmt.Errorf("%w: decision %s", ErrNoItem, id)
	}
	return w, err
}

// withdrawDecisionTx withdraws decision id and keeps w (its kind, id and
// agency filled in) as how; sql.ErrNoRows if the lists do not hold it.
func withdrawDecisionTx(ctx context.Context, tx *sqldb.Tx, id, scope string, w *api.Withdrawal) error {
	if _, err := lastCursor(ctx, tx); err != nil { // the catalog's writer lock, before reading
		return err
	}
	var data string
	err := tx.QueryRowContext(ctx, `SELECT data FROM catalog WHERE kind = ? AND id = ? AND deleted = 0`, string(catalog.KindDecision), id).Scan(&data)
	if err != nil {
		return err
	}
	var d catalog.Decision
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		return fmt.Errorf("decision %s: %w", id, err)
	}
	if scope != "" && d.AgencyCode != scope {
		return ErrOtherAgency
	}
	w.Kind, w.ID, w.Agency = string(catalog.KindDecision), id, d.AgencyCode
	if err := withdrawTx(ctx, tx, catalog.KindDecision, id); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO withdrawals (kind, id, at, source, actor, role, agency, cause, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (kind, id) DO UPDATE SET at = excluded.at, source = excluded.source, actor = excluded.actor, role = excluded.role,
		agency = excluded.agency, cause = excluded.cause, reason = excluded.reason`,
		w.Kind, w.ID, w.At, w.Source, w.Actor, w.Role, w.Agency, w.Cause, w.Reason)
	return err
}

// Withdrawn is how an item the lists took down was withdrawn; false if
// it is published, unknown, or went before withdrawals were kept.
func (s *Server) Withdrawn(ctx context.Context, kind catalog.Kind, id string) (w api.Withdrawal, ok bool, err error) {
	defer wrap.Err(&err, "withdrawal of %s/%s", kind, id)
	err = s.db.QueryRowContext(ctx, `SELECT w.at, w.source, w.actor, w.role, w.agency, w.cause, w.reason
		FROM withdrawals w JOIN catalog c ON c.kind = w.kind AND c.id = w.id WHERE w.kind = ? AND w.id = ? AND c.deleted = 1`,
		string(kind), id).Scan(&w.At, &w.Source, &w.Actor, &w.Role, &w.Agency, &w.Cause, &w.Reason)
	if errors.Is(err, sql.ErrNoRows) {
		return w, false, nil
	}
	w.Kind, w.ID = string(kind), id
	return w, err == nil, err
}

// DecisionEntry is a decision in the lists, published or withdrawn.
type DecisionEntry = console.Decision

// Decisions lists the decisions the lists hold, published and withdrawn
// (with how), the latest change first: all, or one agency's; q, when not
// "", is in the case's ID, the document number or the party. At most
// limit.
func (s *Server) Decisions(ctx context.Context, agency, q string, limit int) (_ []DecisionEntry, err error) {
	defer wrap.Err(&err, "list decisions")
	rows, err := s.db.QueryContext(ctx, `SELECT c.data, c.deleted, coalesce(w.at, ''), coalesce(w.source, ''), coalesce(w.actor, ''),
		coalesce(w.role, ''), coalesce(w.cause, ''), coalesce(w.reason, '')
		FROM catalog c LEFT JOIN withdrawals w ON w.kind = c.kind AND w.id = c.id
		WHERE c.kind = ? AND (c.deleted = 0 OR w.id IS NOT NULL) ORDER BY c.cursor DESC`, string(catalog.KindDecision))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []DecisionEntry{}
	q = strings.ToLower(strings.TrimSpace(q))
	for rows.Next() && len(out) < limit {
		var data string
		var deleted int
		var w api.Withdrawal
		if err := rows.Scan(&data, &deleted, &w.At, &w.Source, &w.Actor, &w.Role, &w.Cause, &w.Reason); err != nil {
			return nil, err
		}
		var e DecisionEntry
		if err := json.Unmarshal([]byte(data), &e.Decision); err != nil {
			return nil, fmt.Errorf("a decision: %w", err)
		}
		if agency != "" && e.AgencyCode != agency {
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(e.ID+" "+e.DocNo+" "+e.Party), q) {
			continue
		}
		if deleted != 0 {
			w.Kind, w.ID, w.Agency = string(catalog.KindDecision), e.ID, e.AgencyCode
			e.Withdrawn = &w
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Decision is one decision the lists hold, published or withdrawn (with
// how); ErrNoItem if they hold none by that ID.
func (s *Server) Decision(ctx context.Context, id string) (e DecisionEntry, err error) {
	defer wrap.Err(&err, "decision %s", id)
	var data string
	var deleted int
	err = s.db.QueryRowContext(ctx, `SELECT data, deleted FROM catalog WHERE kind = ? AND id = ?`, string(catalog.KindDecision), id).Scan(&data, &deleted)
	if errors.Is(err, sql.ErrNoRows) {
		return e, ErrNoItem
	}
	if err != nil {
		return e, err
	}
	if err := json.Unmarshal([]byte(data), &e.Decision); err != nil {
		return e, err
	}
	if deleted != 0 {
		w, ok, err := s.Withdrawn(ctx, catalog.KindDecision, id)
		if err != nil {
			return e, err
		}
		if !ok {
			return e, ErrNoItem // taken down before withdrawals were kept
		}
		e.Withdrawn = &w
	}
	return e, nil
}

// decisionDesk gives the console the decisions, their withdrawal, and
// this package's errors as the console's.
type decisionDesk struct{ s *Server }

func (d decisionDesk) List(ctx context.Context, agency, q string) ([]console.Decision, error) {
	return d.s.Decisions(ctx, agency, q, 200)
}

func (d decisionDesk) Get(ctx context.Context, id string) (console.Decision, error) {
	e, err := d.s.Decision(ctx, id)
	if errors.Is(err, ErrNoItem) {
		err = fmt.Errorf("%w: %v", console.ErrNoDecision, err)
	}
	return e, err
}

func (d decisionDesk) Withdraw(ctx context.Context, id, scope string, w api.Withdrawal) (api.Withdrawal, error) {
	w, err := d.s.WithdrawDecision(ctx, id, scope, w)
	switch {
	case errors.Is(err, ErrNoItem):
		err = fmt.Errorf("%w: %v", console.ErrNoDecision, err)
	case errors.Is(err, ErrNeedReason):
		err = fmt.Errorf("%w: %v", console.ErrNeedReason, err)
	case errors.Is(err, ErrOtherAgency):
		err = fmt.Errorf("%w: %v", console.ErrOtherAgency, err)
	}
	return w, err
}

// withdrawDecision: POST /api/v1/admin/decisions/{id}/withdraw with
// {"reason": …}. 422 need_reason without one, 404 not_found for a
// decision the lists do not hold (or withdrew before), 403 other_agency
// for a token held to another agency. The reason is written to the audit
// log and kept with the withdrawal; the answer is the withdrawal.
func (s *Server) withdrawDecision(w http.ResponseWriter, r *http.Request) {
	var req api.WithdrawRequest
	if !web.Decode(w, r, &req) {
		return
	}
	s.withdrawForAdmin(w, r, r.PathValue("id"), req.Reason)
}

func (s *Server) withdrawForAdmin(w http.ResponseWriter, r *http.Request, id, reason string) {
	t, _ := console.TokenFrom(r.Context())
	wd, err := s.WithdrawDecision(r.Context(), id, t.Agency, api.Withdrawal{Source: api.WithdrawnByAdmin, Actor: t.Name, Role: console.RoleToken, Reason: reason})
	switch {
	case errors.Is(err, ErrNeedReason):
		web.Problem(w, r, http.StatusUnprocessableEntity, "need_reason", words.M("platform.need_withdraw_reason"), "POST "+api.PathDecisions+"{id}/withdraw")
	case errors.Is(err, ErrNoItem):
		web.Problem(w, r, http.StatusNotFound, "not_found", words.M("platform.no_item"), "")
	case errors.Is(err, ErrOtherAgency):
		web.Problem(w, r, http.StatusForbidden, "other_agency", words.M("platform.other_agency"), t.Agency)
	case err != nil:
		web.Internal(w, r, err)
	default:
		s.audit(r.Context(), console.Entry{Actor: t.Name, Role: console.RoleToken, Agency: wd.Agency, Action: "decision.withdraw",
			Object: id, Detail: wd.Reason, IP: console.ClientIP(r)})
		web.JSON(w, http.StatusOK, wd)
	}
}
