package officer

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/app/witness"
)

// witnessedText says when the witnesses last cosigned this device's log
// (the newest cosigned checkpoint the device keeps), in the desk's time.
func (d *Desk) witnessedText() string {
	if d.log == nil {
		return shell.L("officer.never_witnessed")
	}
	size, note, _, err := d.log.Cosigned(context.Background())
	if err != nil {
		fyne.LogError("last witnessed", err)
		return shell.L("officer.never_witnessed")
	}
	at, ok := witness.ClaimedTime(note, d.log.Verifier)
	if size == 0 || !ok {
		return shell.L("officer.never_witnessed")
	}
	return shell.L("officer.last_witnessed", map[string]any{"Time": at.In(d.now().Location()).Format("01-02 15:04")})
}

// refreshWitnessed updates the top bar's "last witnessed at" (UI goroutine).
func (d *Desk) refreshWitnessed() {
	if d.LastWitnessed == nil {
		d.LastWitnessed = widget.NewLabel("")
	}
	d.LastWitnessed.SetText(d.witnessedText())
	if d.topBar != nil {
		d.topBar.Refresh()
	}
}

// Checkpointer sends the device's latest checkpoint alone.
type Checkpointer interface {
	Checkpoint(ctx context.Context) error
}

// RunCheckpoints sends the log's latest checkpoint alone every period
// while the desk records (the log grew since the last one sent) and a
// person is signed in, until ctx ends (issue 25, part 3); never on the
// UI's goroutine. A failure (offline) is tried again next period.
func (d *Desk) RunCheckpoints(ctx context.Context, period time.Duration, c Checkpointer) {
	if period <= 0 || c == nil || d.log == nil {
		return
	}
	t := time.NewTicker(period)
	defer t.Stop()
	var sent int64
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		cp, err := d.log.Latest(ctx)
		if err != nil || cp.Size == sent || len(d.book.Keys.SignedIn()) == 0 {
			continue
		}
		if err := c.Checkpoint(ctx); err != nil {
			fyne.LogError("checkpoint alone", err)
			continue
		}
		sent = cp.Size
		d.post(d.refreshWitnessed)
	}
}
