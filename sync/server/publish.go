package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/publish"
)

// publishArrivals puts the decisions officers published into the public
// lists (the public pages and every kiosk, through the feed) and takes
// withdrawn ones down. Only the redacted text leaves the platform's store.
// A record that cannot be published does not stop the others; the error
// names each, and the arrival is settled again later (settle).
func (s *Server) publishArrivals(ctx context.Context, device string, recs []casefile.Record) error {
	var failed []error
	for _, r := range recs {
		var err error
		switch r.Kind {
		case publish.KindPublish:
			err = s.publishDecision(ctx, device, r)
		case publish.KindWithdraw:
			if err = s.Withdraw(ctx, catalog.KindDecision, r.Case); errors.Is(err, sql.ErrNoRows) {
				err = nil
			}
		}
		if err != nil {
			failed = append(failed, fmt.Errorf("案件 %s 第 %d 条记录公开未能完成：%w", r.Case, r.Seq, err))
		}
	}
	return errors.Join(failed...)
}

// publishDecision puts one published decision into the public list.
func (s *Server) publishDecision(ctx context.Context, device string, r casefile.Record) error {
	var p publish.Publication
	if err := json.Unmarshal(r.Body, &p); err != nil {
		return err
	}
	c, err := s.caseAt(ctx, device, r.Case, r.Seq)
	if err != nil {
		return err
	}
	dec := &catalog.Decision{ID: r.Case, DocNo: p.DocNo, AgencyCode: c.Opening.Agency, AgencyName: s.agencyName(ctx, c.Opening.Agency), Act: c.Opening.Act,
		Party: p.Party, Content: p.Redacted, DecidedOn: p.DecidedOn, PublishedOn: r.At.In(time.Local).Format("2006-01-02")}
	if dec.DocNo == "" {
		dec.DocNo = r.Case
	}
	return s.Publish(ctx, []catalog.Item{dec}, nil)
}
