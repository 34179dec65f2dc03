package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/witness"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// TestPlatformProcessWitnessedByPolicyFile: the witness policy is the
// platform's configuration — the sanxiang-platform process, given
// --witness-policy naming a sanxiang-witness process, has a device's
// checkpoint cosigned, which verifies against that same file; a policy
// file that does not parse stops the platform at start, saying so.
func TestPlatformProcessWitnessedByPolicyFile(t *testing.T) {
	if testing.Short() {
		t.Skip("starts platform and witness processes")
	}
	ctx := context.Background()
	wbin := filepath.Join(t.TempDir(), "sanxiang-witness")
	build := exec.Command("go", "build", "-o", wbin, "github.com/sanxiang-desk/sanxiang/sync/cmd/sanxiang-witness")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build sanxiang-witness: %v\n%s", err, out)
	}
	vkey, wurl, _ := witnessProcess(t, wbin, t.TempDir(), "procuratorate.test", "127.0.0.1:0")
	dir := t.TempDir()
	policyFile := filepath.Join(dir, "witnesses.txt")
	policyText := fmt.Sprintf("# the city's witnesses\nwitness procuratorate.test %s %s\nquorum 1\n", vkey, wurl)
	if err := os.WriteFile(policyFile, []byte(policyText), 0o644); err != nil {
		t.Fatal(err)
	}
	policy, err := witness.ParsePolicy([]byte(policyText))
	if err != nil {
		t.Fatal(err)
	}
	bin := platformBinary(t)
	db, media := servertest.Backends(t)[0].Where(t)

	// A policy that does not parse: the platform does not start.
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("witness only-a-name\n"), 0o644)
	out, err := exec.Command(bin, append([]string{"--listen", freePort(t), "--db", db, "--media", media, "--admin-token", admin, "--witness-policy", bad}, keyArgs(db)...)...).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--witness-policy") {
		t.Fatalf("a bad policy: %v\n%s", err, out)
	}

	newCode := exec.Command(bin, append([]string{"--db", db, "--media", media, "--new-code", "officer"}, keyArgs(db)...)...)
	code, err := newCode.Output()
	if err != nil {
		t.Fatalf("new code: %v", err)
	}
	t.Setenv("SANXIANG_WITNESS_POLICY", policyFile) // the flag's environment form
	p := startPlatform(t, bin, db, media)
	// A log without people's signatures, as the killed-platform test's:
	// this process platform registers no person keys.
	ldir := t.TempDir()
	l, err := casefile.Open(ctx, filepath.Join(ldir, "c.db"), filepath.Join(ldir, "m"), "WITNESSED-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := range 3 {
		if err := l.AppendBatch(ctx, []*casefile.Record{{Case: "C1", Kind: "note", Author: "990101000001", Body: fmt.Appendf(nil, `{"text":"记录 %d"}`, i)}}); err != nil {
			t.Fatal(err)
		}
	}
	id, err := client.Enrol(ctx, p.url.String(), strings.TrimSpace(string(code)), "laptop", "officer", l.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	c := client.New(id)
	if _, err := c.Push(ctx, l); err != nil {
		t.Fatal(err)
	}
	for range 400 {
		ans, err := c.SendCheckpoint(ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		if ans.CosignedSize == 3 {
			names, err := witness.VerifyCosigned([]byte(ans.Cosigned), policy)
			if err != nil || len(names) != 1 || names[0] != "procuratorate.test" {
				t.Fatalf("the cosigned checkpoint against the policy file: %v %v", names, err)
			}
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("the platform process never had the checkpoint cosigned:\n%s", p.logs)
}
