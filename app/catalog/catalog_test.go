package catalog

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSearchKey(t *testing.T) {
	for _, tc := range []struct {
		text   string
		person bool
		finds  []string
		misses []string
	}{
		{"张三", true, []string{"张三", "zhangsan", "zs", "zhang", "san"}, []string{"ls"}},
		{"营业执照", false, []string{"yyzz", "yingyezhizhao", "执照"}, []string{"yyzx"}},
		{"曾志伟", true, []string{"zzw", "zengzhiwei", "czw"}, nil},
		{"单丽", true, []string{"sl", "shanli", "dl"}, nil},
		{"GB2312标准", false, []string{"gb2312", "gb2312bz"}, nil},
	} {
		key := SearchKey(tc.text, tc.person)
		for _, q := range tc.finds {
			if !strings.Contains(key, NormalizeQuery(q)) {
				t.Errorf("SearchKey(%q) = %q does not contain %q", tc.text, key, q)
			}
		}
		for _, q := range tc.misses {
			if strings.Contains(key, q) {
				t.Errorf("SearchKey(%q) = %q contains %q", tc.text, key, q)
			}
		}
	}
}

func TestNormalizeQuery(t *testing.T) {
	for in, want := range map[string]string{
		"ZS":          "zs",
		"ｚｓ１２":        "zs12",
		" xi'an ":     "xian",
		"张 三":         "张三",
		"100%_\\":     "100%_\\",
		"":            "",
		"ZhangSan 99": "zhangsan99",
	} {
		if got := NormalizeQuery(in); got != want {
			t.Errorf("NormalizeQuery(%q) = %q, want %q", in, got, want)
		}
	}
}

func sample() *Dataset {
	return &Dataset{
		Agencies: []Agency{{Code: "01", Name: "青禾市市场监督管理局"}, {Code: "02", Name: "青禾市城市管理局"}},
		Officers: []Officer{
			{ID: "1", Name: "张三", AgencyCode: "01", CertNo: "990101000001", Status: CertValid},
			{ID: "2", Name: "李四", AgencyCode: "02", CertNo: "990102000001", Status: CertValid},
			{ID: "3", Name: "张珊珊", AgencyCode: "02", CertNo: "990102000002", Status: CertRevoked},
		},
		Items: []EnforcementItem{
			{ID: "E1", Name: "营业执照核发", AgencyCode: "01", Act: ActLicensing},
			{ID: "E2", Name: "对占道经营的处罚", AgencyCode: "02", Act: ActPenalty},
			{ID: "E3", Name: "100%_合格检查", AgencyCode: "01", Act: ActInspection},
		},
	}
}

func openSample(t *testing.T) *Catalog {
	t.Helper()
	c, err := Open(context.Background(), filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Replace(context.Background(), sample(), time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	return c
}

func titles(t *testing.T, c *Catalog, q Query) []string {
	t.Helper()
	items, err := c.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		out = append(out, it.Title())
	}
	n, err := c.Count(context.Background(), q)
	if err != nil || (q.Limit == 0 && n != len(out)) {
		t.Fatalf("Count(%+v) = %d, %v; Search found %d", q, n, err, len(out))
	}
	return out
}

func TestSearch(t *testing.T) {
	c := openSample(t)
	for _, tc := range []struct {
		q    Query
		want string
	}{
		{Query{Kind: KindOfficer}, "李四 张三 张珊珊"}, // pinyin order: li < zhang san < zhang shan
		{Query{Kind: KindOfficer, Text: "zs"}, "张三 张珊珊"},
		{Query{Kind: KindOfficer, Text: "ZhangSan"}, "张三"},
		{Query{Kind: KindOfficer, Text: "990102"}, "李四 张珊珊"},
		{Query{Kind: KindOfficer, Text: "zs", Agency: "02"}, "张珊珊"},
		{Query{Kind: KindItem, Text: "yyzz"}, "营业执照核发"},
		{Query{Kind: KindItem, Act: ActPenalty}, "对占道经营的处罚"},
		{Query{Kind: KindItem, Text: "%"}, "100%_合格检查"}, // LIKE wildcards are literal
		{Query{Kind: KindItem, Text: "_"}, "100%_合格检查"},
		{Query{Kind: KindFee}, ""},
	} {
		if got := strings.Join(titles(t, c, tc.q), " "); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.q, got, tc.want)
		}
	}
	page := titles(t, c, Query{Kind: KindOfficer, Limit: 1, Offset: 1})
	if len(page) != 1 || page[0] != "张三" {
		t.Errorf("page 2 of 1 = %v", page)
	}
}

func TestGetAndUpdatedAt(t *testing.T) {
	c := openSample(t)
	ctx := context.Background()
	it, err := c.Get(ctx, KindOfficer, "3")
	if err != nil {
		t.Fatal(err)
	}
	o := it.(*Officer)
	if o.Name != "张珊珊" || o.Status != CertRevoked {
		t.Errorf("got %+v", o)
	}
	if _, err := c.Get(ctx, KindOfficer, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing item: %v", err)
	}
	at, err := c.UpdatedAt(ctx)
	if err != nil || !at.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("UpdatedAt = %v, %v", at, err)
	}
	ags, err := c.Agencies(ctx)
	if err != nil || len(ags) != 2 || ags[0].Code != "01" {
		t.Errorf("Agencies = %v, %v", ags, err)
	}
}

// A failed replace leaves the old catalog whole.
func TestReplaceIsAllOrNothing(t *testing.T) {
	c := openSample(t)
	bad := sample()
	bad.Officers = append(bad.Officers, Officer{ID: "1", Name: "重复"})
	bad.Officers[0].Name = "新名字"
	if err := c.Replace(context.Background(), bad, time.Now()); err == nil {
		t.Fatal("replace with a duplicate id succeeded")
	}
	if got := strings.Join(titles(t, c, Query{Kind: KindOfficer}), " "); got != "李四 张三 张珊珊" {
		t.Fatalf("after failed replace: %q", got)
	}
}

func FuzzSearchText(f *testing.F) {
	for _, s := range []string{"zs", "张", "%", "_", `\`, "'; DROP TABLE items; --", "ｚ", ""} {
		f.Add(s)
	}
	c, err := Open(context.Background(), filepath.Join(f.TempDir(), "catalog.db"))
	if err != nil {
		f.Fatal(err)
	}
	defer c.Close()
	if err := c.Replace(context.Background(), sample(), time.Now()); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		items, err := c.Search(context.Background(), Query{Kind: KindOfficer, Text: q})
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		norm := NormalizeQuery(q)
		for _, it := range items {
			if !strings.Contains(it.searchKey(), norm) {
				t.Fatalf("Search(%q) returned %q whose key lacks %q", q, it.Title(), norm)
			}
		}
	})
}

// A catalog open in one process sees a replace made by another (a sync
// writing while the kiosk runs): its in-memory index is rebuilt.
func TestIndexFollowsChangesFromAnotherConnection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	ctx := context.Background()
	reader, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	writer, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	if err := writer.Replace(ctx, sample(), time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(titles(t, reader, Query{Kind: KindOfficer, Text: "zs"}), " "); got != "张三 张珊珊" {
		t.Fatalf("before: %q", got)
	}
	next := sample()
	next.Officers = next.Officers[:1]
	if err := writer.Replace(ctx, next, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(titles(t, reader, Query{Kind: KindOfficer, Text: "zs"}), " "); got != "张三" {
		t.Fatalf("after another connection's replace: %q", got)
	}
}
