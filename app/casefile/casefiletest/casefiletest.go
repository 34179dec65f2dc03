// Package casefiletest opens case logs in a test's temporary folder, for
// the tests of the packages built on the case file.
package casefiletest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/store/seal/sealtest"
)

// Keys are test people's keys by ID.
type Keys map[string]ed25519.PrivateKey

// SignAs makes a key for each of ids and installs them as l's signer: a
// record is signed by its author and, on site, by every officer it names,
// as far as the keys go — as a device signs for the people signed in on
// it. The platform trusts the keys once they are activated there.
func SignAs(t testing.TB, l *casefile.Log, ids ...string) Keys {
	t.Helper()
	keys := Keys{}
	for _, id := range ids {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		keys[id] = k
	}
	l.SetSigner(func(_ context.Context, r *casefile.Record, others []string) error {
		for _, id := range append([]string{r.Author}, others...) {
			if k, ok := keys[id]; ok {
				if err := r.AddSig(l.Origin(), ledger.KeySigner{ID: id, Key: k}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return keys
}

// Open opens a new log (casefile.db, media/) in a fresh temporary folder
// with origin as its device, closed when the test ends. The log is sealed
// under a random data key, as a device's is.
func Open(t testing.TB, origin string) *casefile.Log {
	t.Helper()
	dir := t.TempDir()
	l, err := casefile.Open(context.Background(), filepath.Join(dir, "casefile.db"), filepath.Join(dir, "media"), origin, sealtest.Keys(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// Notes appends n notes to case C1 of l, the text of each ending in its
// number: a log with something to push.
func Notes(t testing.TB, l *casefile.Log, n int, text string) {
	t.Helper()
	for i := range n {
		if err := l.Append(context.Background(), &casefile.Record{Case: "C1", Kind: "note", Author: "990101000001",
			Body: json.RawMessage(fmt.Sprintf(`{"text":"%s %d"}`, text, i))}); err != nil {
			t.Fatal(err)
		}
	}
}

// WithNotes is Open with n notes appended (Notes).
func WithNotes(t testing.TB, origin string, n int) *casefile.Log {
	t.Helper()
	l := Open(t, origin)
	Notes(t, l, n, "note")
	return l
}

// Case opens an inspection case of agency 01 in l, by officer 990101000001,
// and returns its ID: a case for records to name.
func Case(t testing.TB, l *casefile.Log) string {
	t.Helper()
	id, err := l.OpenCase(context.Background(), "990101000001", casefile.Opening{Act: "inspection", Agency: "01", ItemID: "E1",
		ItemName: "检查", Party: casefile.Party{Kind: "org", Name: "某公司"}, Officers: []casefile.Officer{{CertNo: "990101000001"}}})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// Approver is the head WalkTo names on the stages that need approval.
const Approver = "李局长"

// WalkTo records, in the order of the case's procedure, every stage before
// stage that the case has not done and that is neither optional nor for
// review only: author records them, officers are named on site and the
// head (Approver) approves where the procedure asks. It is how a test
// brings a case to the stage it is about, through the same rules.
func WalkTo(t testing.TB, l *casefile.Log, caseID, author string, officers []casefile.Officer, stage string) {
	t.Helper()
	ctx := context.Background()
	c, err := l.Case(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	p := c.Procedure()
	if _, ok := p.Stage(stage); !ok {
		t.Fatalf("walk %s to %s: no such stage in %s", caseID, stage, p.ID)
	}
	for _, st := range p.Stages {
		if st.Key == stage {
			return
		}
		if _, done := c.Done[st.Key]; done || st.Optional || st.ReviewOnly {
			continue
		}
		b := casefile.StageBody{Stage: st.Key}
		if st.OnSite {
			b.Officers = officers
		}
		if st.Approval {
			b.Approver = Approver
		}
		if _, err := l.AddStage(ctx, caseID, author, b); err != nil {
			t.Fatalf("walk %s to %s: %v", caseID, stage, err)
		}
	}
}
