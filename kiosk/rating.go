package kiosk

import (
	"context"
	"image/color"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/hall"
	"github.com/sanxiang-desk/sanxiang/app/shell"
)

// 好差评 at the window (issue 23, part 4). Staff press 办结 when a service
// is done; the citizen display then asks the citizen for one of five
// levels, and for a bad one the reasons (a list, and a few words typed on
// the touch keyboard). The desk records the rating in the device's log the
// moment the citizen gives it, signed with the staff member's key
// (hall.AppendRating; the package doc of app/hall says why), and never
// shows staff which level was given: their console says only that the
// citizen rated, or did not.
//
// A citizen who walks away without rating leaves the screen to time out
// (RatingTimeout, every tap starting it again): the service is recorded as
// unrated (未评价), as it is when staff pause or sign out while the
// question is on screen, so that supervisors see how many services went
// unrated. The display then shows the window's service again.

// RatingRecorder records a citizen's rating in the device's log, signed
// with the serving staff member's key (client.HallLog).
type RatingRecorder interface {
	Rating(ctx context.Context, b hall.RatingBody) error
}

// RatingTimeout is how long the rating screens wait for a tap before the
// service is recorded as unrated.
var RatingTimeout = 90 * time.Second

// ThanksFor is how long the display thanks the citizen before it shows
// the window's service again.
var ThanksFor = 4 * time.Second

// DeskRating is the console's part of 好差评: the 办结 button and what
// became of the last request for a rating (never its level).
type DeskRating struct {
	Finish *widget.Button
	Note   *widget.Label
	rec    RatingRecorder
}

// SetRatings makes the desk offer 办结 and record each rating with r.
func (d *WindowDesk) SetRatings(r RatingRecorder) {
	d.Rate.rec = r
	if d.Rate.Finish != nil {
		d.Rate.Finish.Show()
	}
}

// ratingControls is the console's 办结 button, in the signed-in console's
// top row; its note (Rate.Note) goes on a row of its own below.
func (d *WindowDesk) ratingControls() fyne.CanvasObject {
	d.Rate.Finish = widget.NewButtonWithIcon(shell.L("window.finish"), theme.ConfirmIcon(), d.FinishService)
	d.Rate.Finish.Importance = widget.HighImportance
	d.Rate.Note = widget.NewLabel("")
	d.Rate.Note.Hide()
	if d.Rate.rec == nil {
		d.Rate.Finish.Hide()
	}
	return d.Rate.Finish
}

// FinishService ends the service at the window (办结): the display asks
// the citizen for a rating. The guide or fee on the display, if any, is
// named in the rating. Nothing happens while paused or while a rating is
// asked already.
func (d *WindowDesk) FinishService() {
	if d.Staff == nil || d.Paused || d.Rate.rec == nil || d.Display.Rating != nil {
		return
	}
	b := hall.RatingBody{Window: d.Window, Staff: d.Staff.ID, Visit: hall.NewVisit()}
	if d.Display.State == "item" && d.Display.Shown != nil {
		b.Service = string(d.Display.Shown.Kind()) + "/" + d.Display.Shown.Key()
		b.ServiceTitle = d.Display.Shown.Title()
	}
	d.Rate.Finish.Disable()
	d.Rate.Note.Importance = widget.MediumImportance
	d.Rate.Note.SetText(shell.L("window.rating_asked"))
	d.Rate.Note.Show()
	d.header.Refresh()
	d.Display.AskRating(b, d.recordRating, func() {
		if d.Staff != nil && !d.Paused {
			d.Display.Serve(d.Window, *d.Staff, d.serviceItems(d.Staff.Agency))
		}
	})
}

// recordRating appends the citizen's rating; the console says whether it
// was recorded, never how the citizen rated.
func (d *WindowDesk) recordRating(b hall.RatingBody) {
	d.Rate.Finish.Enable()
	err := d.Rate.rec.Rating(context.Background(), b)
	switch {
	case err != nil:
		fyne.LogError("window rating", err)
		d.Rate.Note.Importance = widget.DangerImportance
		d.Rate.Note.SetText(shell.L("window.rating_failed", map[string]any{"Error": err.Error()}))
	case b.Level == hall.LevelUnrated:
		d.Rate.Note.Importance = widget.MediumImportance
		d.Rate.Note.SetText(shell.L("window.rating_none"))
	default:
		d.Rate.Note.Importance = widget.SuccessImportance
		d.Rate.Note.SetText(shell.L("window.rating_done"))
	}
}

