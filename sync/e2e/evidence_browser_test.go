package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/sanxiang-desk/sanxiang/internal/browsertest"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// The evidence of a case plays in a real browser: a desk's audio, video
// (MJPEG AVI with its WAV) and photo, pushed through the real sync; the
// city's office signs in, opens the case, states a purpose, and the
// audio's currentTime advances while it plays, the video's canvas shows
// two different frames, the photo loads with its EXIF on the page, and
// the access log on the page gains the views. Screenshots go to
// $SANXIANG_CONSOLE_SHOTS. Skipped without a Chromium, unless
// SANXIANG_REQUIRE_BROWSER=1.
func TestEvidencePlaysInTheBrowser(t *testing.T) {
	exe := browsertest.Find(t)
	if testing.Short() {
		t.Skip("a browser is slow")
	}
	ctx := context.Background()
	s, h := platform(t, servertest.Backends(t)[0])
	device, id, shas := evidenceCase(t, s, h)
	if err := s.AddAdmin(ctx, console.Admin{Login: "sfj", Name: "市司法局 李科长", Role: console.RoleCity}, "password-sfj", "test"); err != nil {
		t.Fatal(err)
	}

	br := browsertest.Open(t, exe)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	shot := func(name, sel string) browsertest.Step {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			png, err := chromedp.Screenshot(chromedp.CSS(sel))(ctx, tg)
			if err != nil {
				return chromedp.Void{}, err
			}
			return chromedp.Void{}, os.WriteFile(filepath.Join(br.Shots, name+".png"), png, 0o644)
		}
	}
	br.Do("log in", chromedp.Navigate(h.URL+"/admin/login"), chromedp.WaitVisible(css(`input[name=login]`)),
		chromedp.SendKeys(css(`input[name=login]`), "sfj"), chromedp.SendKeys(css(`input[name=password]`), "password-sfj"),
		chromedp.Click(css(`#login`)), chromedp.WaitVisible(css(`.cards`)))
	br.Do("the case", chromedp.Navigate(h.URL+"/admin/cases/"+device+"/"+id), chromedp.WaitVisible(css(`#purpose-form`)),
		chromedp.ScrollIntoView(css(`#evidence`)), shot("evidence-purpose-form", `#evidence`))
	players := evalIn[int](t, br, "no player before a purpose", `document.querySelectorAll("audio, canvas.player, img.photo").length`)
	if players != 0 {
		t.Fatalf("%d players before a purpose was stated", players)
	}
	br.Do("state a purpose", chromedp.Click(css(`input[name=purpose][value=supervision]`)),
		chromedp.SendKeys(css(`#purpose-words`), "2026 年第四季度音像记录专项检查"),
		chromedp.Click(css(`#state-purpose`)), chromedp.WaitVisible(css(`#purpose-stated`)))
	if got := br.Text(`#purpose-stated`); !strings.Contains(got, "执法监督：2026 年第四季度音像记录专项检查") {
		t.Fatalf("the purpose stated: %q", got)
	}

	// The audio plays: its currentTime advances half a second or more
	// (waited for, up to 10 s: a browser sharing two cores starts late).
	audio := `document.querySelector("#evidence .file[data-sha256='` + shas["audio"] + `'] audio")`
	played := evalIn[bool](t, br, "play the audio", `(async () => { const a = `+audio+`; await a.play(); return !a.paused })()`)
	advanced := evalIn[float64](t, br, "the audio's time", `new Promise(ok => { const a = `+audio+`, t0 = a.currentTime;
		const check = () => { if (a.currentTime - t0 >= 0.5) ok(a.currentTime - t0) };
		a.addEventListener("timeupdate", check); setTimeout(() => ok(a.currentTime - t0), 10000) })`)
	if !played || advanced < 0.5 {
		t.Fatalf("the audio played %v, its currentTime advanced %.2f s", played, advanced)
	}

	// The video: playing its sound draws the AVI's frames on the canvas;
	// a snapshot of the canvas, and another once the player has drawn a
	// later frame, differ.
	video := `document.querySelector("#evidence .file[data-sha256='` + shas["video"] + `']")`
	canvas := video + `.querySelector("canvas")`
	shownAfter := func(what string, after string) string {
		return evalIn[string](t, br, what, `new Promise(ok => { const c = `+canvas+`, t0 = Date.now();
			const wait = () => { const n = c.dataset.shown || ""; if (n !== "" && n !== "`+after+`" || Date.now() - t0 > 10000) ok(n); else setTimeout(wait, 20) }; wait() })`)
	}
	shown1 := shownAfter("the first frame", "")
	first := evalIn[string](t, br, "a snapshot", canvas+`.toDataURL("image/png")`)
	evalIn[bool](t, br, "play the video", `(async () => { await `+video+`.querySelector("audio").play(); return true })()`)
	shown2 := shownAfter("a later frame", shown1)
	second := evalIn[string](t, br, "another snapshot", canvas+`.toDataURL("image/png")`)
	if len(first) < 100 || first == second || shown1 == shown2 {
		t.Fatalf("the video shows frame %q then %q; the pictures differ: %v", shown1, shown2, first != second)
	}
	evalIn[bool](t, br, "pause", `(() => { document.querySelectorAll("audio").forEach(a => a.pause()); return true })()`)

	// The photo loads, and its EXIF is on the page.
	photo := `#evidence .file[data-sha256='` + shas["photo"] + `']`
	br.Do("the photo", chromedp.WaitVisible(css(photo+` img.photo`)))
	evalIn[bool](t, br, "the photo loaded", `new Promise(ok => { const i = document.querySelector("`+photo+` img.photo"); if (i.complete) ok(true); else i.onload = () => ok(true) })`)
	width := evalIn[int](t, br, "its size", `document.querySelector("`+photo+` img.photo").naturalWidth`)
	if width != 320 {
		t.Fatalf("the photo's naturalWidth is %d", width)
	}
	if got := br.Text(photo + ` dl.exif`); !strings.Contains(got, "QingHe EvidenceCam 1") || !strings.Contains(got, "2026-11-20 09:41:07") {
		t.Fatalf("the photo's EXIF on the page: %q", got)
	}
	br.Do("the page", chromedp.ScrollIntoView(css(`#evidence`)), shot("evidence-case-page", `#evidence`))

	// The access log on the page gains a view of each file played or shown.
	br.Do("reload", chromedp.Reload(), chromedp.WaitVisible(css(`#access-log`)), chromedp.ScrollIntoView(css(`#access-log`)),
		shot("evidence-access-log", `#access-log`))
	log := br.Text(`#access-log`)
	for _, role := range []string{"audio", "video", "sound", "photo"} {
		if !strings.Contains(log, shas[role][:16]) {
			t.Fatalf("the access log has no view of the %s: %s", role, log)
		}
	}
	if strings.Count(log, "执法监督：2026 年第四季度音像记录专项检查") != 4 || strings.Count(log, "市司法局 李科长（sfj）") != 4 || strings.Count(log, "查看") != 4 {
		t.Fatalf("the access log: %s", log)
	}
	br.Do("the whole page", br.Shot("evidence-whole-case-page"))
}

// evalIn runs js in the page as a click would (so media may play),
// awaiting a promise, and returns its value.
func evalIn[T any](t *testing.T, br *browsertest.Chrome, what, js string) T {
	t.Helper()
	yes := true
	v, err := chromedp.Run(br.Ctx, chromedp.Evaluate[T](js, func(p *runtime.EvaluateParams) {
		p.UserGesture, p.AwaitPromise = &yes, &yes
	}))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}
