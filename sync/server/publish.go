package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/publish"
)

// publishArrivals puts the decisions officers published into the public
// lists (the public pages and every kiosk, through the feed) and takes
// withdrawn ones down. Only the redacted text leaves the platform's store.
func (s *Server) publishArrivals(ctx context.Context, d Device, recs []casefile.Record) error {
	for _, r := range recs {
		switch r.Kind {
		case publish.KindPublish:
			var p publish.Publication
			if err := json.Unmarshal(r.Body, &p); err != nil {
				continue
			}
			cr, err := s.caseRecords(ctx, d.ID, r.Seq)
			if err != nil {
				return err
			}
			c, err := casefile.CaseOf(r.Case, cr)
			if err != nil {
				return err
			}
			dec := &catalog.Decision{ID: r.Case, DocNo: p.DocNo, AgencyCode: c.Opening.Agency, AgencyName: s.agencyName(ctx, c.Opening.Agency), Act: c.Opening.Act,
				Party: p.Party, Content: p.Redacted, DecidedOn: p.DecidedOn, PublishedOn: r.At.Format("2006-01-02")}
			if dec.DocNo == "" {
				dec.DocNo = r.Case
			}
			if err := s.Publish(ctx, []catalog.Item{dec}, nil); err != nil {
				return err
			}
		case publish.KindWithdraw:
			err := s.Withdraw(ctx, catalog.KindDecision, r.Case)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("withdraw %s: %w", r.Case, err)
			}
		}
	}
	return nil
}