// RatingScreen is the citizen display's question, its widgets reachable
// for tests: the five levels, then for a bad one the reasons, the words
// and the keyboard to type them.
type RatingScreen struct {
	Levels   map[string]*widget.Button // by hall level
	Reasons  map[string]*widget.Button // by hall reason; a chosen one is highlighted
	Words    *widget.Entry
	Keyboard *Keyboard
	Submit   *widget.Button
	Back     *widget.Button
	Message  *widget.Label

	body   hall.RatingBody
	chosen []string
	record func(hall.RatingBody)
	back   func()
	timer  *time.Timer
	d      *Display
}

// AskRating puts the rating's question on the display for the service
// of b (window, staff, visit, service); record takes the rating (or the
// unrated one) once; back shows the window's service again.
func (d *Display) AskRating(b hall.RatingBody, record func(hall.RatingBody), back func()) {
	r := &RatingScreen{body: b, record: record, back: back, d: d,
		Levels: map[string]*widget.Button{}, Reasons: map[string]*widget.Button{}}
	d.Rating = r
	r.showLevels()
	r.touch()
}

// touch starts the wait for the next tap again.
func (r *RatingScreen) touch() {
	r.d.cancel(r.timer)
	r.timer = r.d.after(RatingTimeout, r.Expire)
}

// Expire records the service as unrated if the citizen has not rated it,
// and shows the window's service again: what the timer does.
func (r *RatingScreen) Expire() {
	if r.d.Rating != r {
		return
	}
	r.finish(hall.RatingBody{})
	r.back()
}

// finish records the rating once (an empty level: unrated) and leaves
// the question.
func (r *RatingScreen) finish(b hall.RatingBody) {
	r.d.cancel(r.timer)
	r.d.Rating = nil
	out := r.body
	out.Level, out.Reasons, out.Text = hall.LevelUnrated, nil, ""
	if b.Level != "" {
		out.Level, out.Reasons, out.Text = b.Level, b.Reasons, b.Text
	}
	r.record(out)
}

// EndRating records a rating still asked as unrated (staff pause, sign
// out or put something else on the display first).
func (d *Display) EndRating() {
	if d.Rating != nil {
		d.Rating.finish(hall.RatingBody{})
	}
}

// leaveRating: the display shows something else than the rating's own
// screens while a rating is asked: it is recorded as unrated first.
func (d *Display) leaveRating(state string) {
	if d.Rating != nil && state != "rating" && state != "rating_reason" {
		d.EndRating()
	}
}

// tall is o at least h high: the display's buttons are touch targets.
func tall(o fyne.CanvasObject, h float32) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(0, h))
	return container.NewStack(r, o)
}

func (r *RatingScreen) showLevels() {
	var buttons []fyne.CanvasObject
	for _, level := range hall.Levels {
		b := widget.NewButton(shell.L("rating.level."+level), func() { r.choose(level) })
		b.Importance = widget.HighImportance
		if hall.Bad(level) {
			b.Importance = widget.WarningImportance
		}
		r.Levels[level] = b
		buttons = append(buttons, tall(b, 150))
	}
	who := ""
	if r.d.Serving != nil {
		who = shell.L("display.window", map[string]any{"Window": r.body.Window}) + "　" + r.d.Serving.Name
	}
	anon := widget.NewLabelWithStyle(shell.L("rating.anonymous"), fyne.TextAlignCenter, fyne.TextStyle{})
	r.d.set("rating", touchable(middle(
		heading(shell.L("rating.title")),
		widget.NewLabelWithStyle(who, fyne.TextAlignCenter, fyne.TextStyle{}),
		container.NewPadded(container.NewGridWithColumns(len(buttons), buttons...)),
		anon,
	)))
}

// choose takes a level: a good one is the rating, a bad one asks why.
func (r *RatingScreen) choose(level string) {
	if r.d.Rating != r {
		return
	}
	if !hall.Bad(level) {
		r.finish(hall.RatingBody{Level: level})
		r.d.thank(r.back)
		return
	}
	r.body.Level = level
	r.showReasons()
	r.touch()
}

