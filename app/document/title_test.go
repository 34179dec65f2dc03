package document

import (
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
)

// Every kind of record a case holds has a Chinese line in the printed
// contents; a recording says what it is, how long and for which stage.
func TestRecordTitlesArePrintedInWords(t *testing.T) {
	for _, kind := range []string{casefile.KindOpen, casefile.KindNote, casefile.KindCorrection, "review.submit", "review.opinion",
		"review.coordinate", "review.remote_opinion", "publish.decision", "publish.exempt", "publish.withdraw"} {
		if got := recordTitle(casefile.Record{Kind: kind}); got == kind || strings.ContainsAny(got, "abcdefghijklmnopqrstuvwxyz") {
			t.Errorf("%s prints as %q", kind, got)
		}
	}
	r := casefile.Record{Kind: casefile.KindMedia, Body: []byte(`{"kind":"video","stage":"investigate","duration_ms":183400,"recovered":true}`)}
	if got := recordTitle(r); got != "音像记录：录像 183秒　环节：调查取证（中断后修复）" {
		t.Errorf("a video prints as %q", got)
	}
	r.Body = []byte(`{"kind":"photo"}`)
	if got := recordTitle(r); got != "音像记录：照片" {
		t.Errorf("a photo prints as %q", got)
	}
}
