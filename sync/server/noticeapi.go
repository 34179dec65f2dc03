package server

import (
	"errors"
	"net/http"
	"slices"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/console"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// 通报 → 整改 → 复查 for administrators' tokens (scope supervision): the
// console's notices as JSON, each step taken the way the console's forms
// take it. A token held to one agency is that agency's side: it reads its
// agency's notices and answers them (another's is not found) and may not
// issue or re-check; a token held to no agency is the city's side. An
// officer's device reads the notices about its own cases. No route
// changes or deletes a notice or a step.

// noticeRoutes adds the notices' JSON routes.
func (s *Server) noticeRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+api.PathNotices, s.admin("supervision", s.noticesJSON))
	mux.HandleFunc("POST "+api.PathNotices, s.admin("supervision", s.issueNoticeJSON))
	mux.HandleFunc("GET "+api.PathNotices+"/{id}", s.admin("supervision", s.noticeJSON))
	mux.HandleFunc("POST "+api.PathNotices+"/{id}/report", s.admin("supervision", s.reportNoticeJSON))
	mux.HandleFunc("POST "+api.PathNotices+"/{id}/recheck", s.admin("supervision", s.recheckNoticeJSON))
	mux.HandleFunc("POST "+api.PathNotices+"/{id}/accountability", s.admin("supervision", s.accountNoticeJSON))
	mux.HandleFunc("GET "+api.PathNotices+"/{id}/files/{sha}", s.admin("supervision", s.noticeFileJSON))
	mux.HandleFunc("GET "+api.PathDeviceNotices, s.officer(s.deviceNotices))
}

// noticeProblem answers a notice's refusal with its status and code, or
// a 500 for any other error; ok is false when there was none.
func noticeProblem(w http.ResponseWriter, r *http.Request, err error) bool {
	if err == nil {
		return false
	}
	if status, code, ok := console.NoticeRefusal(err); ok {
		web.Problem(w, r, status, code, words.M("platform.console.error."+code), "")
		return true
	}
	web.Internal(w, r, err)
	return true
}

// noticesJSON: GET /api/v1/admin/notices?state=&agency=&overdue=true.
func (s *Server) noticesJSON(w http.ResponseWriter, r *http.Request) {
	t, _ := console.TokenFrom(r.Context())
	q := r.URL.Query()
	f := console.NoticeFilter{Agency: t.Agency, Of: q.Get("agency"), State: q.Get("state"), Overdue: q.Get("overdue") == "true"}
	if f.State != "" && !slices.Contains(console.NoticeStates, f.State) {
		web.Problem(w, r, http.StatusBadRequest, "notice_state", words.M("platform.console.error.notice_state"), f.State)
		return
	}
	list, count, err := s.console.Notices(r.Context(), f)
	if noticeProblem(w, r, err) {
		return
	}
	out := api.NoticeList{All: count.All, Overdue: count.Overdue, States: map[string]int{}, Notices: []api.Notice{}}
	for _, st := range console.NoticeStates {
		out.States[st] = count.States[st]
	}
	for _, n := range list {
		out.Notices = append(out.Notices, wireNotice(n))
	}
	web.JSON(w, http.StatusOK, out)
}

// issueNoticeJSON: POST /api/v1/admin/notices with an api.NewNotice.
func (s *Server) issueNoticeJSON(w http.ResponseWriter, r *http.Request) {
	var req api.NewNotice
	if !web.Decode(w, r, &req) {
		return
	}
	t, _ := console.TokenFrom(r.Context())
	n, err := s.console.IssueNotice(r.Context(), t.Agency, console.NewNotice{Device: req.Device, Case: req.Case, Agency: req.Agency,
		Finding: req.Finding, Basis: req.Basis, Actions: req.Actions, Deadline: req.Deadline}, t.Name, console.RoleToken)
	if !noticeProblem(w, r, err) {
		web.JSON(w, http.StatusCreated, wireNotice(n))
	}
}

// noticeJSON: GET /api/v1/admin/notices/{id}.
func (s *Server) noticeJSON(w http.ResponseWriter, r *http.Request) {
	t, _ := console.TokenFrom(r.Context())
	n, err := s.console.Notice(r.Context(), t.Agency, r.PathValue("id"))
	if !noticeProblem(w, r, err) {
		web.JSON(w, http.StatusOK, wireNotice(n))
	}
}

