// Package evidence serves a case's evidence on the console's case page:
// audio and video played in the browser, photos with their EXIF, every
// original downloadable with its SHA-256, and the access log: before
// anything is viewed or downloaded the viewer states a purpose, and every
// view and download is written (append-only) and listed on the page.
//
// It serves the originals only: MJPEG AVI, which browsers do not play,
// is played by a small same-origin script drawing the AVI's own JPEG
// frames in time with the segment's WAV (player.js); nothing is
// transcoded or derived, so what plays is the evidence's own bytes.
//
// Why not a scriptless WebM: it was proven to play (VP8 key frames cut
// from lossy WebPs made by github.com/gen2brain/webp, libwebp in WASM, in
// a hand-muxed WebM, with the WAV as A_PCM/INT/LIT: headless Chromium
// plays both, currentTime advancing), but on this platform's kind of
// machine the WASM encoder took 92 ms a 640×480 frame: a 15 fps video
// transcodes at 1.4× its length, a 10-minute segment keeps a viewer
// waiting 14 minutes and a core busy, and the result is a derived copy
// to store beside the original. Drawing the original frames starts at
// once and needs no copy; the price is one same-origin script on one page.
// It never writes evidence, and never lets an account see a case its
// role does not (another agency's case is "not found").
package evidence

import (
	"bytes"
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/describe"
	"github.com/sanxiang-desk/sanxiang/app/mediaimport"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// Roles may open a case's evidence: the city's office, and an agency's
// administrator their own agency's cases. Never the operator.
var Roles = []string{console.RoleCity, console.RoleAgency}

// PlayerCSP is the case page's Content-Security-Policy when it plays
// evidence: the platform's (web.CSP) with the platform's own media and
// its one script (player.js) allowed, on this page only.
const PlayerCSP = "default-src 'none'; script-src 'self'; media-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// PathPlayer is where player.js is served.
const PathPlayer = "/admin/evidence/player.js"

//go:embed player.js
var playerJS []byte

// Room is the evidence desk with what it reads of the platform.
type Room struct {
	DB  *sqldb.DB
	Now func() time.Time
	// Open reads an evidence file from the media store by its SHA-256.
	Open func(ctx context.Context, sha string) (io.ReadCloser, error)
	// CaseAt is a case as it stood at record seq of its device's log.
	CaseAt func(ctx context.Context, device, id string, seq int64) (*casefile.Case, error)
	// Console guards the routes with its sessions.
	Console *console.Room

	mu     sync.Mutex
	videos map[string]*video // frame indexes, by SHA-256 (a few)
	order  []string
}

// video is an open MJPEG AVI's frame index and how many requests read it:
// one pushed out of the cache is closed when the last of them is done.
type video struct {
	avi     *mediaimport.AVI
	readers int
	evicted bool
}

// maxVideos is how many videos' frame indexes are kept open.
const maxVideos = 8

// Register adds the evidence routes to mux.
func (s *Room) Register(mux *http.ServeMux) {
	mux.Handle("POST /admin/cases/{device}/{case}/evidence", s.Console.Guard(Roles, s.statePurpose))
	mux.Handle("GET /admin/cases/{device}/{case}/evidence/{sha}", s.Console.Guard(Roles, s.serveFile))
	mux.Handle("GET /admin/cases/{device}/{case}/evidence/{sha}/frames/{n}", s.Console.Guard(Roles, s.serveFrame))
	mux.Handle("GET "+PathPlayer, s.Console.Guard(Roles, func(w http.ResponseWriter, r *http.Request, _ *console.Session) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(playerJS)
	}))
}

// caseOf is the case device/id as the session may see it: found=false
// when there is none or it is another agency's.
func (s *Room) caseOf(ctx context.Context, sess *console.Session, device, id string) (*casefile.Case, bool, error) {
	var last int64
	var agency string
	err := s.DB.QueryRowContext(ctx, `SELECT last_seq, agency FROM cases WHERE device = ? AND case_id = ?`, device, id).Scan(&last, &agency)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("case %s of %s: %w", id, device, err)
	}
	if scope := sess.Scope(); scope != "" && scope != agency {
		return nil, false, nil
	}
	c, err := s.CaseAt(ctx, device, id, last)
	if err != nil {
		return nil, false, err
	}
	return c, true, nil
}

