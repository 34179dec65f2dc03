package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/hall"
	"github.com/sanxiang-desk/sanxiang/internal/browsertest"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// 好差评 on the console in a real browser: a window's staff member serves
// four citizens, who rate 非常满意, 满意, 非常不满意 (with reasons and
// words) and nothing; the window pushes its log; the agency's
// administrator sees the counts and the bad rating, opens it and enters a
// 回访 and then a 整改 with its date through the form, and both are listed.
// The pages are screenshotted into $SANXIANG_CONSOLE_SHOTS. Skipped
// without a Chromium, unless SANXIANG_REQUIRE_BROWSER=1.
func TestRatingsConsoleInABrowser(t *testing.T) {
	exe := browsertest.Find(t)
	if testing.Short() {
		t.Skip("a browser is slow")
	}
	ctx := context.Background()
	s, h := platform(t, servertest.Backends(t)[0])
	if err := s.Publish(ctx, nil, []catalog.Agency{{Code: "02", Name: "青禾市城市管理局"}}); err != nil {
		t.Fatal(err)
	}
	const staff, pin = "990102000104", "258147"
	dev, _ := enrolledDevice(t, s, h.URL, "大厅一号窗口", api.DeviceWindow)
	if _, err := client.ActivatePerson(ctx, dev, person(t, s, api.Person{ID: staff, Name: "毛诗", Agency: "02", Role: api.RoleStaff}), pin); err != nil {
		t.Fatal(err)
	}
	if _, _, err := dev.Book.SignIn(ctx, staff, pin, "3"); err != nil {
		t.Fatal(err)
	}
	for _, b := range []hall.RatingBody{
		{Level: hall.LevelVerySatisfied}, {Level: hall.LevelSatisfied},
		{Level: hall.LevelVeryDissatisfied, Reasons: []string{hall.ReasonLongWait, hall.ReasonManyTrips}, Text: "跑了三次才办成",
			Service: "guide/G1", ServiceTitle: "临时占用城市道路许可"},
		{Level: hall.LevelUnrated},
	} {
		b.Window, b.Staff, b.Visit = "3", staff, hall.NewVisit()
		if _, err := hall.AppendRating(ctx, dev.Log, b); err != nil {
			t.Fatal(err)
		}
	}
	if res, err := client.Round(ctx, dev, nil); err != nil {
		t.Fatalf("round: %s: %v", res, err)
	}
	if err := s.AddAdmin(ctx, console.Admin{Login: "cgj", Name: "城管局 王科长", Role: console.RoleAgency, Agency: "02"}, "password-cgj", "test"); err != nil {
		t.Fatal(err)
	}

	br := browsertest.Open(t, exe)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	br.Do("log in", chromedp.Navigate(h.URL+"/admin/login"), chromedp.WaitVisible(css(`input[name=login]`)),
		chromedp.SendKeys(css(`input[name=login]`), "cgj"), chromedp.SendKeys(css(`input[name=password]`), "password-cgj"),
		chromedp.Click(css(`#login`)), chromedp.WaitVisible(css(`.cards`)))
	br.Do("the ratings", chromedp.Click(css(`header a[href="/admin/ratings"]`)), chromedp.WaitVisible(css(`#bad-ratings`)), br.Shot("rating-console-ratings"))
	if got := br.Text(`#total`); got != "已评价 3 次，未评价 1 次，满意率 66.7%" {
		t.Fatalf("the total: %q", got)
	}
	if got := br.Text(`#by-person`); !strings.Contains(got, "毛诗") || !strings.Contains(got, "66.7%") {
		t.Fatalf("per person: %q", got)
	}
	if got := br.Text(`#bad-ratings`); !strings.Contains(got, "非常不满意") || !strings.Contains(got, "等候时间长；多次跑动；跑了三次才办成") || !strings.Contains(got, "待回访") {
		t.Fatalf("the bad ratings: %q", got)
	}
	br.Do("the bad rating", chromedp.Click(css(`#bad-ratings a`)), chromedp.WaitVisible(css(`#followup`)))
	br.Do("a 回访", chromedp.SendKeys(css(`#who`), "王科长"), chromedp.SendKeys(css(`#what`), "电话回访：群众三次来办，材料清单前后不一"),
		chromedp.SendKeys(css(`#result`), "已致歉，当场一次告知"), chromedp.Click(css(`#add-followup`)), chromedp.WaitVisible(css(`#followup-1`)))
	br.Do("a 整改", chromedp.SetValue(css(`#kind`), "fix"), chromedp.SendKeys(css(`#who`), "窗口科 李四"),
		chromedp.SendKeys(css(`#what`), "统一材料清单，窗口与网上一致"), chromedp.SetValue(css(`#due`), "2026-12-31"),
		chromedp.Click(css(`#add-followup`)), chromedp.WaitVisible(css(`#followup-2`)), br.Shot("rating-console-followup"))
	list := br.Text(`#followups`)
	if !strings.Contains(list, "回访") || !strings.Contains(list, "王科长") || !strings.Contains(list, "整改") || !strings.Contains(list, "2026-12-31") ||
		strings.Index(list, "王科长") > strings.Index(list, "窗口科 李四") {
		t.Fatalf("the follow-ups: %q", list)
	}
	if got := br.Text(`#state`); got != "整改中" {
		t.Fatalf("the state: %q", got)
	}
	if got := br.Text(`#rating`); !strings.Contains(got, "城市管理局") {
		t.Errorf("the rating names the staff member's agency by code, not name: %q", got)
	}
	t.Logf("screenshots in %s", br.Shots)
}
