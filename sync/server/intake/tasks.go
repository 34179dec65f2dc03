package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// Tasks is what the intake needs of the drawn inspection tasks (双随机):
// a case opened for a task is linked to it, and the result its inspection
// records is the task's, published.
type Tasks interface {
	// LinkTask links the case a device opened to the task its opening
	// names. A *TaskMismatch error says what did not match (no such task,
	// claimed on another device, other officers, another case already):
	// the case is not linked, its records are kept.
	LinkTask(ctx context.Context, device, caseID string, o casefile.Opening) error
	// TaskResult keeps the result (already redacted) of the task a case is
	// linked to, recorded at `at` by record seq, and publishes it in the
	// public lists. It says false when the case is linked to no task.
	// Done again with the same record it changes nothing and publishes
	// the same.
	TaskResult(ctx context.Context, caseID string, seq int64, at time.Time, result string) (bool, error)
}

// TaskMismatch: a case's opening names a task it cannot be linked to;
// Why says what did not match, in the supervisors' words.
type TaskMismatch struct{ Why string }

func (e *TaskMismatch) Error() string { return "the case does not match its drawn task: " + e.Why }

// taskFollowUp says whether a record is for the tasks: an opening that
// names a drawn task, or the stage whose note is an inspection's result.
func taskFollowUp(r casefile.Record) bool {
	switch r.Kind {
	case casefile.KindOpen:
		var o casefile.Opening
		return json.Unmarshal(r.Body, &o) == nil && o.Task != nil
	case casefile.KindStage:
		var st casefile.StageBody
		return json.Unmarshal(r.Body, &st) == nil && st.Stage == publish.DecisionStage[catalog.ActInspection]
	}
	return false
}

// followTask links an opening to its task, or keeps and publishes the
// result of a linked case's inspection. A mismatch raises an alert and
// links nothing; the records are the device's evidence either way.
func (s *Intake) followTask(ctx context.Context, device string, r casefile.Record) error {
	if s.tasks == nil {
		return nil
	}
	switch r.Kind {
	case casefile.KindOpen:
		var o casefile.Opening
		if err := json.Unmarshal(r.Body, &o); err != nil || o.Task == nil {
			return nil
		}
		err := s.tasks.LinkTask(ctx, device, r.Case, o)
		if m := (*TaskMismatch)(nil); errors.As(err, &m) {
			s.Alert(ctx, device, "task_mismatch", words.L("platform.alert.task_mismatch", map[string]any{"Case": r.Case, "Task": o.Task.ID, "Why": m.Why}))
			return nil
		}
		if err != nil {
			return fmt.Errorf("link case %s to task %s: %w", r.Case, o.Task.ID, err)
		}
		return nil
	case casefile.KindStage:
		var st casefile.StageBody
		if err := json.Unmarshal(r.Body, &st); err != nil || strings.TrimSpace(st.Note) == "" {
			return nil
		}
		c, err := s.caseAt(ctx, device, r.Case, r.Seq)
		if errors.Is(err, errBrokenChain) {
			return fmt.Errorf("%w: %v", errPermanent, err)
		}
		if err != nil {
			return err
		}
		if c.Opening.Task == nil {
			return nil // not a drawn task's case; cases handed over keep their opening
		}
		if _, err := s.tasks.TaskResult(ctx, r.Case, r.Seq, r.At, RedactResult(st.Note, c.Opening.Party)); err != nil {
			return fmt.Errorf("result of case %s: %w", r.Case, err)
		}
	}
	return nil
}

// RedactResult is an inspection's result as it may be published: the
// platform's redaction (the one that rechecks decisions before they are
// published) over the officer's note, with the party's name and number
// masked wherever they occur when the party is a person.
func RedactResult(note string, party casefile.Party) string {
	var manual []string
	if party.Kind == "person" {
		for _, v := range []string{party.Name, party.IDNo} {
			if v = strings.TrimSpace(v); v != "" {
				manual = append(manual, v)
			}
		}
	}
	note = strings.TrimSpace(note)
	_, text, _ := Recheck(publish.Publication{Original: note, Redacted: note, Manual: manual})
	return text
}
