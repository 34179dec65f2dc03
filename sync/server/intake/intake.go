// Package intake is where devices' logs arrive on the platform: a push is
// verified and answered with a receipt the platform signs (push.go); what
// follows it — the review and order checks, review tracking, the publication of
// decisions — is owed until done and retried when it fails (arrivals.go,
// review.go, publish.go); and the case index (cases.go) keeps each case's
// place in its device's log, inside the push's transaction, so that a case
// is rebuilt from its own records.
package intake

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/people"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
)

// Lists is what the intake needs of the public lists: decisions officers
// publish go into them, and come out when withdrawn.
type Lists interface {
	Publish(ctx context.Context, items []catalog.Item, agencies []catalog.Agency) error
	// WithdrawDecision takes a decision down and keeps how (its device's
	// withdrawal); sql.ErrNoRows if the lists do not hold it published.
	WithdrawDecision(ctx context.Context, w api.Withdrawal) error
	// AgencyName is an agency's name in the lists, or its code.
	AgencyName(ctx context.Context, code string) string
}

// Config is what the intake needs of the platform.
type Config struct {
	DB     *sqldb.DB
	Signer note.Signer // signs receipts
	Now    func() time.Time
	Log    *slog.Logger
	Lists  Lists
	// Review is the review rules as they stand: the agencies' major-decision
	// lists and the registry of legal reviewers.
	Review func(context.Context) (*review.Service, error)
	// Procedures is the procedures in force: the national defaults with
	// the agencies' versions, which arriving cases are judged by.
	Procedures func(context.Context) (*casefile.Set, error)
	// People holds the keys people sign records with.
	People *people.Room
	// Officer is an officer's entry in the public list, by certificate
	// number: whose certificate was in force when they signed.
	Officer func(ctx context.Context, certNo string) (*catalog.Officer, bool)
	// Clock is how far a record's time may be from the platform's before
	// it is flagged (zero fields: the defaults).
	Clock ClockPolicy
	// Tasks are the drawn inspection tasks cases are linked to (nil: none
	// are followed).
	Tasks Tasks
	// Witnessing is the witness policy at work (nil: checkpoints are not
	// witnessed).
	Witnessing *Witnessing
	// OnReceipt is told each receipt a push answers with (the signed note's
	// exact bytes), after the push is kept: the platform time-stamps it
	// (issue 25). It must not wait on anything slow; nil: nobody is told.
	OnReceipt func(ctx context.Context, device string, size int64, note []byte)
}

// Intake takes in devices' pushes for one platform instance.
type Intake struct {
	db            *sqldb.DB
	signer        note.Signer
	now           func() time.Time
	log           *slog.Logger
	lists         Lists
	reviewService func(context.Context) (*review.Service, error)
	procedures    func(context.Context) (*casefile.Set, error)
	people        *people.Room
	officer       func(ctx context.Context, certNo string) (*catalog.Officer, bool)
	clock         ClockPolicy
	tasks         Tasks
	onReceipt     func(ctx context.Context, device string, size int64, note []byte)
	instance      string   // names this instance in settling leases
	settling      sync.Map // device ID → *sync.Mutex: one settle at a time
	cases         caseCache
	stop          chan struct{} // closed by Close
	settled       chan struct{} // closed when settleLoop has returned
	closing       sync.Once
	cosign        *cosigner // nil without a witness policy
}

// Open starts the intake: it indexes the cases of logs held from before
// the case index existed, does the follow-up owed from before (a failure,
// or a stop between a push and its follow-up), and retries what is owed
// while the platform runs, until Close.
func Open(ctx context.Context, c Config) (*Intake, error) {
	s := &Intake{db: c.DB, signer: c.Signer, now: c.Now, log: c.Log, lists: c.Lists, reviewService: c.Review, procedures: c.Procedures, instance: newInstance(),
		people: c.People, officer: c.Officer, clock: c.Clock, tasks: c.Tasks, onReceipt: c.OnReceipt}
	if err := s.backfillCases(ctx); err != nil {
		return nil, fmt.Errorf("index cases: %w", err)
	}
	if err := s.settleAll(ctx); err != nil {
		s.log.Error("owed follow-up of pushes", "err", err)
	}
	s.stop, s.settled = make(chan struct{}), make(chan struct{})
	go s.settleLoop()
	s.startWitnessing(c.Witnessing)
	return s, nil
}

// Close stops the intake's background work.
func (s *Intake) Close() {
	s.closing.Do(func() {
		close(s.stop)
		<-s.settled
		if s.cosign != nil {
			s.cosign.close()
		}
	})
}

// Alert raises an alert for the supervisors (kept, and logged).
func (s *Intake) Alert(ctx context.Context, device, kind, detail string) {
	s.log.Warn("platform alert", "device", device, "kind", kind, "detail", detail)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO alerts (at, device, kind, detail) VALUES (?, ?, ?, ?)`,
		s.now().UTC().Format(time.RFC3339), device, kind, detail); err != nil {
		s.log.Error("platform alert not kept", "device", device, "kind", kind, "err", err)
	}
}

// Device is an enrolled device, as the router authenticated it.
type Device struct {
	ID, Name, Kind, Verifier, Origin string
	Revoked                          bool
	Enrolled, LastSeen               string
}

// dbTx is a transaction of the platform's database.
type dbTx = sqldb.Tx
