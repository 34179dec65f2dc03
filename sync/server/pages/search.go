package pages

import (
	"context"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// The public search behind every QR code searches the kiosk's own index
// (Room.Search: text, full pinyin, initials, certificate numbers), ranked,
// a page of PerPage at a time with links to the others, filtered by list
// and agency; and the list of the enforcement bodies, each linking to its
// 职责、权限 and 救济渠道.

// PerPage is how many results one page of the public search shows.
const PerPage = 20

var searchPage = template.Must(template.ParseFS(templateFiles, "templates/search.html", "templates/common.html"))

type searchData struct {
	pageData
	AgencyLabel, AllAgencies, AgenciesLink string
	Agencies                               []pageOption
	Empty                                  string
	Pager                                  []pageLink
	PagerLabel                             string
}

type pageLink struct {
	URL, Label, Aria string
	Current, Gap     bool
}

// PublicSearch is /p/: ?kind= (a list; officers by default), ?q= (text,
// pinyin, initials or a certificate number), ?agency= (an agency's code),
// ?page= (from 1). A kind or agency the lists do not know, or a page that
// is not a whole number from 1, is answered 400 bad_param naming it.
func (s *Room) PublicSearch(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	qs := r.URL.Query()
	kind := catalog.Kind(qs.Get("kind"))
	if kind == "" {
		kind = catalog.KindOfficer
	}
	if !slices.Contains(catalog.Kinds, kind) {
		web.BadParam(w, r, "kind", words.M("public.bad_kind"), string(kind))
		return
	}
	pageNo, ok := web.IntParam(w, r, "page", 1, 1, math.MaxInt32)
	if !ok {
		return
	}
	ags, err := s.Agencies(ctx)
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	agency := qs.Get("agency")
	if agency != "" && !slices.ContainsFunc(ags, func(a catalog.Agency) bool { return a.Code == agency }) {
		web.BadParam(w, r, "agency", words.M("public.bad_agency"), agency)
		return
	}
	text := strings.TrimSpace(qs.Get("q"))
	items, total, err := s.Search(ctx, catalog.Query{Kind: kind, Text: text, Agency: agency, Ranked: true,
		Limit: PerPage, Offset: int(pageNo-1) * PerPage})
	if err != nil {
		web.Internal(w, r, err)
		return
	}

	d := searchData{pageData: s.base(words.L("list." + string(kind)))}
	d.Query, d.Hint, d.SearchLabel = text, words.L("kiosk.search_hint"), words.L("public.search")
	d.KindLabel, d.QueryLabel = words.L("public.search_kind"), words.L("public.search_text")
	d.AgencyLabel, d.AllAgencies = words.L("public.search_agency"), words.L("public.all_agencies")
	d.AgenciesLink, d.PagerLabel = words.L("public.agencies_link"), words.L("public.pages")
	for _, k := range catalog.Kinds {
		d.Kinds = append(d.Kinds, pageOption{Value: string(k), Label: words.L("list." + string(k)), Selected: k == kind})
	}
	for _, a := range ags {
		d.Agencies = append(d.Agencies, pageOption{Value: a.Code, Label: a.Name, Selected: a.Code == agency})
	}
	for _, it := range items {
		sub := it.Subtitle()
		if kind != catalog.KindOfficer && it.Agency() != "" {
			if name := catalog.AgencyName(ags, it.Agency()); !strings.Contains(sub, name) {
				sub = strings.TrimPrefix(sub+"　"+name, "　")
			}
		}
		d.Results = append(d.Results, pageResult{URL: api.PublicPath(string(kind), it.Key()), Title: it.Title(), Subtitle: sub})
	}
	pages := max(1, (total+PerPage-1)/PerPage)
	d.Count = words.L("public.count_pages", map[string]any{"N": total, "Page": pageNo, "Pages": pages})
	if total == 0 {
		d.Count, d.Empty = words.L("kiosk.count", map[string]any{"N": 0}), words.L("public.no_results")
	}
	d.Pager = pager(r.URL, int(pageNo), pages)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := searchPage.Execute(w, d); err != nil {
		web.Internal(w, r, err)
	}
}

// pager links the pages around the current one, the first and the last,
// and the previous and next; nothing when all fits on one page.
func pager(u *url.URL, cur, pages int) []pageLink {
	if pages <= 1 {
		return nil
	}
	at := func(n int) string {
		q := u.Query()
		q.Set("page", strconv.Itoa(n))
		return "/p/?" + q.Encode()
	}
	var out []pageLink
	if cur > 1 {
		out = append(out, pageLink{URL: at(cur - 1), Label: words.L("public.prev")})
	}
	last := 0
	for n := 1; n <= pages; n++ {
		if n != 1 && n != pages && (n < cur-2 || n > cur+2) {
			continue
		}
		if last != 0 && n > last+1 {
			out = append(out, pageLink{Gap: true, Label: "…"})
		}
		out = append(out, pageLink{URL: at(n), Label: strconv.Itoa(n), Current: n == cur,
			Aria: words.L("public.page_n", map[string]any{"N": n})})
		last = n
	}
	if cur < pages {
		out = append(out, pageLink{URL: at(cur + 1), Label: words.L("public.next")})
	}
	return out
}

// agencyLists links an agency's page to its items in each public list
// that holds some (the search filtered by the agency), with their count.
func (s *Room) agencyLists(ctx context.Context, code string) []pageField {
	var out []pageField
	for _, k := range catalog.Kinds {
		_, n, err := s.Search(ctx, catalog.Query{Kind: k, Agency: code, Limit: 1})
		if err != nil || n == 0 {
			continue
		}
		out = append(out, pageField{Label: words.L("list." + string(k)),
			Value: words.L("public.agency_list", map[string]any{"N": n}),
			URL:   "/p/?" + url.Values{"kind": {string(k)}, "agency": {code}}.Encode()})
	}
	return out
}

// PublicAgencies is /p/agencies/: every enforcement body, each linking to
// its page of 职责、权限 and 救济渠道.
func (s *Room) PublicAgencies(w http.ResponseWriter, r *http.Request) {
	ags, err := s.Agencies(r.Context())
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	d := searchData{pageData: s.base(words.L("public.agencies"))}
	for _, a := range ags {
		sub := a.Phone
		if a.Address != "" {
			sub = strings.TrimPrefix(sub+"　"+a.Address, "　")
		}
		d.Results = append(d.Results, pageResult{URL: AgencyPath(a.Code), Title: a.Name, Subtitle: sub})
	}
	d.Count = words.L("kiosk.count", map[string]any{"N": len(ags)})
	if len(ags) == 0 {
		d.Empty = words.L("public.no_agencies")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := searchPage.Execute(w, d); err != nil {
		web.Internal(w, r, err)
	}
}
