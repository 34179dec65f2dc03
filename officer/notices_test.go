package officer

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/api/apitest"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
)

// labelTexts are the texts of the labels under o.
func labelTexts(o fyne.CanvasObject) []string {
	var out []string
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *widget.Label:
			out = append(out, v.Text)
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case fyne.Widget:
			if r := v.CreateRenderer(); r != nil {
				for _, c := range r.Objects() {
					walk(c)
				}
			}
		}
	}
	walk(o)
	return out
}

// The officer's desk shows the notice the city issued about its case
// after a real pull from a real platform: the number, the state, the
// finding and the deadline; the notice about a case of another device
// never reaches it; after the city returns the agency's report the next
// pull says so.
func TestOfficerSeesNoticeOnDesk(t *testing.T) {
	ctx := context.Background()
	d, l := signedInWithCases(t)
	d.win.Resize(fyne.NewSize(1280, 800))
	s, err := server.Open(ctx, filepath.Join(t.TempDir(), "platform.db"), server.Options{AdminToken: "city-token",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := httptest.NewServer(apitest.Checked(t, s.Handler()))
	defer h.Close()
	if err := s.Publish(ctx, nil, []catalog.Agency{{Code: "01", Name: "青禾市市场监督管理局"}}); err != nil {
		t.Fatal(err)
	}
	enrolAndPush := func(l *casefile.Log, name string) *client.Client {
		t.Helper()
		code, err := s.NewEnrolCode(ctx, "officer")
		if err != nil {
			t.Fatal(err)
		}
		id, err := client.Enrol(ctx, h.URL, code, name, "officer", l.Verifier)
		if err != nil {
			t.Fatal(err)
		}
		c := client.New(id)
		if _, err := c.Push(ctx, l); err != nil {
			t.Fatal(err)
		}
		return c
	}
	opening := casefile.Opening{Act: catalog.ActPenalty, Agency: "01", ItemID: "E1", ItemName: "对虚假广告的处罚",
		Party: casefile.Party{Kind: "org", Name: "青禾市某某有限公司"}, Officers: []casefile.Officer{{CertNo: "990101000001", Name: "甲"}}}
	caseID, err := l.OpenCase(ctx, "990101000001", opening)
	if err != nil {
		t.Fatal(err)
	}
	mine := enrolAndPush(l, "执法终端一")
	// Another device with its own case, and a notice about it.
	dir := t.TempDir()
	other, err := casefile.Open(ctx, filepath.Join(dir, "casefile.db"), filepath.Join(dir, "media"), "T2", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	otherCase, err := other.OpenCase(ctx, "990101000001", opening)
	if err != nil {
		t.Fatal(err)
	}
	theirs := enrolAndPush(other, "执法终端二")

	token := "city-token"
	call := func(method, path string, body any, want int) api.Notice {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, h.URL+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
		var n api.Notice
		json.Unmarshal(raw, &n)
		return n
	}
	deadline := time.Now().AddDate(0, 0, 10).Format(time.DateOnly)
	n := call("POST", api.PathNotices, api.NewNotice{Device: mine.Identity().DeviceID, Case: caseID, Finding: "处罚决定未按期公示",
		Basis: "《行政处罚法》第四十八条", Actions: "七日内补充公示并说明原因", Deadline: deadline}, http.StatusCreated)
	call("POST", api.PathNotices, api.NewNotice{Device: theirs.Identity().DeviceID, Case: otherCase, Finding: "另一台设备的案件",
		Basis: "《行政处罚法》第四十七条", Deadline: deadline}, http.StatusCreated)

	got, err := mine.PullNotices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != n.ID || got[0].Case != caseID || got[0].Device != mine.Identity().DeviceID {
		t.Fatalf("the device pulled %+v", got)
	}
	d.SetNotices(got, nil)
	d.Cases.ShowCase(caseID)
	text := strings.Join(labelTexts(d.Cases.root), "\n")
	for _, want := range []string{n.Number + "　待整改", "发现的问题：处罚决定未按期公示", "整改期限：" + deadline, "《行政处罚法》第四十八条", "整改要求：七日内补充公示并说明原因"} {
		if !strings.Contains(text, want) {
			t.Fatalf("the case view lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "另一台设备的案件") {
		t.Fatalf("another device's notice on this desk:\n%s", text)
	}
	shelltest.Shot(t, d.win, "notice-desk-banner")

	// The agency reports and the city returns it: the next pull says so,
	// and the open case is drawn again with it.
	agency, err := s.Console().NewToken(ctx, console.Token{Name: "agency-01", Agency: "01", Scopes: []string{"supervision"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	token = agency
	call("POST", api.PathNotices+"/"+n.ID+"/report", api.NoticeReport{Text: "已补充公示"}, http.StatusCreated)
	token = "city-token"
	call("POST", api.PathNotices+"/"+n.ID+"/recheck", api.NoticeRecheck{Decision: "return", Reasons: "未说明逾期原因"}, http.StatusCreated)
	call("POST", api.PathNotices+"/"+n.ID+"/accountability", api.NoticeAccountability{Who: "承办人 甲", Measure: "诫勉谈话"}, http.StatusCreated)
	if got, err = mine.PullNotices(ctx); err != nil || len(got) != 1 || got[0].State != "returned" || len(got[0].Steps) != 2 {
		t.Fatalf("after the return (accountability is not for the desk): %+v %v", got, err)
	}
	d.SetNotices(got, nil)
	if text := strings.Join(labelTexts(d.Cases.root), "\n"); !strings.Contains(text, n.Number+"　退回，须重新整改") || !strings.Contains(text, "退回理由：未说明逾期原因") {
		t.Fatalf("the case view after the return:\n%s", text)
	}
	shelltest.Shot(t, d.win, "notice-desk-banner-returned")
}
