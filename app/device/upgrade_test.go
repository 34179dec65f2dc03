package device_test

import (
	"archive/zip"
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/store"
	"github.com/sanxiang-desk/sanxiang/app/store/seal/sealtest"
	"github.com/sanxiang-desk/sanxiang/app/vault/keystore"
)

// The party of the lost-laptop tests: every string of it must be gone
// from a sealed folder.
var party = casefile.Party{Kind: "person", Name: "柏拉图测试", IDNo: "110101199003071234",
	Phone: "13912345678", Address: "青海省西宁市城中区测试路88号"}

const (
	oldOfficer = "990101000001"
	oldPIN     = "135790"
	oldToken   = "sxt_0123456789abcdef0123456789abcdef"
	oldRecords = 2500
)

// oldFolder is a data folder as the version before sealing kept it: a
// plaintext record log of oldRecords records with the party in its
// opening, an evidence photo, an unfinished recording segment, a token in
// sync.json, the review queue with the party, an archived bundle, and a
// person whose key is sealed under their PIN. It returns the folder's
// secrets as a thief would find them in it.
func oldFolder(t *testing.T, dir string) (signer string, seed []byte, photo ledger.Digest) {
	t.Helper()
	ctx := context.Background()
	l, err := casefile.Open(ctx, filepath.Join(dir, config.CasefileDB), filepath.Join(dir, config.MediaDir), "OLD-01", nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	l.SetClock(func() time.Time { at = at.Add(time.Second); return at })
	photo, _, err = l.Media().Put(strings.NewReader("JPEG of the scene of " + party.Name))
	if err != nil {
		t.Fatal(err)
	}
	recs := make([]*ledger.Record, oldRecords)
	for i := range recs {
		body, _ := json.Marshal(map[string]any{"party": party, "note": fmt.Sprintf("现场检查记录 %d", i)})
		recs[i] = &ledger.Record{Case: fmt.Sprintf("OLD-01-20261102-%d", i%3), Kind: "note", Author: oldOfficer, Body: body}
	}
	recs[0].Media = []string{photo.String()}
	if err := l.Log.AppendBatch(ctx, recs); err != nil {
		t.Fatal(err)
	}
	l.Close()
	db, err := sql.Open("sqlite", store.DSN(filepath.Join(dir, config.CasefileDB), store.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT signer FROM device_key`).Scan(&signer); err != nil {
		t.Fatal(err)
	}
	db.Close()

	book, err := account.Open(ctx, filepath.Join(dir, config.DeviceDB))
	if err != nil {
		t.Fatal(err)
	}
	book.SetKDF(account.Quick)
	key, err := account.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := book.EnrolKey(ctx, account.Account{ID: oldOfficer, Name: "张三", Role: account.RoleOfficer}, key, oldPIN); err != nil {
		t.Fatal(err)
	}
	book.Close()
	seed = key.Seed()

	rec := filepath.Join(dir, config.MediaDir, "recording")
	os.MkdirAll(rec, 0o700)
	os.WriteFile(filepath.Join(rec, "s1-0.wav"), []byte("RIFF....WAVEfmt PCM of "+party.Phone), 0o600)
	os.WriteFile(filepath.Join(rec, "s1.json"), []byte(`{"session":"s1","case":"OLD-01-20261102-0"}`), 0o600)
	writeJSON(t, filepath.Join(dir, config.IdentityFile), map[string]any{"platform": "https://zf.example.cn", "device_id": "OLD-01", "token": oldToken, "platform_key": "k", "kind": "officer"})
	writeJSON(t, filepath.Join(dir, config.ReviewQueueFile), []map[string]any{{"device": "B", "case": "B-1", "party": party}})
	os.MkdirAll(filepath.Join(dir, config.ArchiveDir), 0o700)
	zf, err := os.Create(filepath.Join(dir, config.ArchiveDir, "OLD-01-20261102-2.zip"))
	if err != nil {
		t.Fatal(err)
	}
	z := zip.NewWriter(zf)
	w, _ := z.Create("records.json")
	w.Write([]byte(party.Address))
	z.Close()
	zf.Close()
	return signer, seed, photo
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, _ := json.Marshal(v)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// oldNeedles are what a thief must not find once the folder is sealed.
func oldNeedles(signer string, seed []byte) []sealtest.Secret {
	ns := sealtest.Text("party name", party.Name)
	ns = append(ns, sealtest.Text("party ID number", party.IDNo)...)
	ns = append(ns, sealtest.Text("party phone", party.Phone)...)
	ns = append(ns, sealtest.Text("party address", party.Address)...)
	ns = append(ns, sealtest.Text("record text", "现场检查记录")...)
	ns = append(ns, sealtest.Secret{Name: "token", Bytes: []byte(oldToken)})
	ns = append(ns, sealtest.SignerKey("device signing key", signer)...)
	return append(ns, sealtest.Binary("person seed", seed)...)
}

// TestUpgradeChild is the upgrade run the kill test stops: it seals the
// folder SANXIANG_UPGRADE_DIR and, at the point SANXIANG_UPGRADE_STOP,
// says so and waits to be killed.
func TestUpgradeChild(t *testing.T) {
	dir := os.Getenv("SANXIANG_UPGRADE_DIR")
	if dir == "" {
		t.Skip("run by TestUpgradeResumesAfterKill")
	}
	stop := os.Getenv("SANXIANG_UPGRADE_STOP")
	err := device.SealFolder(context.Background(), dir, device.SealOptions{Keystore: keystore.Dir(os.Getenv("SANXIANG_UPGRADE_KEYSTORE")),
		Hook: func(p string) {
			if p == stop {
				fmt.Printf("AT %s\n", p)
				os.Stdout.Sync()
				time.Sleep(time.Minute)
			}
		}})
	fmt.Printf("DONE %v\n", err)
}

// A folder kept before sealing is sealed on the first start of the new
// version, without loss, and resumes when killed at any point: the same
// log (size, root, every case's records), every evidence file, the same
// token, the person signs in with their old PIN; afterwards a scan of
// every file in the folder finds none of the party's strings, the token,
// the device key or the person's key.
func TestUpgradeResumesAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes")
	}
	points := []string{"vault", "records:1000", "copied", "verified", "swap1", "swap2", "swap3", "scrubbed", "segment:s1-0.wav", "media:1", "files", "archive", "done"}
	for _, stop := range points {
		t.Run(strings.ReplaceAll(stop, ":", "_"), func(t *testing.T) {
			ctx := context.Background()
			dir, ks := t.TempDir(), keystore.Dir(t.TempDir())
			signer, seed, photo := oldFolder(t, dir)
			ns := oldNeedles(signer, seed)
			if found := sealtest.Scan(t, ns, dir); len(found) < 5 {
				t.Fatalf("the scanner finds too little in the plaintext folder: %v", found)
			}
			before := logState(t, dir, nil)

			cmd := exec.Command(os.Args[0], "-test.run=^TestUpgradeChild$", "-test.v")
			cmd.Env = append(os.Environ(), "SANXIANG_UPGRADE_DIR="+dir, "SANXIANG_UPGRADE_STOP="+stop, "SANXIANG_UPGRADE_KEYSTORE="+string(ks))
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(out)
			reached := false
			for sc.Scan() {
				if sc.Text() == "AT "+stop {
					reached = true
					break
				}
				if strings.HasPrefix(sc.Text(), "DONE") {
					t.Fatalf("the upgrade ended without reaching %s: %s", stop, sc.Text())
				}
			}
			cmd.Process.Kill()
			cmd.Wait()
			if !reached {
				t.Fatalf("the child never reached %s", stop)
			}

			if need, err := device.NeedsSealing(dir); err != nil || (!need && stop != "done") {
				t.Fatalf("after a kill at %s NeedsSealing says %v, %v", stop, need, err)
			}
			if err := device.SealFolder(ctx, dir, device.SealOptions{Keystore: ks}); err != nil {
				t.Fatalf("resumed after %s: %v", stop, err)
			}
			if need, err := device.NeedsSealing(dir); err != nil || need {
				t.Fatalf("sealed folder still needs sealing: %v %v", need, err)
			}
			if found := sealtest.Scan(t, ns, dir); len(found) > 0 {
				t.Errorf("after a kill at %s the sealed folder gives away: %v", stop, found)
			}

			d, err := device.OpenWith(ctx, dir, device.Ledger, device.Options{Keystore: ks})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if d.Vault.Unlocked() {
				t.Fatal("an officer's sealed folder opened without a PIN")
			}
			if _, _, err := d.Book.SignIn(ctx, oldOfficer, oldPIN, "officer"); err != nil {
				t.Fatalf("the person signs in with the old PIN: %v", err)
			}
			if after := logState(t, dir, d); after != before {
				t.Errorf("the log changed:\n before %s\n after  %s", before, after)
			}
			if err := d.Log.Media().Check(photo); err != nil {
				t.Errorf("the photo: %v", err)
			}
			var id struct {
				Token       string `json:"token"`
				TokenSealed []byte `json:"token_sealed"`
			}
			if err := device.ReadJSON(filepath.Join(dir, config.IdentityFile), &id); err != nil || id.Token != "" || len(id.TokenSealed) == 0 {
				t.Errorf("sync.json after sealing: %+v %v", id, err)
			}
			var q []map[string]any
			if err := d.ReadSealedJSON(config.ReviewQueueFile, &q); err != nil || len(q) != 1 {
				t.Errorf("the review queue after sealing: %v %v", q, err)
			}
		})
	}
}

// logState is the log's size, root and records per case, for before and
// after: opened plaintext (d nil) or through a signed-in device.
func logState(t *testing.T, dir string, d *device.Device) string {
	t.Helper()
	ctx := context.Background()
	l := (*casefile.Log)(nil)
	if d != nil {
		l = d.Log
	} else {
		var err error
		if l, err = casefile.OpenExisting(ctx, filepath.Join(dir, config.CasefileDB), filepath.Join(dir, config.MediaDir), nil); err != nil {
			t.Fatal(err)
		}
		defer l.Close()
	}
	rep, err := l.Verify(ctx, nil)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	s := fmt.Sprintf("%d records root %s media %d", rep.Records, rep.Root, rep.Media)
	for i := range 3 {
		recs, err := l.Records(ctx, fmt.Sprintf("OLD-01-20261102-%d", i))
		if err != nil {
			t.Fatal(err)
		}
		s += fmt.Sprintf(" case%d:%d", i, len(recs))
		if len(recs) > 0 && !strings.Contains(string(recs[0].Body), party.Name) {
			t.Errorf("record of case %d lost its body: %s", i, recs[0].Body)
		}
	}
	return s
}
