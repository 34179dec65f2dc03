package kiosk

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sanxiang-desk/sanxiang/app/shell/shelltest"
	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// The complaint page, reached from the home screen's tile, ends with how
// to check a printed document (扫码验真) and the QR code of the
// platform's page with the form for people without a phone.
func TestComplaintPageExplainsDocumentCheck(t *testing.T) {
	k := newTestKiosk(t)
	w := kioskWindow(t, k, fyne.NewSize(1280, 800))
	k.ShowHome()
	var complaint *Tile
	for _, tl := range k.Tiles {
		if tl.Name == "投诉举报、救济渠道" {
			complaint = tl
		}
	}
	if complaint == nil {
		t.Fatal("no complaint tile on the home screen")
	}
	test.Tap(complaint.Button)
	scroll := findScroll(k.body)
	if scroll == nil {
		t.Fatal("the complaint page does not scroll")
	}
	box := scroll.Content.(*fyne.Container)
	section := box.Objects[len(box.Objects)-1]
	if got := strings.Join(texts(section), " "); !strings.Contains(got, "如何验证文书真伪") || !strings.Contains(got, "扫码验真") || !strings.Contains(got, "校验值") {
		t.Errorf("the last section reads %q", got)
	}
	img := findQR(section)
	if img == nil {
		t.Fatal("no QR code in the section")
	}
	want := strings.TrimRight(k.cfg.PlatformURL, "/") + api.PathVerify
	if got := decodeQR(t, img); got != want || VerifyURL(k.cfg.PlatformURL+"/") != want {
		t.Errorf("QR says %q, want %q", got, want)
	}
	scroll.ScrollToBottom()
	shelltest.Shot(t, w, "kiosk_verify_help")
}
