package officer

import (
	"context"
	"fmt"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/bundle"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/app/shell"
)

// ArchiveForm is the open archive dialog's widgets, for tests.
type ArchiveForm struct {
	// Retention is the period the archive keeps the file, the case's
	// default chosen.
	Retention *widget.Select
	Why       *widget.Label
	Message   *widget.Label
	OK        *widget.Button
	Submit    func()
	dialog    interface{ Hide() }
}

// retentions are the archive's periods in the order offered.
var retentions = []string{casefile.RetentionPermanent, casefile.Retention30, casefile.Retention10}

// archivedCase says whether the case is archived, and so read-only.
func archivedCase(cs *casefile.Case) bool {
	_, _, ok := casefile.ArchiveOf(cs)
	return ok
}

// archiveControls puts the archive's part on a case page: on an archived
// case, a banner saying when it was archived and for how long, and the
// writing buttons shown disabled (the case page leaves them out of a case
// it may not write); on a closed case the officer may write, the 归档
// button.
func (c *Cases) archiveControls(cs *casefile.Case, top, actions *fyne.Container, writeButtons ...*widget.Button) {
	a, r, archived := casefile.ArchiveOf(cs)
	if archived {
		for _, b := range writeButtons {
			b.Disable()
			actions.Add(b)
		}
		l := widget.NewLabel(shell.L("archive.banner", map[string]any{
			"At": r.At.Local().Format("2006-01-02 15:04"), "Retention": shell.L("retention." + a.Retention), "File": a.File}))
		l.Importance = widget.SuccessImportance
		l.Wrapping = fyne.TextWrapWord
		top.Add(l)
		return
	}
	if cs.Closed() && cs.Pending == nil {
		b := widget.NewButtonWithIcon(shell.L("archive.button"), theme.StorageIcon(), c.ShowArchiveForm)
		b.Importance = widget.HighImportance
		actions.Add(b)
	}
}

// ShowArchiveForm archives the open case after the officer confirms, with
// the retention period shown (the case's default, which they may change):
// its bundle with the printed case file goes to the archive folder,
// verified, and the archive record makes the case read-only.
func (c *Cases) ShowArchiveForm() {
	cs := c.Open
	if cs == nil {
		return
	}
	period, why := casefile.DefaultRetention(cs)
	f := &ArchiveForm{Message: widget.NewLabel(""), Why: widget.NewLabel("")}
	f.Message.Importance = widget.DangerImportance
	labels := make([]string, len(retentions))
	for i, p := range retentions {
		labels[i] = shell.L("retention." + p)
	}
	f.Retention = widget.NewSelect(labels, func(string) { c.d.touch() })
	f.Retention.SetSelected(shell.L("retention." + period))
	f.Why.Wrapping = fyne.TextWrapWord
	if why != "" {
		f.Why.SetText(shell.L("archive.why", map[string]any{"Why": why}))
	} else {
		f.Why.Hide()
	}
	intro := wrap(shell.L("archive.confirm", map[string]any{"Dir": c.log.ArchiveDir()}))
	form := widget.NewForm(widget.NewFormItem(shell.L("archive.retention"), f.Retention))
	f.Submit = func() {
		chosen := ""
		for i, l := range labels {
			if l == f.Retention.Selected {
				chosen = retentions[i]
			}
		}
		if chosen == "" {
			f.Message.SetText(shell.L("case.why.bad_retention"))
			return
		}
		if err := c.archive(cs.ID, chosen); err != nil {
			f.Message.SetText(shell.L("archive.failed", map[string]any{"Err": archiveError(err)}))
			return
		}
		f.dialog.Hide()
		saved := "archive.saved"
		if c.log.ArchiveSealed() {
			saved = "archive.saved_sealed" // it opens here only: export for courts
		}
		c.showCase(cs.ID, nil, shell.L(saved, map[string]any{"Path": filepath.Join(c.log.ArchiveDir(), cs.ID+".zip")}))
	}
	f.OK = widget.NewButtonWithIcon(shell.L("archive.do"), theme.StorageIcon(), func() { f.Submit() })
	c.Archive = f
	f.dialog = c.formDialog(shell.L("archive.title"), container.NewVBox(intro, form, f.Why), f.Message, f.OK, fyne.NewSize(640, 420))
}

// archive archives case id for period, its printed case file in the bundle.
func (c *Cases) archive(id, period string) error {
	ctx := context.Background()
	pdf, err := document.CheckedCaseFileFor(ctx, c.log, id, c.agencyName(), c.d.cfg.PlatformURL, c.now())
	if err != nil {
		return fmt.Errorf("print case file of %s: %w", id, err)
	}
	_, err = c.log.Archive(ctx, id, c.d.Me.ID, period, map[string][]byte{bundle.CaseFileName: pdf})
	return err
}

// archiveError words an archive's refusal.
func archiveError(err error) string {
	if code := casefile.ErrorCode(err); code != "" {
		return shell.L("case.why." + code)
	}
	return caseError(err)
}
