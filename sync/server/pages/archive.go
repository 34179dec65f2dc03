package pages

import (
	"fmt"
	"time"

	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// archiveField is a case page's archive line (归档): archived when, for how
// long the archive keeps it, and, in red, any records that arrived after
// (written around the device's rules, and alerted).
func archiveField(archivedAt, retention string, after int64) pageField {
	f := pageField{Label: words.L("platform.case.archive"), Value: words.L("platform.case.not_archived")}
	if archivedAt == "" {
		return f
	}
	at := archivedAt
	if t, err := time.Parse(time.RFC3339, archivedAt); err == nil {
		at = t.In(time.Local).Format("2006-01-02 15:04")
	}
	period := words.L("retention." + retention)
	if period == "retention."+retention {
		period = retention
	}
	f.Value = words.L("platform.case.archived", map[string]any{"At": at, "Retention": period})
	if after > 0 {
		f.Value += fmt.Sprintf("\n%s", words.L("platform.case.after_archive", map[string]any{"N": after}))
		f.Bad = true
	}
	return f
}
