package catalog

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRankOf(t *testing.T) {
	for _, tc := range []struct {
		key, text string
		want      int
	}{
		{"张三 zhangsan zs 990102000001 市场监管局", "zs", 0},
		{"张三 zhangsan zs 990102000001 市场监管局", "990102000001", 0},
		{"张三 zhangsan zs 990102000001 市场监管局", "zhang", 1},
		{"张三 zhangsan zs 990102000001 市场监管局", "san", 2},
		{"张珊珊 zhangshanshan zss", "zs", 1},
		{"安山 anshan as", "shan", 2},
		{"zs zsa", "zsa", 0}, // a later occurrence may be the whole word
	} {
		if got := rankOf(tc.key, tc.text); got != tc.want {
			t.Errorf("rankOf(%q, %q) = %d, want %d", tc.key, tc.text, got, tc.want)
		}
	}
}

// Ranked, a whole word of the key (the initials, a certificate number)
// comes before the start of one, before anywhere else; unranked, the
// list order stays.
func TestRankedSearch(t *testing.T) {
	ctx := context.Background()
	c, err := Open(ctx, filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ds := &Dataset{Officers: []Officer{
		{ID: "1", Name: "安山", AgencyCode: "01", CertNo: "990101000007", Status: CertValid},
		{ID: "2", Name: "山里", AgencyCode: "01", CertNo: "990101000008", Status: CertValid},
		{ID: "3", Name: "李山", AgencyCode: "01", CertNo: "990101000078", Status: CertValid},
		{ID: "4", Name: "石丽", AgencyCode: "01", CertNo: "990101000009", Status: CertValid},
	}}
	if err := c.Replace(ctx, ds, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		q    Query
		want string
	}{
		{Query{Kind: KindOfficer, Text: "shan"}, "安山 李山 山里"},
		{Query{Kind: KindOfficer, Text: "shan", Ranked: true}, "山里 安山 李山"},
		{Query{Kind: KindOfficer, Text: "sl"}, "山里 石丽"},
		{Query{Kind: KindOfficer, Text: "990101000007", Ranked: true}, "安山"},
		{Query{Kind: KindOfficer, Text: "99010100007", Ranked: true}, "李山"},
		{Query{Kind: KindOfficer, Ranked: true}, "安山 李山 山里 石丽"},
	} {
		items, err := c.Search(ctx, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range items {
			got = append(got, it.Title())
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%+v: %q, want %q", tc.q, strings.Join(got, " "), tc.want)
		}
	}
}