func (r *RatingScreen) showReasons() {
	r.chosen = nil
	var buttons []fyne.CanvasObject
	for _, reason := range hall.Reasons {
		b := widget.NewButton(shell.L("rating.reason."+reason), func() { r.toggle(reason) })
		r.Reasons[reason] = b
		buttons = append(buttons, tall(b, shell.MinTouch))
	}
	r.Words = widget.NewEntry()
	r.Words.SetPlaceHolder(shell.L("rating.words"))
	r.Words.OnChanged = func(s string) {
		if utf8.RuneCountInString(s) > hall.MaxRatingText {
			r.Words.SetText(string([]rune(s)[:hall.MaxRatingText]))
		}
		r.touch()
	}
	r.Keyboard = newKeyboard(r.Words, false, r.touch)
	r.Keyboard.WriteChinese() // pinyin to characters: the hall's screens have no input method
	r.Keyboard.drawIn(touchTheme)
	r.Message = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	r.Message.Importance = widget.DangerImportance
	r.Submit = widget.NewButtonWithIcon(shell.L("rating.submit"), theme.ConfirmIcon(), r.submit)
	r.Submit.Importance = widget.HighImportance
	r.Back = widget.NewButtonWithIcon(shell.L("rating.back"), theme.NavigateBackIcon(), func() {
		r.body.Level = ""
		r.showLevels()
		r.touch()
	})
	level := heading(shell.L("rating.level." + r.body.Level))
	level.Importance = widget.WarningImportance
	// The headings hold their height themselves: they are measured in the
	// app's theme before the display's larger one reaches them.
	top := canvas.NewRectangle(color.Transparent)
	top.SetMinSize(fyne.NewSize(0, 70))
	r.d.set("rating_reason", touchable(container.NewBorder(
		container.NewStack(top, container.NewCenter(container.NewHBox(level, heading(shell.L("rating.reason_title"))))),
		container.NewVBox(r.Message, container.NewGridWithColumns(2, tall(r.Back, 80), tall(r.Submit, 80))),
		nil, nil,
		// The reasons at the left, the words and their keyboard beside
		// them: one above the other, the keys would not fit 15 mm tall.
		container.NewBorder(nil, nil, container.NewVBox(container.NewGridWithColumns(2, buttons...)), nil,
			container.NewVBox(r.Words, r.Keyboard.content)),
	)))
}

// touchable draws o in the kiosk's touch theme: the citizen rates on the
// display with a finger, so its buttons and keys are at least 15 mm
// (shell.MinTouch), as the kiosk's are.
func touchable(o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewThemeOverride(o, touchTheme)
}

var touchTheme = shell.Theme{Large: true, Touch: true}

// toggle chooses a reason, or takes it back.
func (r *RatingScreen) toggle(reason string) {
	b := r.Reasons[reason]
	if i := slices.Index(r.chosen, reason); i >= 0 {
		r.chosen = slices.Delete(r.chosen, i, i+1)
		b.Importance = widget.MediumImportance
	} else {
		r.chosen = append(r.chosen, reason)
		b.Importance = widget.HighImportance
	}
	b.Refresh()
	r.Message.SetText("")
	r.touch()
}

// submit takes a bad rating with its reasons, or says what is missing.
func (r *RatingScreen) submit() {
	if r.d.Rating != r {
		return
	}
	r.touch()
	words := strings.TrimSpace(r.Words.Text)
	switch {
	case len(r.chosen) == 0:
		r.Message.SetText(shell.L("rating.need_reason"))
		return
	case slices.Contains(r.chosen, hall.ReasonOtherWords) && words == "":
		r.Message.SetText(shell.L("rating.need_words"))
		return
	}
	// In the list's order, whatever order they were tapped in.
	var reasons []string
	for _, reason := range hall.Reasons {
		if slices.Contains(r.chosen, reason) {
			reasons = append(reasons, reason)
		}
	}
	r.finish(hall.RatingBody{Level: r.body.Level, Reasons: reasons, Text: words})
	r.d.thank(r.back)
}

// thank thanks the citizen for a while, then back shows the service.
func (d *Display) thank(back func()) {
	d.set("rated", middle(heading(shell.L("rating.thanks"))))
	d.after(ThanksFor, func() {
		if d.State == "rated" {
			back()
		}
	})
}

// after runs fn on the UI thread after wait, unless the display is
// closed or the wait cancelled first.
func (d *Display) after(wait time.Duration, fn func()) *time.Timer {
	d.timersMu.Lock()
	defer d.timersMu.Unlock()
	if d.timers == nil {
		d.timers = map[*time.Timer]bool{}
	}
	var t *time.Timer
	t = time.AfterFunc(wait, func() {
		d.timersMu.Lock()
		live := d.timers[t] && !d.closed
		delete(d.timers, t)
		d.timersMu.Unlock()
		if live {
			fyne.Do(fn)
		}
	})
	d.timers[t] = true
	return t
}

// cancel stops a wait of after's.
func (d *Display) cancel(t *time.Timer) {
	if t == nil {
		return
	}
	t.Stop()
	d.timersMu.Lock()
	delete(d.timers, t)
	d.timersMu.Unlock()
}

// StopWaits stops the display's waits: a rating's timeout and its thanks
// never fire after the display is gone (or a test is over).
func (d *Display) StopWaits() {
	d.timersMu.Lock()
	defer d.timersMu.Unlock()
	d.closed = true
	for t := range d.timers {
		t.Stop()
	}
	clear(d.timers)
}
