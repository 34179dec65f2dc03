package console

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

// The console's pages of the notices (通报 → 整改 → 复查): the list with
// its filters, one notice with its whole history and the form its side
// may use next, the form to issue one, and the attachments' downloads.

// Who may do what with a notice on the console.
var (
	noticeReaders = []string{RoleCity, RoleAgency}
	noticeCity    = []string{RoleCity}
	noticeAgency  = []string{RoleAgency}
)

// noticeRoutes adds the notices' pages.
func (c *Room) noticeRoutes(mux *http.ServeMux) {
	mux.Handle("GET /admin/notices", c.Guard(noticeReaders, c.noticesPage))
	mux.Handle("GET /admin/notices/new", c.Guard(noticeCity, c.newNoticePage))
	mux.Handle("POST /admin/notices", c.Guard(noticeCity, c.issueNotice))
	mux.Handle("GET /admin/notices/{id}", c.Guard(noticeReaders, c.noticePage))
	mux.Handle("POST /admin/notices/{id}/report", c.Guard(noticeAgency, c.reportNotice))
	mux.Handle("POST /admin/notices/{id}/recheck", c.Guard(noticeCity, c.recheckNotice))
	mux.Handle("POST /admin/notices/{id}/accountability", c.Guard(noticeCity, c.accountNotice))
	mux.Handle("GET /admin/notices/{id}/files/{sha}", c.Guard(noticeReaders, c.noticeFile))
}

type noticesView struct {
	List   []Notice
	Count  NoticeCount
	States []string
	// The filters as chosen.
	State, Of string
	Overdue   bool
	City      bool // the city's side: it may issue
}

// noticesPage: GET /admin/notices?state=&agency=&overdue=1.
func (c *Room) noticesPage(w http.ResponseWriter, r *http.Request, s *Session) {
	q := r.URL.Query()
	f := NoticeFilter{Agency: s.Scope(), Of: q.Get("agency"), State: q.Get("state"), Overdue: q.Get("overdue") == "1"}
	if f.State != "" && !slices.Contains(NoticeStates, f.State) {
		c.fail(w, r, s, http.StatusUnprocessableEntity, "notice_state")
		return
	}
	list, count, err := c.Notices(r.Context(), f)
	if err != nil {
		c.internal(w, r, s, err)
		return
	}
	v := c.view(r.Context(), s, "platform.console.notices")
	v.Data = noticesView{List: list, Count: count, States: NoticeStates, State: f.State, Of: f.Of, Overdue: f.Overdue, City: s.Admin.Role == RoleCity}
	c.render(w, http.StatusOK, "notices", v)
}

type newNoticeView struct {
	Form NewNotice
	Case bool // about a case: device and case are given
}

// newNoticePage: GET /admin/notices/new?device=&case= (from a case's
// page) or ?agency=.
func (c *Room) newNoticePage(w http.ResponseWriter, r *http.Request, s *Session) {
	q := r.URL.Query()
	form := NewNotice{Device: q.Get("device"), Case: q.Get("case"), Agency: q.Get("agency")}
	c.showNewNotice(w, r, s, form, http.StatusOK, "", "")
}

func (c *Room) showNewNotice(w http.ResponseWriter, r *http.Request, s *Session, form NewNotice, status int, code, detail string) {
	v := c.view(r.Context(), s, "platform.console.notice_new")
	v.Data = newNoticeView{Form: form, Case: form.Device != "" || form.Case != ""}
	if code != "" {
		v.Code, v.Error, v.Detail = code, "platform.console.error."+code, detail
	}
	c.render(w, status, "notice_new", v)
}

// issueNotice: POST /admin/notices with device and case, or agency;
// finding, basis, deadline, actions. Audited as notice.issue.
func (c *Room) issueNotice(w http.ResponseWriter, r *http.Request, s *Session) {
	form := NewNotice{Device: r.PostFormValue("device"), Case: r.PostFormValue("case"), Agency: r.PostFormValue("agency"),
		Finding: r.PostFormValue("finding"), Basis: r.PostFormValue("basis"), Actions: r.PostFormValue("actions"), Deadline: r.PostFormValue("deadline")}
	n, err := c.IssueNotice(r.Context(), s.Scope(), form, s.Admin.Login, s.Admin.Role)
	if status, code, ok := NoticeRefusal(err); ok {
		c.showNewNotice(w, r, s, form, status, code, "")
		return
	}
	if err != nil {
		c.internal(w, r, s, err)
		return
	}
	c.act(r, s, n.Agency, "notice.issue", n.ID, n.Number()+" "+n.Device+"/"+n.Case+": "+n.Finding)
	http.Redirect(w, r, "/admin/notices/"+url.PathEscape(n.ID)+"?done=issue", http.StatusSeeOther)
}

type noticeView struct {
	Notice
	CitySide, AgencySide bool // the side looking at it
}

// notice reads the notice of the path for s; it has answered when ok is
// false. Another agency's is not found to an agency administrator.
func (c *Room) notice(w http.ResponseWriter, r *http.Request, s *Session) (Notice, bool) {
	n, err := c.Notice(r.Context(), s.Scope(), r.PathValue("id"))
	switch {
	case errors.Is(err, ErrNoNotice):
		c.fail(w, r, s, http.StatusNotFound, "no_notice")
	case err != nil:
		c.internal(w, r, s, err)
	default:
		return n, true
	}
	return Notice{}, false
}

