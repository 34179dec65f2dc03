package evidence

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

//go:embed section.html
var sectionFiles embed.FS

var sectionTemplate = template.Must(template.New("section.html").Funcs(template.FuncMap{
	"L": func(key string) string { return words.L(key) },
}).ParseFS(sectionFiles, "section.html"))

type option struct {
	Value, Label string
	Checked      bool
}

type exifView struct {
	Size, Camera, Taken, GPS string
	None                     bool
}

type fileView struct {
	ID, Kind, SHA256, Size, Name, Type string
	URL, Download                      string
	Audio, Video, Photo, Player        bool
	Frames, FPS, Width, Height         int
	FramesURL, Query, FramesNote       string
	SoundID, SoundURL                  string
	Exif                               *exifView
}

type recordView struct {
	Title string
	Files []fileView
}

type logRow struct {
	At, Who, Action, File, Purpose string
}

type sectionView struct {
	Action, CSRF     string
	Purposes         []option
	Words            string
	Refused, Code    string
	Stated           string // the purpose in force, in words; "" for none
	Records          []recordView
	Log              []logRow
	VideoNote        string
	HasVideo, Played bool
}

// Section is the evidence part of case c's page (device's case id): the
// purpose form, or, under a purpose stated (?access=), the players,
// photos and downloads; and the access log. It widens the page's CSP for
// the players (PlayerCSP) when it shows them.
func (s *Room) Section(w http.ResponseWriter, r *http.Request, device, id string, c *casefile.Case) (template.HTML, error) {
	ctx := r.Context()
	files := Files(c)
	sess, ok := console.SessionOf(ctx)
	if !ok {
		return "", errors.New("evidence section: no console session")
	}
	base := "/admin/cases/" + url.PathEscape(device) + "/" + url.PathEscape(id)
	d := sectionView{Action: base + "/evidence", CSRF: sess.CSRF, VideoNote: words.L("evidence.video_note")}
	p, err := s.purpose(ctx, r.URL.Query().Get("access"), sess.Admin.Login, device, id)
	switch {
	case err == nil:
		d.Played = true
		at, _ := time.Parse(time.RFC3339, p.At)
		d.Stated = words.L("evidence.purpose.stated", map[string]any{"Purpose": purposeWords(p.Purpose, p.Words), "At": at.In(time.Local).Format(time.DateTime)})
	case !errors.Is(err, errNoPurpose):
		return "", err
	}
	if code := r.URL.Query().Get("refused"); code == "bad_purpose" {
		d.Code, d.Refused = code, words.L("evidence.error."+code)
	}
	for _, v := range Purposes {
		d.Purposes = append(d.Purposes, option{Value: v, Label: words.L("evidence.purpose." + v), Checked: v == "review"})
	}
	q := ""
	if d.Played {
		q = "?access=" + url.QueryEscape(p.ID)
	}
	var byRecord []recordView
	last := int64(-1)
	for i, f := range files {
		v := fileView{ID: "ev" + strconv.Itoa(i), Kind: words.L("evidence.kind.file"), SHA256: f.SHA256, Name: f.DownloadName(), Type: f.ContentType(), Query: q}
		if f.Role != "" {
			v.Kind = words.L("evidence.kind." + f.Role)
		}
		if f.Size > 0 {
			v.Size = words.L("evidence.size", map[string]any{"N": f.Size})
		}
		if d.Played {
			v.URL = base + "/evidence/" + f.SHA256 + q
			v.Download = v.URL + "&download=1"
			switch {
			case f.Role == casefile.MediaVideo && f.MJPEG():
				vid, release, err := s.video(ctx, f.SHA256)
				if err != nil {
					return "", err
				}
				info := vid.Info()
				release()
				v.Player, v.Frames, v.FPS, v.Width, v.Height = true, info.Frames, info.FPS, info.Width, info.Height
				v.FramesURL = base + "/evidence/" + f.SHA256 + "/frames/"
				v.FramesNote = words.L("evidence.frames", map[string]any{"W": info.Width, "H": info.Height, "FPS": info.FPS, "N": info.Frames})
				if f.Sound != "" {
					v.SoundURL = base + "/evidence/" + f.Sound + q
				}
				d.HasVideo = true
			case f.Role == casefile.MediaVideo || f.ContentType() == "video/mp4":
				v.Video = true
			case f.ContentType() == "audio/wav" || f.ContentType() == "audio/mpeg":
				v.Audio = true
			case f.ContentType() == "image/jpeg" || f.ContentType() == "image/png":
				v.Photo = true
				data, err := s.readPhoto(ctx, f.SHA256)
				if err != nil {
					return "", err
				}
				x, err := PhotoExif(data)
				if err != nil {
					return "", fmt.Errorf("evidence %s: %w", f.SHA256, err)
				}
				ev := &exifView{Size: fmt.Sprintf("%d×%d", x.Width, x.Height), Camera: x.Camera, GPS: x.GPS, None: !x.HasExif}
				if !x.Taken.IsZero() {
					ev.Taken = x.Taken.Format(time.DateTime)
				}
				v.Exif = ev
			}
		}
		if f.Seq != last {
			what, at := whatOf(c, f.Seq)
			byRecord = append(byRecord, recordView{Title: words.L("evidence.record", map[string]any{"Seq": f.Seq, "At": at, "What": what})})
			last = f.Seq
		}
		byRecord[len(byRecord)-1].Files = append(byRecord[len(byRecord)-1].Files, v)
	}
	// A video's sound plays in the player beside it, not twice.
	sounds := map[string]string{}
	for _, rec := range byRecord {
		for _, f := range rec.Files {
			if f.Player && f.SoundURL != "" {
				sounds[f.SoundURL] = f.ID
			}
		}
	}
	for ri := range byRecord {
		for fi := range byRecord[ri].Files {
			f := &byRecord[ri].Files[fi]
			if f.Audio {
				if _, ok := sounds[f.URL]; ok {
					f.Audio = false
				}
			}
			if f.Player {
				f.SoundID = f.ID + "-sound"
			}
		}
	}
	d.Records = byRecord
	log, err := s.Log(ctx, device, id)
	if err != nil {
		return "", err
	}
	names := map[string]string{}
	for _, f := range files {
		names[f.SHA256] = f.DownloadName()
	}
	for _, a := range log {
		at, _ := time.Parse(time.RFC3339, a.At)
		who := a.Login
		if a.Name != "" {
			who = a.Name + "（" + a.Login + "）"
		}
		d.Log = append(d.Log, logRow{At: at.In(time.Local).Format(time.DateTime), Who: who, Action: words.L("evidence.action." + a.Action),
			File: names[a.SHA256] + "　" + short(a.SHA256, 16) + "…", Purpose: purposeWords(a.Purpose.Purpose, a.Words)})
	}
	if len(files) == 0 && len(d.Log) == 0 {
		return "", nil
	}
	if d.Played {
		w.Header().Set("Content-Security-Policy", PlayerCSP)
	}
	return render(sectionTemplate, d)
}

// purposeWords is a purpose as people read it.
func purposeWords(purpose, said string) string {
	out := words.L("evidence.purpose." + purpose)
	if said != "" {
		out += "：" + said
	}
	return out
}