// reportNoticeJSON: POST /api/v1/admin/notices/{id}/report with an
// api.NoticeReport; 201 with the notice and all its steps.
func (s *Server) reportNoticeJSON(w http.ResponseWriter, r *http.Request) {
	var req api.NoticeReport
	if !web.Decode(w, r, &req) {
		return
	}
	t, _ := console.TokenFrom(r.Context())
	var files []console.NoticeUpload
	for _, f := range req.Files {
		files = append(files, console.NoticeUpload{Name: f.Name, Data: f.Data})
	}
	n, err := s.console.ReportNotice(r.Context(), t.Agency, r.PathValue("id"), req.Text, files, t.Name, console.RoleToken)
	if !noticeProblem(w, r, err) {
		web.JSON(w, http.StatusCreated, wireNotice(n))
	}
}

// recheckNoticeJSON: POST /api/v1/admin/notices/{id}/recheck with an
// api.NoticeRecheck.
func (s *Server) recheckNoticeJSON(w http.ResponseWriter, r *http.Request) {
	var req api.NoticeRecheck
	if !web.Decode(w, r, &req) {
		return
	}
	t, _ := console.TokenFrom(r.Context())
	var n console.Notice
	var err error
	switch req.Decision {
	case console.StepPass, console.StepReturn:
		n, err = s.console.RecheckNotice(r.Context(), t.Agency, r.PathValue("id"), req.Decision == console.StepPass, req.Reasons, t.Name, console.RoleToken)
	default:
		if _, err = s.console.Notice(r.Context(), t.Agency, r.PathValue("id")); err == nil {
			err = console.ErrNoticeDecision
		}
	}
	if !noticeProblem(w, r, err) {
		web.JSON(w, http.StatusCreated, wireNotice(n))
	}
}

// accountNoticeJSON: POST /api/v1/admin/notices/{id}/accountability with
// an api.NoticeAccountability.
func (s *Server) accountNoticeJSON(w http.ResponseWriter, r *http.Request) {
	var req api.NoticeAccountability
	if !web.Decode(w, r, &req) {
		return
	}
	t, _ := console.TokenFrom(r.Context())
	n, err := s.console.HoldAccountable(r.Context(), t.Agency, r.PathValue("id"), req.Who, req.Measure, t.Name, console.RoleToken)
	if !noticeProblem(w, r, err) {
		web.JSON(w, http.StatusCreated, wireNotice(n))
	}
}

// noticeFileJSON: GET /api/v1/admin/notices/{id}/files/{sha}, the
// attachment's bytes.
func (s *Server) noticeFileJSON(w http.ResponseWriter, r *http.Request) {
	t, _ := console.TokenFrom(r.Context())
	f, data, err := s.console.NoticeAttachment(r.Context(), t.Agency, r.PathValue("id"), r.PathValue("sha"))
	if !noticeProblem(w, r, err) {
		console.ServeNoticeFile(w, f, data)
	}
}

// deviceNotices: GET /api/v1/notices, the notices about the cases of the
// calling officer's device (never another device's), with their reports
// and re-checks but not accountability.
func (s *Server) deviceNotices(w http.ResponseWriter, r *http.Request, d Device) {
	if d.ID == "" {
		web.Internal(w, r, errors.New("a device without an id"))
		return
	}
	list, _, err := s.console.Notices(r.Context(), console.NoticeFilter{Device: d.ID})
	if noticeProblem(w, r, err) {
		return
	}
	out := []api.Notice{}
	for _, n := range list {
		// Accountability (问责) names people and measures taken against
		// them: a matter for the office and the agency, not the desks.
		n.Steps = slices.DeleteFunc(n.Steps, func(st console.NoticeStep) bool { return st.Kind == console.StepAccountability })
		out = append(out, wireNotice(n))
	}
	web.JSON(w, http.StatusOK, out)
}

func wireNotice(n console.Notice) api.Notice {
	out := api.Notice{ID: n.ID, Number: n.Number(), Agency: n.Agency, AgencyName: n.AgencyName, Device: n.Device, Case: n.Case,
		Finding: n.Finding, Basis: n.Basis, Actions: n.Actions, Deadline: n.Deadline, IssuedAt: n.IssuedAt, Issuer: n.Issuer,
		State: n.State, Overdue: n.Overdue, Steps: []api.NoticeStep{}}
	for _, st := range n.Steps {
		ws := api.NoticeStep{N: st.N, Kind: st.Kind, At: st.At, Actor: st.Actor, Role: st.Role, Text: st.Text, Who: st.Who, Measure: st.Measure,
			Files: []api.NoticeFile{}}
		for _, f := range st.Files {
			ws.Files = append(ws.Files, api.NoticeFile{SHA256: f.SHA256, Name: f.Name, Type: f.Type, Size: f.Size})
		}
		out.Steps = append(out.Steps, ws)
	}
	return out
}
