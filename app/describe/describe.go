// Package describe says in words what a record of a case file is and
// holds, so that the officer's timeline and the platform's case page (what
// a supervisor reads) show the same words.
package describe

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/document"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"github.com/sanxiang-desk/sanxiang/app/review"
)

// Label is a user-facing text by key from the translations, its {{.X}}
// filled from data: the desk's in the language in force, the platform's
// in Chinese.
type Label func(key string, data ...map[string]any) string

// Record is a record's heading and its text.
func Record(r casefile.Record, L Label) (what, text string) {
	what = L("record." + r.Kind)
	switch r.Kind {
	case casefile.KindStage:
		var s casefile.StageBody
		json.Unmarshal(r.Body, &s)
		what, text = L("stage."+s.Stage), s.Note
		if len(s.Officers) > 0 {
			var names []string
			for _, o := range s.Officers {
				names = append(names, o.Name)
			}
			text += "　" + L("case.present", map[string]any{"Names": strings.Join(names, "、")})
		}
	case casefile.KindNote:
		var n map[string]string
		json.Unmarshal(r.Body, &n)
		text = n["text"]
	case casefile.KindOpen:
		var o casefile.Opening
		json.Unmarshal(r.Body, &o)
		text = o.Summary
	case casefile.KindDocument:
		var d document.Doc
		json.Unmarshal(r.Body, &d)
		what, text = L("record.document")+"："+d.Title, d.Text
	case review.KindSubmit:
		var sub review.Submission
		json.Unmarshal(r.Body, &sub)
		text = sub.Proposal.Text + "\n" + sub.Facts
		if sub.Major {
			text += "\n" + L("review.major", map[string]any{"Rules": review.RuleTexts(sub.Rules)})
		}
	case publish.KindPublish:
		var p publish.Publication
		json.Unmarshal(r.Body, &p)
		text = p.Redacted
	case publish.KindExempt:
		var e publish.Exemption
		json.Unmarshal(r.Body, &e)
		text = L("publish.reason."+e.Reason) + "　" + e.Note
	case publish.KindWithdraw:
		var w publish.Withdrawal
		json.Unmarshal(r.Body, &w)
		text = L("publish.cause."+w.Cause) + "　" + w.Explanation
	case review.KindOpinion:
		var op review.Opinion
		json.Unmarshal(r.Body, &op)
		text = L("review.opinion."+op.Opinion) + "　" + op.Reviewer.Name + "\n" + op.Reasons
	case review.KindCoordinate:
		var co review.Coordination
		json.Unmarshal(r.Body, &co)
		text = L("review.method."+co.Method) + "：" + co.Outcome
	case casefile.KindMedia:
		if rec, ok := casefile.RecordingOf(r); ok {
			what, text = Media(rec, L)
		}
	case casefile.KindHandover:
		var h casefile.Handover
		json.Unmarshal(r.Body, &h)
		to := h.To
		if h.ToName != "" {
			to = h.ToName + "（" + h.To + "）"
		}
		text = L("handover.record_text", map[string]any{"To": to, "Reason": h.Reason})
	case casefile.KindTakeover:
		var t casefile.Takeover
		json.Unmarshal(r.Body, &t)
		text = L("takeover.record_text", map[string]any{"Device": t.FromDevice, "Seq": t.FromSeq})
	case casefile.KindArchive:
		var a casefile.Archive
		json.Unmarshal(r.Body, &a)
		text = L("archive.record_text", map[string]any{"Retention": L("retention." + a.Retention), "File": a.File,
			"Records": a.Records, "Hash": a.SHA256[:min(12, len(a.SHA256))]})
	case casefile.KindCorrection:
		var k casefile.Correction
		json.Unmarshal(r.Body, &k)
		if r.Corrects != nil {
			what = L("record.correction") + " #" + fmt.Sprint(*r.Corrects)
		}
		text = L("case.correction_text", map[string]any{"Reason": k.Reason, "Text": k.Text})
	}
	return what, text
}

// Media is a recording's or photo's heading and its text: length or size,
// the stage it documents, the device, its files with their hashes.
func Media(rec casefile.Recording, L Label) (what, text string) {
	what = L("media.kind." + rec.Kind)
	var parts []string
	if rec.Kind == casefile.MediaPhoto && rec.Photo != nil {
		parts = append(parts, fmt.Sprintf("%d×%d", rec.Photo.Width, rec.Photo.Height))
		if !rec.Photo.Taken.IsZero() {
			parts = append(parts, L("media.taken", map[string]any{"At": rec.Photo.Taken.Local().Format("2006-01-02 15:04:05")}))
		}
		if rec.Photo.Lat != 0 || rec.Photo.Long != 0 {
			parts = append(parts, fmt.Sprintf("GPS %.5f, %.5f", rec.Photo.Lat, rec.Photo.Long))
		}
	} else {
		parts = append(parts, Clock(time.Duration(rec.DurationMS)*time.Millisecond))
		if rec.Segment > 1 {
			parts = append(parts, L("media.segment", map[string]any{"N": rec.Segment}))
		}
	}
	if rec.Stage != "" {
		parts = append(parts, L("media.for_stage", map[string]any{"Stage": L("stage." + rec.Stage)}))
	}
	if rec.Device != "" {
		dev := strings.NewReplacer("mic: ", L("media.mic")+"：", "camera: synthetic", L("media.camera")+"："+L("media.synthetic_camera"),
			"camera: ", L("media.camera")+"：", "; ", "；").Replace(rec.Device)
		parts = append(parts, dev)
	}
	var files []string
	for _, f := range rec.Files {
		files = append(files, fmt.Sprintf("%s（%s，%.1f MB，SHA-256 %s…）", f.Name, f.Format, float64(f.Size)/1e6, f.SHA256[:min(12, len(f.SHA256))]))
	}
	text = strings.Join(parts, "　") + "\n" + strings.Join(files, "\n")
	if rec.Recovered {
		text += "\n" + L("media.recovered")
	}
	return what, text
}

// Clock is a length as hh:mm:ss.
func Clock(d time.Duration) string {
	s := int(d.Seconds())
	return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
}