func (s *Room) statePurpose(w http.ResponseWriter, r *http.Request, sess *console.Session) {
	device, id := r.PathValue("device"), r.PathValue("case")
	back := "/admin/cases/" + url.PathEscape(device) + "/" + url.PathEscape(id)
	if _, ok, err := s.caseOf(r.Context(), sess, device, id); err != nil {
		web.Internal(w, r, err)
		return
	} else if !ok {
		web.Problem(w, r, http.StatusNotFound, "not_found", words.M("platform.not_found"), "")
		return
	}
	purpose, said := r.PostFormValue("purpose"), strings.TrimSpace(r.PostFormValue("words"))
	valid := false
	for _, p := range Purposes {
		valid = valid || p == purpose
	}
	if !valid || purpose == "other" && said == "" || len([]rune(said)) > 500 {
		http.Redirect(w, r, back+"?refused=bad_purpose#evidence", http.StatusSeeOther)
		return
	}
	p, err := s.state(r.Context(), sess.Admin, device, id, purpose, said)
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	http.Redirect(w, r, back+"?access="+p.ID+"#evidence", http.StatusSeeOther)
}

// opened checks a request for one of a case's files: the case the
// session may see, a purpose stated for it, a file that is its evidence.
// It answers the refusal itself and returns ok=false.
func (s *Room) opened(w http.ResponseWriter, r *http.Request, sess *console.Session) (Purpose, File, bool) {
	device, id, sha := r.PathValue("device"), r.PathValue("case"), strings.ToLower(r.PathValue("sha"))
	c, ok, err := s.caseOf(r.Context(), sess, device, id)
	if err != nil {
		web.Internal(w, r, err)
		return Purpose{}, File{}, false
	}
	if !ok {
		web.Problem(w, r, http.StatusNotFound, "not_found", words.M("platform.not_found"), "")
		return Purpose{}, File{}, false
	}
	p, err := s.purpose(r.Context(), r.URL.Query().Get("access"), sess.Admin.Login, device, id)
	if errors.Is(err, errNoPurpose) {
		web.Problem(w, r, http.StatusForbidden, "purpose_required", words.M("evidence.error.purpose_required"), "")
		return Purpose{}, File{}, false
	}
	if err != nil {
		web.Internal(w, r, err)
		return Purpose{}, File{}, false
	}
	for _, f := range Files(c) {
		if f.SHA256 == sha {
			return p, f, true
		}
	}
	web.Problem(w, r, http.StatusNotFound, "not_in_case", words.M("evidence.error.not_in_case"), sha)
	return Purpose{}, File{}, false
}

// serveFile serves an original, with ranges (seeking in audio), as a
// download with ?download=1. A view is logged once per purpose however
// many ranges its playing asks for; a download each time one starts (a
// request without a range, or from byte 0), not for its resumed parts.
func (s *Room) serveFile(w http.ResponseWriter, r *http.Request, sess *console.Session) {
	p, f, ok := s.opened(w, r, sess)
	if !ok {
		return
	}
	rc, err := s.Open(r.Context(), f.SHA256)
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	defer rc.Close()
	rs, ok := rc.(io.ReadSeeker)
	if !ok {
		web.Internal(w, r, fmt.Errorf("evidence %s: the media store's reader does not seek", f.SHA256))
		return
	}
	action := ActionView
	download := r.URL.Query().Get("download") == "1"
	if download {
		action = ActionDownload
	}
	rng := r.Header.Get("Range")
	if !download || rng == "" || strings.HasPrefix(rng, "bytes=0-") {
		if err := s.record(r.Context(), p, f.SHA256, action); err != nil {
			web.Internal(w, r, err) // nothing is shown that is not logged
			return
		}
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType())
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Evidence-SHA256", f.SHA256)
	if download {
		h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.DownloadName()))
	}
	http.ServeContent(w, r, "", time.Time{}, rs)
}

