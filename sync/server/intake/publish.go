package intake

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// publishRecord puts a decision an officer published into the public
// lists (the public pages and every kiosk, through the feed) or takes a
// withdrawn one down. Only the redacted text leaves the platform's store,
// and only once the platform's own redaction finds nothing more to mask
// in it (held.go).
// An error wrapping errPermanent is one no retry can mend.
func (s *Intake) publishRecord(ctx context.Context, device string, r casefile.Record) error {
	switch r.Kind {
	case publish.KindPublish:
		return s.publishDecision(ctx, device, r)
	case publish.KindWithdraw:
		// The withdrawal is kept with its cause and explanation for the
		// decision's public page. One that cannot be read still takes the
		// decision down: the device withdrew it.
		var wd publish.Withdrawal
		_ = json.Unmarshal(r.Body, &wd)
		w := api.Withdrawal{Kind: string(catalog.KindDecision), ID: r.Case, At: r.At.UTC().Format(time.RFC3339), Source: api.WithdrawnByDevice,
			Actor: device, Cause: wd.Cause, Reason: strings.TrimSpace(wd.Explanation)}
		if err := s.lists.WithdrawDecision(ctx, w); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// One held on arrival and still waiting is not to be published.
		return s.settleHeld(ctx, r.Case, HeldWithdrawn)
	}
	return nil
}

// publishDecision puts one published decision into the public list.
func (s *Intake) publishDecision(ctx context.Context, device string, r casefile.Record) error {
	var p publish.Publication
	if err := json.Unmarshal(r.Body, &p); err != nil {
		return fmt.Errorf("%w: %v", errPermanent, err)
	}
	c, err := s.caseAt(ctx, device, r.Case, r.Seq)
	if errors.Is(err, errBrokenChain) {
		return fmt.Errorf("%w: %v", errPermanent, err)
	}
	if err != nil {
		return err
	}
	dec := &catalog.Decision{ID: r.Case, DocNo: p.DocNo, AgencyCode: c.Opening.Agency, AgencyName: s.lists.AgencyName(ctx, c.Opening.Agency), Act: c.Opening.Act,
		Party: p.Party, Content: p.Redacted, DecidedOn: p.DecidedOn, PublishedOn: r.At.In(time.Local).Format("2006-01-02")}
	if dec.DocNo == "" {
		dec.DocNo = r.Case
	}
	// Checked twice: what the platform's redaction would mask more holds
	// the publication for an administrator.
	if party, text, extra := Recheck(p); len(extra) > 0 || party != p.Party {
		return s.hold(ctx, device, r.Seq, dec, party, text, extra)
	}
	if err := s.lists.Publish(ctx, []catalog.Item{dec}, nil); err != nil {
		return err
	}
	return s.settleHeld(ctx, r.Case, HeldSuperseded)
}
