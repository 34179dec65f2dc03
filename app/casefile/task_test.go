package casefile

import (
	"context"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/act"
	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/assets"
)

func taskOpening(id, due string) Opening {
	return Opening{Act: act.Inspection, Agency: "01", ItemID: "R01001", ItemName: "食品经营者检查",
		Party: Party{Kind: "org", Name: "青禾市明湖区第1号餐饮店", IDNo: "91350102MA00000001"}, Place: "明湖路1号",
		Summary: "双随机抽查任务 " + id, Officers: two, Procedure: "inspection", Task: &TaskRef{ID: id, Due: due}}
}

// A case opened for a drawn task carries the task's day as a clock: running
// before it, overdue the day after with nothing done, met when the handle
// stage is recorded by the day (the whole day counts), missed when later;
// a case without a task has no such clock. The log finds its task cases
// by the task's number.
func TestTaskDayClockAndTaskCases(t *testing.T) {
	ctx := context.Background()
	cal, _ := calendar.Parse(assets.Calendar)
	now := time.Date(2026, 9, 1, 10, 0, 0, 0, time.Local)
	l := openCaseLog(t, &now)
	taskClock := func(id string, at time.Time) (Clock, bool) {
		t.Helper()
		cs, err := l.Case(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range cs.Clocks(cal, at) {
			if k.Key == TaskClock {
				return k, true
			}
		}
		return Clock{}, false
	}
	inTime, err := l.OpenCase(ctx, "990101000001", taskOpening("12-1", "2026-09-10"))
	if err != nil {
		t.Fatal(err)
	}
	late, err := l.OpenCase(ctx, "990101000001", taskOpening("12-2", "2026-09-10"))
	if err != nil {
		t.Fatal(err)
	}
	plain := taskOpening("", "")
	plain.Task = nil
	other, err := l.OpenCase(ctx, "990101000001", plain)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := taskClock(other, now); ok {
		t.Fatal("a case without a task has a task clock")
	}
	due := time.Date(2026, 9, 10, 0, 0, 0, 0, time.Local)
	if k, ok := taskClock(inTime, now); !ok || !k.Due.Equal(due) || k.Met || k.Missed || k.Overdue {
		t.Fatalf("before the day: %+v %v", k, ok)
	}
	if k, _ := taskClock(inTime, time.Date(2026, 9, 10, 23, 59, 0, 0, time.Local)); k.Overdue {
		t.Fatalf("overdue on its own day: %+v", k)
	}
	if k, _ := taskClock(inTime, time.Date(2026, 9, 11, 0, 0, 1, 0, time.Local)); !k.Overdue {
		t.Fatalf("not overdue the day after: %+v", k)
	}

	handle := func(id string) {
		t.Helper()
		if _, err := l.AddStage(ctx, id, "990101000001", StageBody{Stage: "inspect", Officers: two, Note: "现场检查"}); err != nil {
			t.Fatal(err)
		}
		if _, err := l.AddStage(ctx, id, "990101000001", StageBody{Stage: TaskStage, Note: "未发现问题"}); err != nil {
			t.Fatal(err)
		}
	}
	now = time.Date(2026, 9, 10, 22, 0, 0, 0, time.Local)
	handle(inTime)
	now = time.Date(2026, 9, 12, 9, 0, 0, 0, time.Local)
	handle(late)
	if k, _ := taskClock(inTime, now); !k.Met || k.Overdue || k.Missed {
		t.Fatalf("handled on the day: %+v", k)
	}
	if k, _ := taskClock(late, now); !k.Missed || k.Met || k.Overdue {
		t.Fatalf("handled two days late: %+v", k)
	}

	got, err := l.TaskCases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["12-1"] != inTime || got["12-2"] != late {
		t.Fatalf("task cases: %v", got)
	}
}
