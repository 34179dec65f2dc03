package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/sync/server"
)

// agencyInspection is agency 01's own inspection procedure: a notice
// before every inspection (the national one has it optional).
const agencyInspection = `{"id":"inspection","act":"inspection","agency":"01","title":"行政检查（本机关）","stages":[
 {"key":"notice","documents":["inspection_notice"]},
 {"key":"inspect","on_site":true,"requires":["notice"],"documents":["inspection_record"],"av":"any"},
 {"key":"handle","decision":true,"requires":["inspect"],"documents":["inspection_result"]},
 {"key":"close","final":true,"requires":["handle"]}]}`

// An administrator sets agencies' procedures from a file: a file with one
// malformed procedure, or one naming an unknown act or no agency, is
// refused whole with a Chinese-first message and changes nothing; a good
// one is stored, and setting a changed procedure again raises its version.
func TestSetProceduresRefusesWholeOrStores(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "platform.db")
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stored := func() int {
		s, err := server.Open(context.Background(), db, withKey(server.Options{}))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		list, err := s.Procedures(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	for name, text := range map[string]string{
		"unknown act":   `[` + agencyInspection + `,{"id":"tax","act":"tax","agency":"01","title":"x","stages":[{"key":"close","final":true}]}]`,
		"no agency":     `[` + strings.Replace(agencyInspection, `"agency":"01",`, "", 1) + `]`,
		"bad stage":     `[` + strings.Replace(agencyInspection, `"requires":["notice"]`, `"requires":["warn"]`, 1) + `]`,
		"not json":      `[{"id":`,
		"two finals":    `[` + strings.Replace(agencyInspection, `"key":"notice",`, `"key":"notice","final":true,`, 1) + `]`,
		"bad av":        `[` + strings.Replace(agencyInspection, `"av":"any"`, `"av":"some"`, 1) + `]`,
		"id not of act": `[` + strings.Replace(agencyInspection, `"id":"inspection"`, `"id":"penalty.x"`, 1) + `]`,
	} {
		var out bytes.Buffer
		err := setProcedures(db, "", write("bad.json", text), &out)
		if err == nil || !strings.HasPrefix(err.Error(), "执法程序文件有误，未作任何更改") {
			t.Errorf("%s: %v", name, err)
		}
		if n := stored(); n != 0 {
			t.Fatalf("%s: a refused file stored %d procedures", name, n)
		}
	}
	var out bytes.Buffer
	good := write("good.json", `[`+agencyInspection+`]`)
	if err := setProcedures(db, "", good, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "机关 01：行政检查（本机关）（inspection）第 1 版") {
		t.Fatalf("said %q", out.String())
	}
	out.Reset()
	if err := setProcedures(db, "", good, &out); err != nil || !strings.Contains(out.String(), "第 1 版") {
		t.Fatalf("the same procedure again: %q %v", out.String(), err)
	}
	out.Reset()
	changed := write("changed.json", `[`+strings.Replace(agencyInspection, "（本机关）", "（本机关·修订）", 1)+`]`)
	if err := setProcedures(db, "", changed, &out); err != nil || !strings.Contains(out.String(), "第 2 版") {
		t.Fatalf("a changed procedure: %q %v", out.String(), err)
	}
	if n := stored(); n != 1 {
		t.Fatalf("%d procedures stored", n)
	}
}
