package demoload

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/demo"
	"github.com/sanxiang-desk/sanxiang/assets"
)

var update = flag.Bool("update", false, "rewrite assets/demo/agencies.csv and people.csv from app/demo")

// The demo city's agencies and people are files in assets/demo, imported
// as a real city's would be; they are made from app/demo's dataset, and
// this test fails when they no longer match it (go test -update rewrites
// them).
func TestDemoPeopleFilesCurrent(t *testing.T) {
	ds, err := demo.Dataset(demo.Standard)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{"agencies.csv": agenciesCSV(ds), "people.csv": peopleCSV(ds)}
	for name, data := range want {
		if *update {
			if err := os.WriteFile(filepath.Join("..", "..", "..", "assets", "demo", name), data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := assets.Demo.ReadFile("demo/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("assets/demo/%s is stale: run go test ./sync/server/demoload -run TestDemoPeopleFilesCurrent -update", name)
		}
	}
}

func writeCSV(rows [][]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.WriteAll(rows)
	return b.Bytes()
}

func agenciesCSV(ds *catalog.Dataset) []byte {
	rows := [][]string{{"执法主体代码", "名称", "简称", "咨询电话", "地址", "投诉电话", "救济渠道", "职责", "权限"}}
	for _, a := range ds.Agencies {
		rows = append(rows, []string{a.Code, a.Name, a.Short, a.Phone, a.Address, a.ComplaintPhone, a.RemedyChannels, a.Duties, a.Powers})
	}
	return writeCSV(rows)
}

// peopleCSV lists every certified officer of the demo city, in the role
// the demo's accounts give them (officer, legal reviewer, window staff),
// and a second legal reviewer for each agency but the last, so the
// staffing chart shows agencies at the guideline's 5 % and one below.
func peopleCSV(ds *catalog.Dataset) []byte {
	roles := map[string]account.Account{}
	for _, a := range demo.Accounts(ds) {
		roles[a.ID] = a
	}
	extra := map[string]bool{}
	taken := map[string]int{}
	last := ds.Agencies[len(ds.Agencies)-1].Code
	for _, o := range ds.Officers {
		if o.Status != catalog.CertValid || o.AgencyCode == last {
			continue
		}
		if taken[o.AgencyCode]++; taken[o.AgencyCode] == 5 { // the first four have demo accounts
			extra[o.CertNo] = true
		}
	}
	roleName := map[account.Role]string{account.RoleOfficer: "执法人员", account.RoleReviewer: "法制审核人员", account.RoleStaff: "窗口工作人员"}
	status := map[string]string{catalog.CertValid: "有效", catalog.CertSuspended: "暂扣", catalog.CertRevoked: "已注销"}
	rows := [][]string{{"执法证号", "姓名", "性别", "执法主体代码", "所属单位", "职务", "编制", "角色", "资格", "发证机关", "证件状态", "有效期至", "执法区域", "是否在岗"}}
	for _, o := range ds.Officers {
		role, qual := "执法人员", ""
		if a, ok := roles[o.CertNo]; ok {
			role = roleName[a.Role]
		}
		if role == "法制审核人员" || extra[o.CertNo] {
			role, qual = "法制审核人员", "国家统一法律职业资格"
		}
		rows = append(rows, []string{o.CertNo, o.Name, o.Gender, o.AgencyCode, o.Unit, o.Position, o.Staffing, role, qual,
			o.Issuer, status[o.Status], o.ValidUntil, o.Region, "是"})
	}
	return writeCSV(rows)
}
