package kiosk

import (
	"bytes"
	"context"
	"embed"
	"encoding/xml"
	"fmt"
	"image"
	_ "image/jpeg" // emblems may be JPEG
	_ "image/png"  // or PNG
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/app/speech"
	"github.com/sanxiang-desk/sanxiang/assets"
)

// The home tiles' icons: single-colour SVGs (fills only), recoloured to
// the theme as Fyne's own icons are; Fyne's icons stand in where one of
// theirs says the same (a person, a letter).
//
//go:embed icons/*.svg
var icons embed.FS

func icon(name string) fyne.Resource {
	data, err := icons.ReadFile("icons/" + name + ".svg")
	if err != nil {
		panic("kiosk icon missing from the build: " + name) // go:embed guarantees it
	}
	return fyne.NewStaticResource(name+".svg", data)
}

// kindIcon is the icon of a public list's tile.
func kindIcon(kind catalog.Kind) fyne.Resource {
	switch kind {
	case catalog.KindOfficer:
		return theme.AccountIcon()
	case catalog.KindFee:
		return icon("fee")
	case catalog.KindGuide:
		return icon("guide")
	case catalog.KindItem:
		return icon("item")
	case catalog.KindInspection:
		return icon("inspection")
	case catalog.KindDecision:
		return icon("decision")
	case catalog.KindResult:
		return icon("result")
	}
	return theme.ListIcon()
}

// newTile is a home tile: a large icon over the tile's name and a line
// under it, the whole tile one button. The button beneath takes the tap
// and draws the press; the words and icon over it take none.
func newTile(res fyne.Resource, title, sub string, primary, large bool, tapped func()) *Tile {
	t := &Tile{Button: widget.NewButton("", tapped), Name: title}
	fg := theme.ColorNameForeground
	iconColour := theme.ColorNamePrimary
	if primary {
		t.Button.Importance = widget.HighImportance
		fg, iconColour = theme.ColorNameForegroundOnPrimary, theme.ColorNameForegroundOnPrimary
	}
	img := canvas.NewImageFromResource(theme.NewColoredResource(res, iconColour))
	img.FillMode = canvas.ImageFillContain
	side := theme.Size(theme.SizeNameInlineIcon) * 1.75
	if large {
		side = theme.Size(theme.SizeNameInlineIcon) // already larger, and three rows must fit
	}
	img.SetMinSize(fyne.NewSquareSize(side))
	// Words drawn as text, not labels: a label's padding would make the
	// tiles too tall for three rows in 大字.
	name := canvas.NewText(title, theme.Color(fg))
	name.TextSize, name.TextStyle, name.Alignment = theme.Size(theme.SizeNameSubHeadingText), fyne.TextStyle{Bold: true}, fyne.TextAlignCenter
	lines := []fyne.CanvasObject{img, name}
	if sub != "" {
		line := canvas.NewText(sub, theme.Color(fg))
		line.TextSize, line.Alignment = theme.Size(theme.SizeNameText), fyne.TextAlignCenter
		lines = append(lines, line)
	}
	t.content = container.NewStack(t.Button, container.NewCenter(container.NewVBox(lines...)))
	return t
}

// Tile is one of the home screen's tiles.
type Tile struct {
	Button  *widget.Button
	Name    string
	content fyne.CanvasObject
}

// LoadEmblem reads the hall's emblem named in the settings (a PNG, JPEG
// or SVG, relative to the data folder dir), checked by its content: an
// image that decodes, an SVG whose root is <svg>, at most 2 MiB. With none
// named it is the application's icon.
func LoadEmblem(dir string, cfg config.Config) (fyne.Resource, error) {
	if cfg.HallEmblem == "" {
		return fyne.NewStaticResource("icon.png", assets.Icon), nil
	}
	path := cfg.HallEmblem
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("hall emblem: %w", err)
	}
	defer f.Close()
	const most = 2 << 20
	data, err := io.ReadAll(io.LimitReader(f, most+1))
	if err != nil {
		return nil, fmt.Errorf("hall emblem %s: %w", path, err)
	}
	if len(data) > most {
		return nil, fmt.Errorf("hall emblem %s: larger than 2 MiB", path)
	}
	if strings.EqualFold(filepath.Ext(path), ".svg") {
		var root struct{ XMLName xml.Name }
		if err := xml.Unmarshal(data, &root); err != nil || root.XMLName.Local != "svg" {
			return nil, fmt.Errorf("hall emblem %s: not an SVG image", path)
		}
	} else if _, _, err := image.DecodeConfig(bytes.NewReader(data)); err != nil {
		return nil, fmt.Errorf("hall emblem %s: not a PNG or JPEG image: %w", path, err)
	}
	return fyne.NewStaticResource(filepath.Base(path), data), nil
}

// SetEmblem gives the kiosk the hall's emblem, shown beside the hall's
// name on the home and idle screens.
func (k *Kiosk) SetEmblem(res fyne.Resource) {
	k.emblem = res
	if k.OnHome {
		k.ShowHome()
	} else if k.Idle {
		k.ShowAttract()
	}
}