// noticePage: GET /admin/notices/{id}.
func (c *Room) noticePage(w http.ResponseWriter, r *http.Request, s *Session) {
	n, ok := c.notice(w, r, s)
	if !ok {
		return
	}
	done := ""
	if d := r.URL.Query().Get("done"); slices.Contains([]string{"issue", StepReport, StepPass, StepReturn, StepAccountability}, d) {
		done = "platform.console.done.notice_" + d
	}
	c.showNotice(w, r, s, n, http.StatusOK, "", "", done)
}

func (c *Room) showNotice(w http.ResponseWriter, r *http.Request, s *Session, n Notice, status int, code, detail, done string) {
	v := c.view(r.Context(), s, "platform.console.notice")
	v.Data = noticeView{Notice: n, CitySide: s.Admin.Role == RoleCity, AgencySide: s.Admin.Role == RoleAgency}
	if code != "" {
		v.Code, v.Error, v.Detail = code, "platform.console.error."+code, detail
	}
	v.Notice = done
	c.render(w, status, "notice", v)
}

// answered shows the notice again with a step's refusal, or goes back to
// it with the step done (audited as notice.<kind>).
func (c *Room) answered(w http.ResponseWriter, r *http.Request, s *Session, id string, n Notice, err error, kind string) {
	if status, code, ok := NoticeRefusal(err); ok && !errors.Is(err, ErrNoNotice) {
		again, gerr := c.Notice(r.Context(), s.Scope(), id)
		if gerr != nil {
			c.internal(w, r, s, gerr)
			return
		}
		c.showNotice(w, r, s, again, status, code, "", "")
		return
	}
	switch {
	case errors.Is(err, ErrNoNotice):
		c.fail(w, r, s, http.StatusNotFound, "no_notice")
	case err != nil:
		c.internal(w, r, s, err)
	default:
		last := n.Steps[len(n.Steps)-1]
		detail := last.Text
		if kind == StepAccountability {
			detail = last.Who + ": " + last.Measure
		}
		for _, f := range last.Files {
			detail += " [" + f.Name + " " + f.SHA256 + "]"
		}
		c.act(r, s, n.Agency, "notice."+kind, n.ID, detail)
		http.Redirect(w, r, "/admin/notices/"+url.PathEscape(n.ID)+"?done="+kind, http.StatusSeeOther)
	}
}

// reportNotice: POST /admin/notices/{id}/report, a multipart form with
// text and files (the attachments).
func (c *Room) reportNotice(w http.ResponseWriter, r *http.Request, s *Session) {
	id := r.PathValue("id")
	var files []NoticeUpload
	var err error
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["files"] {
			if fh.Size == 0 && fh.Filename == "" {
				continue // the form's empty file input
			}
			if fh.Size > MaxNoticeFile {
				err = ErrNoticeFileSize
				break
			}
			f, oerr := fh.Open()
			if oerr != nil {
				c.internal(w, r, s, oerr)
				return
			}
			data, rerr := io.ReadAll(io.LimitReader(f, MaxNoticeFile+1))
			f.Close()
			if rerr != nil {
				c.internal(w, r, s, rerr)
				return
			}
			files = append(files, NoticeUpload{Name: fh.Filename, Data: data})
		}
	}
	var n Notice
	if err == nil {
		n, err = c.ReportNotice(r.Context(), s.Scope(), id, r.PostFormValue("text"), files, s.Admin.Login, s.Admin.Role)
	}
	c.answered(w, r, s, id, n, err, StepReport)
}

// recheckNotice: POST /admin/notices/{id}/recheck with decision (pass,
// return) and reasons (required for a return).
func (c *Room) recheckNotice(w http.ResponseWriter, r *http.Request, s *Session) {
	id, decision := r.PathValue("id"), r.PostFormValue("decision")
	var n Notice
	var err error
	switch decision {
	case StepPass, StepReturn:
		n, err = c.RecheckNotice(r.Context(), s.Scope(), id, decision == StepPass, r.PostFormValue("reasons"), s.Admin.Login, s.Admin.Role)
	default:
		if _, err = c.Notice(r.Context(), s.Scope(), id); err == nil {
			err = ErrNoticeDecision
		}
	}
	c.answered(w, r, s, id, n, err, decision)
}

// accountNotice: POST /admin/notices/{id}/accountability with who and
// measure.
func (c *Room) accountNotice(w http.ResponseWriter, r *http.Request, s *Session) {
	id := r.PathValue("id")
	n, err := c.HoldAccountable(r.Context(), s.Scope(), id, r.PostFormValue("who"), r.PostFormValue("measure"), s.Admin.Login, s.Admin.Role)
	c.answered(w, r, s, id, n, err, StepAccountability)
}

// noticeFile: GET /admin/notices/{id}/files/{sha}, an attachment as a
// download, to those who may see the notice.
func (c *Room) noticeFile(w http.ResponseWriter, r *http.Request, s *Session) {
	f, data, err := c.NoticeAttachment(r.Context(), s.Scope(), r.PathValue("id"), r.PathValue("sha"))
	switch {
	case errors.Is(err, ErrNoNotice):
		c.fail(w, r, s, http.StatusNotFound, "no_notice")
		return
	case errors.Is(err, ErrNoticeNoFile):
		c.fail(w, r, s, http.StatusNotFound, "no_notice_file")
		return
	case err != nil:
		c.internal(w, r, s, err)
		return
	}
	ServeNoticeFile(w, f, data)
}

// ServeNoticeFile answers with an attachment as a download under its
// name, its SHA-256 in a header; the browser is told not to guess its type.
func ServeNoticeFile(w http.ResponseWriter, f NoticeFile, data []byte) {
	h := w.Header()
	h.Set("Content-Type", f.Type)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Sanxiang-SHA256", f.SHA256)
	w.WriteHeader(http.StatusOK)
	w.Write(data)
}
