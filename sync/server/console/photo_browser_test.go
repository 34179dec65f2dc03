package console_test

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// loaded waits until the image whose id is id has finished loading.
func loaded(id string) step {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		for {
			done, err := chromedp.Evaluate[bool](`document.getElementById('`+id+`').complete`)(ctx, tg)
			if err != nil || done {
				return chromedp.Void{}, err
			}
			select {
			case <-ctx.Done():
				return chromedp.Void{}, ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}

// A photo in a real browser: an agency administrator opens a demo officer
// without a photo (the placeholder: surname, name, 暂无照片), uploads a
// PNG named .jpg through the form, and the person's page and the
// officer's public page then show the photo loaded (naturalWidth > 0);
// an officer without one has the placeholder on the public page too.
// Screenshots go to $SANXIANG_CONSOLE_SHOTS (default $TMPDIR/console-shots).
func TestPhotoInABrowser(t *testing.T) {
	exe := slowBrowser(t)
	ctx := context.Background()
	s, h := servertest.Backends(t)[0].Serve(t, server.Options{})
	if err := demoload.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := s.AddAdmin(ctx, console.Admin{Login: "ag", Name: "市监局 人事科 陈科长", Role: console.RoleAgency, Agency: "01"}, "password-ag", "test"); err != nil {
		t.Fatal(err)
	}
	const id = "990101000004" // a demo officer of agency 01 without a photo
	if p, err := s.People().Get(ctx, id); err != nil || p.Photo != "" {
		t.Fatalf("%s: %+v %v", id, p, err)
	}
	file := filepath.Join(t.TempDir(), "证件照.jpg") // a PNG, whatever the name says
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, demoload.Portrait("browser", 420, 560)); err != nil {
		t.Fatal(err)
	}
	f.Close()

	br := openBrowser(t, exe)
	do, text, shot := br.Do, br.Text, br.Shot
	do("log in", chromedp.Navigate(h.URL+"/admin/login"), chromedp.WaitVisible(css(`input[name=login]`)),
		chromedp.SendKeys(css(`input[name=login]`), "ag"), chromedp.SendKeys(css(`input[name=password]`), "password-ag"),
		chromedp.Click(css(`#login`)), chromedp.WaitVisible(css(`.cards`)))
	do("the person without a photo", chromedp.Navigate(h.URL+"/admin/people/"+id), chromedp.WaitVisible(css(`#no-photo`)), shot("photo-console-form"))
	if got := text(`#no-photo`); !strings.Contains(got, "陆") || !strings.Contains(got, "暂无照片") {
		t.Errorf("the console's placeholder says %q", got)
	}
	do("upload", chromedp.SetUploadFiles(css(`#photo-file`), []string{file}), chromedp.Click(css(`#upload-photo`)),
		chromedp.WaitVisible(css(`#photo-img`)), loaded("photo-img"),
		shot("photo-console-uploaded"))
	var w int
	do("the photo's width", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		var err error
		w, err = chromedp.Evaluate[int](`document.getElementById('photo-img').naturalWidth`)(ctx, tg)
		return chromedp.Void{}, err
	})
	if w != 420 { // within the bound of 600 px: kept at its size
		t.Errorf("the console shows a photo %d px wide, want 420", w)
	}
	if p, _ := s.People().Get(ctx, id); len(p.Photo) != 64 {
		t.Fatalf("the upload did not set the photo: %+v", p)
	}

	do("the public page", chromedp.Navigate(h.URL+"/p/officer/"+id), chromedp.WaitVisible(css(`#portrait`)),
		loaded("portrait"),
		shot("photo-public-officer"))
	do("the public photo's width", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		var err error
		w, err = chromedp.Evaluate[int](`document.getElementById('portrait').naturalWidth`)(ctx, tg)
		return chromedp.Void{}, err
	})
	if w <= 0 {
		t.Errorf("the public page's photo did not load: naturalWidth %d", w)
	}
	do("a public page without a photo", chromedp.Navigate(h.URL+"/p/officer/990105000001"), chromedp.WaitVisible(css(`#no-photo`)),
		shot("photo-public-placeholder"))
	if got := text(`#no-photo`); !strings.Contains(got, "何") || !strings.Contains(got, "何龙振") || !strings.Contains(got, "暂无照片") {
		t.Errorf("the public placeholder says %q", got)
	}
}