// hallBanner is the emblem and the hall's name (the settings' hall_name,
// else the kiosk's title) over a line of words.
func (k *Kiosk) hallBanner(line string) fyne.CanvasObject {
	name := k.cfg.HallName
	if name == "" {
		name = shell.L("kiosk.title")
	}
	title := canvas.NewText(name, theme.Color(theme.ColorNameForeground))
	title.TextSize, title.TextStyle = theme.Size(theme.SizeNameHeadingText), fyne.TextStyle{Bold: true}
	words := container.NewVBox(title)
	if line != name && !k.highContrast { // 大字's larger tiles need its height
		sub := canvas.NewText(line, theme.Color(theme.ColorNameForeground))
		sub.TextSize = theme.Size(theme.SizeNameText)
		words.Add(sub)
	}
	if k.emblem == nil {
		return container.NewCenter(words)
	}
	em := canvas.NewImageFromResource(k.emblem)
	em.FillMode = canvas.ImageFillContain
	em.SetMinSize(fyne.NewSquareSize(words.MinSize().Height))
	return container.NewCenter(container.NewHBox(em, words))
}

// clockText is the date and time the top bar shows: 12月6日 星期日 15:30.
func clockText(t time.Time) string {
	return shell.L("kiosk.clock", map[string]any{
		"Month": int(t.Month()), "Day": t.Day(), "Time": t.Format("15:04"),
		"Weekday": shell.L(fmt.Sprintf("weekday.%d", int(t.Weekday()))),
	})
}

// tickClock sets the top bar's date and time from the kiosk's clock. In
// 大字 the bar has no room for it beside the screen's title, whose larger
// words matter more to the citizen who chose them.
func (k *Kiosk) tickClock() {
	if k.highContrast == k.Clock.Visible() {
		k.Clock.Hidden = k.highContrast
		k.Clock.Refresh()
	}
	if s := clockText(k.now()); s != k.Clock.Text {
		k.Clock.SetText(s)
	}
}

// Voice reads text aloud (app/speech.Voice is one).
type Voice interface {
	Speak(text string) error
	Stop()
	Speaking() bool
}

// SetVoice gives the kiosk the system's Chinese voice: detail screens then
// carry a 朗读 button, for citizens who read with difficulty.
func (k *Kiosk) SetVoice(v Voice) { k.voice = v }

// ReadAloud reads it aloud, its name then each field, or stops the reading
// under way.
func (k *Kiosk) ReadAloud(it catalog.Item) {
	k.touch()
	if k.voice == nil {
		return
	}
	if k.voice.Speaking() {
		k.stopReading()
		return
	}
	if err := k.voice.Speak(readText(it)); err != nil {
		fyne.LogError("read aloud", err)
		return
	}
	k.setReading(true)
}

// readText is what 朗读 says: the item's name, then "label：value" for
// every field that has one, each a sentence.
func readText(it catalog.Item) string {
	lines := []string{it.Title() + "。"}
	for _, f := range it.Fields() {
		v := strings.TrimSpace(f.Value)
		if f.ValueIsKey {
			v = shell.L(v)
		}
		if v != "" && v != it.Title() {
			lines = append(lines, shell.L(f.Label)+"："+v+"。")
		}
	}
	return strings.Join(lines, "\n")
}

// stopReading stops a reading under way.
func (k *Kiosk) stopReading() {
	if k.voice != nil && k.voice.Speaking() {
		k.voice.Stop()
	}
	if k.Read != nil {
		k.setReading(false)
	}
}

// setReading words the 朗读 button for reading or not.
func (k *Kiosk) setReading(on bool) {
	if on {
		k.Read.SetText(shell.L("kiosk.read_stop"))
		k.Read.SetIcon(theme.MediaStopIcon())
		return
	}
	k.Read.SetText(shell.L("kiosk.read"))
	k.Read.SetIcon(theme.VolumeUpIcon())
}

// scheme is the kiosk's colour scheme from its settings: light unless the
// hall chose dark.
func (k *Kiosk) scheme() shell.Scheme {
	if k.cfg.KioskTheme == string(shell.SchemeDark) {
		return shell.SchemeDark
	}
	return shell.SchemeLight
}

// Theme is the kiosk's theme for its settings: the touch variant in the
// hall's colour scheme.
func Theme(cfg config.Config) shell.Theme {
	k := Kiosk{cfg: cfg}
	return shell.Theme{Large: true, Touch: true, Scheme: k.scheme()}
}

// Dress gives a kiosk on data folder dir what the hall and the system
// bring: the hall's emblem (one that cannot be read leaves the
// application's icon in its place: the hall keeps its kiosk, and the log
// says why) and the system's Chinese voice for 朗读, if it has one.
func (k *Kiosk) Dress(dir string) {
	if em, err := LoadEmblem(dir, k.cfg); err != nil {
		shell.LogError("hall emblem", err)
	} else {
		k.SetEmblem(em)
	}
	if v, err := speech.Find(context.Background()); err != nil {
		shell.LogError("朗读 (read aloud)", err)
	} else {
		k.SetVoice(v)
	}
}