// serveFrame serves frame n of an MJPEG AVI as a JPEG: the player's
// picture. Its frames count as the one view of the video.
func (s *Room) serveFrame(w http.ResponseWriter, r *http.Request, sess *console.Session) {
	p, f, ok := s.opened(w, r, sess)
	if !ok {
		return
	}
	if !f.MJPEG() {
		web.Problem(w, r, http.StatusBadRequest, "not_video", words.M("evidence.error.not_video"), f.SHA256)
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 {
		web.Problem(w, r, http.StatusNotFound, "no_frame", words.M("evidence.error.no_frame"), r.PathValue("n"))
		return
	}
	v, release, err := s.video(r.Context(), f.SHA256)
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	defer release()
	if n >= v.Info().Frames {
		web.Problem(w, r, http.StatusNotFound, "no_frame", words.M("evidence.error.no_frame"), r.PathValue("n"))
		return
	}
	jpg, err := v.JPEG(n)
	if err != nil {
		web.Internal(w, r, fmt.Errorf("evidence %s: %w", f.SHA256, err))
		return
	}
	if err := s.record(r.Context(), p, f.SHA256, ActionView); err != nil {
		web.Internal(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=600")
	w.Write(jpg)
}

// readerAt is what a stored file must be to be read at random.
type readerAt interface {
	io.ReaderAt
	io.Seeker
	io.Closer
}

// video is the frame index of the MJPEG AVI sha, kept for the next
// frame; release says the caller is done reading it.
func (s *Room) video(ctx context.Context, sha string) (*mediaimport.AVI, func(), error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.videos[sha]
	if !ok {
		// The index outlives the request that made it.
		rc, err := s.Open(context.WithoutCancel(ctx), sha)
		if err != nil {
			return nil, nil, err
		}
		ra, ok := rc.(readerAt)
		if !ok {
			rc.Close()
			return nil, nil, fmt.Errorf("video %s: the media store's reader does not read at random", sha)
		}
		size, err := ra.Seek(0, io.SeekEnd)
		if err != nil {
			rc.Close()
			return nil, nil, fmt.Errorf("video %s: %w", sha, err)
		}
		a, err := mediaimport.OpenAVIAt(ra, size)
		if err != nil {
			rc.Close()
			return nil, nil, fmt.Errorf("video %s: %w", sha, err)
		}
		if s.videos == nil {
			s.videos = map[string]*video{}
		}
		if len(s.order) == maxVideos {
			old := s.videos[s.order[0]]
			delete(s.videos, s.order[0])
			s.order = s.order[1:]
			old.evicted = true
			if old.readers == 0 {
				old.avi.Close()
			}
		}
		v = &video{avi: a}
		s.videos[sha], s.order = v, append(s.order, sha)
	}
	v.readers++
	return v.avi, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if v.readers--; v.readers == 0 && v.evicted {
			v.avi.Close()
		}
	}, nil
}

// Close closes the videos kept open.
func (s *Room) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, v := range s.videos {
		errs = append(errs, v.avi.Close())
	}
	s.videos, s.order = nil, nil
	return errors.Join(errs...)
}

// readPhoto reads a photo up to the largest a device imports.
func (s *Room) readPhoto(ctx context.Context, sha string) ([]byte, error) {
	rc, err := s.Open(ctx, sha)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("read photo %s: %w", sha, err)
	}
	return data, nil
}

// whatOf is a record's words, as the case page's timeline gives them.
func whatOf(c *casefile.Case, seq int64) (string, string) {
	for _, r := range c.Records {
		if r.Seq == seq {
			what, _ := describe.Record(r, words.L)
			return what, r.At.In(time.Local).Format("2006-01-02 15:04")
		}
	}
	return "", ""
}

// render is tmpl filled with d, as HTML for the case page.
func render(tmpl *template.Template, d any) (template.HTML, error) {
	var b bytes.Buffer
	if err := tmpl.Execute(&b, d); err != nil {
		return "", fmt.Errorf("evidence section: %w", err)
	}
	return template.HTML(b.String()), nil
}
