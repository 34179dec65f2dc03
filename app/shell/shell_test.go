package shell

import (
	"bytes"
	"encoding/json"
	"image"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/go-text/typesetting/font"

	"github.com/sanxiang-desk/sanxiang/assets"
)

const sample = "行政执法公示 张三 营业执照 990101000032 ABC，。《》"

func renderSample(t *testing.T, th fyne.Theme) image.Image {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(th)
	content := container.NewVBox(
		widget.NewLabel(sample),
		widget.NewLabelWithStyle("重大执法决定法制审核", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
	)
	w := test.NewTempWindow(t, content)
	w.Resize(content.MinSize().Add(fyne.NewSize(16, 16)))
	return w.Canvas().Capture()
}

// The bundled font draws Chinese: the image is locked in a golden file, so
// tofu boxes or a fallback face would fail here.
func TestChineseRendersWithBundledFont(t *testing.T) {
	test.AssertImageMatches(t, "chinese_label.png", renderSample(t, Theme{}))
	test.AssertImageMatches(t, "chinese_label_large.png", renderSample(t, Theme{Large: true}))
}

// The theme hands Fyne the bundled faces, never the system's.
func TestThemeUsesBundledFaces(t *testing.T) {
	var bold fyne.TextStyle
	bold.Bold = true
	if (Theme{}).Font(fyne.TextStyle{}) != fontRegular || (Theme{}).Font(bold) != fontBold {
		t.Fatal("theme does not return the bundled faces")
	}
	if len(fontRegular.Content()) < 1_000_000 || len(fontBold.Content()) < 1_000_000 {
		t.Fatal("bundled fonts are suspiciously small")
	}
}

func parseFont(t *testing.T, name string) *font.Face {
	t.Helper()
	data, err := assets.Fonts.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	face, err := font.ParseTTF(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return face
}

// Every Han character of the translations and the demo data, and all of
// level-1 GB2312, must be in both bundled faces.
func TestFontCoversEveryCharacterWeShow(t *testing.T) {
	need := map[rune]bool{}
	add := func(s string) {
		for _, r := range s {
			if !unicode.IsControl(r) && r != '\uFEFF' {
				need[r] = true
			}
		}
	}
	for _, dir := range []string{"translations", "demo"} {
		var fsys fs.FS = assets.Translations
		if dir == "demo" {
			fsys = assets.Demo
		}
		fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, _ := fs.ReadFile(fsys, p)
			add(string(data))
			return nil
		})
	}
	// Level 1 of GB2312 is exactly the Han characters in rows 16–55.
	for _, r := range "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞" {
		need[r] = true
	}
	for _, name := range []string{assets.FontRegular, assets.FontBold} {
		face := parseFont(t, name)
		var missing []string
		for r := range need {
			if _, ok := face.NominalGlyph(r); !ok && !unicode.IsSpace(r) {
				missing = append(missing, string(r))
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("%s lacks %d characters: %s", name, len(missing), strings.Join(missing, ""))
		}
	}
}

// Both translation files hold the same keys, and every key the code asks
// for is in them.
func TestTranslationsAreComplete(t *testing.T) {
	load := func(name string) map[string]string {
		data, err := assets.Translations.ReadFile("translations/" + name)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return m
	}
	zh, en := load("zh-Hans.json"), load("en.json")
	for k := range zh {
		if en[k] == "" {
			t.Errorf("en.json lacks %q", k)
		}
	}
	for k := range en {
		if zh[k] == "" {
			t.Errorf("zh-Hans.json lacks %q", k)
		}
	}
	// Keys in code: L("…"), and the catalog's field and value keys.
	// A key ends in a letter: "review.opinion." + x is a prefix, checked by
	// the tests of the package that builds it.
	used := regexp.MustCompile(`(?:\bL|Label:|help:)\(?\s*"([a-z_]+\.[a-z_.]*[a-z_])"`)
	literal := regexp.MustCompile(`"((?:cli\.cmd|field|act|cert|list)\.[a-z_]+)"`)
	root := filepath.Join("..", "..")
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		src, _ := os.ReadFile(p)
		for _, re := range []*regexp.Regexp{used, literal} {
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				if zh[m[1]] == "" {
					t.Errorf("%s uses %q, which zh-Hans.json lacks", p, m[1])
				}
			}
		}
		return nil
	})
}

func TestSetLanguage(t *testing.T) {
	test.NewTempApp(t)
	t.Setenv("LANG", "C")
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANGUAGE", "")
	for _, tc := range []struct{ choice, want, text string }{
		{"", LangChinese, "首页"},
		{"en", LangEnglish, "Home"},
		{"zh", LangChinese, "首页"},
	} {
		got, err := SetLanguage(tc.choice)
		if err != nil || got != tc.want {
			t.Fatalf("SetLanguage(%q) = %q, %v", tc.choice, got, err)
		}
		if s := L("kiosk.home"); s != tc.text {
			t.Errorf("SetLanguage(%q): kiosk.home = %q, want %q", tc.choice, s, tc.text)
		}
	}
	if _, err := SetLanguage("fr"); err == nil {
		t.Error("SetLanguage(fr) succeeded")
	}
}

// TestQuitWatchesTheExit: Quit runs the mode's
// closing last-added first and exits 0; closing that hangs is caught
// ExitWatch later with every goroutine's stack and status 3; a second
// close event does nothing more.
func TestQuitWatchesTheExit(t *testing.T) {
	test.NewTempApp(t)
	var out strings.Builder
	code := make(chan int, 2)
	var order []string
	hang := make(chan struct{})
	stuck := false
	oldOut, oldExit, oldWatch := stuckOut, exit, ExitWatch
	stuckOut, exit, ExitWatch, quitOnce, onQuit = &out, func(c int) { code <- c }, 300*time.Millisecond, sync.Once{}, nil
	t.Cleanup(func() { stuckOut, exit, ExitWatch, quitOnce, onQuit = oldOut, oldExit, oldWatch, sync.Once{}, nil })
	OnQuit(func() { order = append(order, "device closed") })
	OnQuit(func() {
		order = append(order, "work stopped")
		if stuck {
			<-hang
		}
	})
	Quit()
	if c := <-code; c != 0 || strings.Join(order, ", ") != "work stopped, device closed" {
		t.Fatalf("quit: status %d, order %v", c, order)
	}
	Quit() // a second close event
	select {
	case c := <-code:
		t.Fatalf("a second quit exited again (%d)", c)
	case <-time.After(ExitWatch + 200*time.Millisecond): // nor did the watch fire: the process was gone
	}

	// A closing that hangs.
	quitOnce, stuck = sync.Once{}, true
	quit := make(chan struct{})
	go func() { Quit(); close(quit) }()
	select {
	case c := <-code:
		if c != 3 {
			t.Errorf("exit status %d", c)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the watch never fired")
	}
	if s := out.String(); !strings.Contains(s, "still running 300ms after quitting") || !strings.Contains(s, "goroutine ") ||
		!strings.Contains(s, "TestQuitWatchesTheExit") {
		t.Errorf("dump: %.300s", s)
	}
	close(hang)
	<-quit
}
