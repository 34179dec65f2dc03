package e2e

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/capture"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/app/store"
	"github.com/sanxiang-desk/sanxiang/app/store/seal"
	"github.com/sanxiang-desk/sanxiang/app/store/seal/sealtest"
	"github.com/sanxiang-desk/sanxiang/app/vault"
	"github.com/sanxiang-desk/sanxiang/app/vault/keystore"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// lostParty is the party of the lost-laptop tests: no string of theirs
// may be found in a sealed folder.
var lostParty = casefile.Party{Kind: "person", Name: "柏拉图测试", IDNo: "110101199003071234",
	Phone: "13912345678", Address: "青海省西宁市城中区测试路88号"}

const (
	lostLead, lostLeadPIN     = "990101000001", "135790"
	lostSecond, lostSecondPIN = "990101000002", "246801"
)

// pcmSecrets are 64-byte runs across the PCM the sine source emits.
func pcmSecrets(seconds int) []sealtest.Secret {
	samples := capture.Sine{Hz: 997}.Samples(48000, 48000*seconds)
	pcm := make([]byte, 0, 2*len(samples))
	for _, s := range samples {
		pcm = binary.LittleEndian.AppendUint16(pcm, uint16(s))
	}
	var out []sealtest.Secret
	for off := 4096; off+64 <= len(pcm); off += len(pcm) / 40 {
		out = append(out, sealtest.Secret{Name: fmt.Sprintf("64 bytes of the recorded PCM at %d", off), Bytes: pcm[off : off+64]})
	}
	return out
}

// sealedDesk is an officer's desk enrolled with the platform s, its
// folder bound to the keystore ks, with the demo's two officers activated
// and signed in.
func sealedDesk(t *testing.T, s *server.Server, url, dir string, ks keystore.Store) *device.Device {
	t.Helper()
	ctx := context.Background()
	dev, err := device.OpenWith(ctx, dir, device.Catalog|device.Ledger, device.Options{Kind: api.DeviceOfficer, Keystore: ks})
	if err != nil {
		t.Fatal(err)
	}
	dev.Book.SetKDF(account.Quick)
	dev.Config.PlatformURL = url
	code, err := s.NewEnrolCode(ctx, api.DeviceOfficer)
	if err != nil {
		t.Fatal(err)
	}
	id, err := client.Enrol(ctx, url, code, "LOST", api.DeviceOfficer, dev.Log.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.SaveIdentity(dev.Dir, id, dev.Keys()); err != nil {
		t.Fatal(err)
	}
	activateDemo(t, s, dev, lostLead, lostLeadPIN)
	activateDemo(t, s, dev, lostSecond, lostSecondPIN)
	return dev
}

// deskSecrets are the folder's keys and token as the running desk holds
// them: the token, the device's signing key, the data key.
func deskSecrets(t *testing.T, dev *device.Device) []sealtest.Secret {
	t.Helper()
	id, err := client.LoadIdentity(dev.Dir, dev.Keys())
	if err != nil || id.Token == "" {
		t.Fatalf("the token: %q %v", id.Token, err)
	}
	db, err := sql.Open("sqlite", store.DSN(filepath.Join(dev.Dir, config.CasefileDB), store.Options{ReadOnly: true}))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var stored string
	if err := db.QueryRow(`SELECT signer FROM device_key`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	blob, _ := base64.StdEncoding.DecodeString(stored)
	signer, err := seal.Open(dev.Keys(), blob, []byte("device_key"))
	if err != nil || !strings.HasPrefix(string(signer), "PRIVATE+KEY+") {
		t.Fatalf("the device key: %v", err)
	}
	dk, err := dev.Vault.DK()
	if err != nil {
		t.Fatal(err)
	}
	out := append([]sealtest.Secret{{Name: "token", Bytes: []byte(id.Token)}}, sealtest.SignerKey("device signing key", string(signer))...)
	return append(out, sealtest.Binary("data key", dk)...)
}

// partySecrets are the party's strings.
func partySecrets() []sealtest.Secret {
	var out []sealtest.Secret
	for _, f := range [][2]string{{"party name", lostParty.Name}, {"party ID number", lostParty.IDNo},
		{"party phone", lostParty.Phone}, {"party address", lostParty.Address}} {
		out = append(out, sealtest.Text(f[0], f[1])...)
	}
	return out
}

// openLostCase opens the case of the lost-laptop party.
func openLostCase(t *testing.T, dev *device.Device) string {
	t.Helper()
	two := []casefile.Officer{{CertNo: lostLead, Name: "甲"}, {CertNo: lostSecond, Name: "乙"}}
	id, err := dev.Log.OpenCase(context.Background(), lostLead, casefile.Opening{Act: catalog.ActInspection, Agency: "01",
		ItemID: "R01001", ItemName: "检查", Party: lostParty, Place: lostParty.Address, Summary: "当事人" + lostParty.Name + "电话" + lostParty.Phone, Officers: two})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// A lost laptop gives nothing away (issue 21). An officer's desk enrolled
// with the real platform, two people activated on it, a case opened for a
// party with a name, ID number, phone and address, 3 s of a known sine
// recorded with the synthetic camera, a photo, the review queue and the
// drawn tasks naming the party, a sync round pushed and receipted; then
// both sign out and the desk closes. Every byte of the folder and of the
// temporary folder (the databases, their WAL, journals, evidence,
// recordings, side files) is scanned for the party's strings as written
// and escaped, 64-byte runs of the recorded PCM, the token, the device's
// signing key and the data key: none is there. The scanner is shown to
// find each of them in plaintext.
func TestLostLaptopGivesNothing(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	s, h := demoPlatform(t, servertest.Backends(t)[0])
	dir, ks := t.TempDir(), keystore.Dir(t.TempDir())
	dev := sealedDesk(t, s, h.URL, dir, ks)
	defer dev.Close()
	caseID := openLostCase(t, dev)

	rec, err := capture.Start(ctx, capture.Config{Log: dev.Log, Case: caseID, Author: lostLead,
		Audio: capture.Sine{Hz: 997, Rate: 48000}, Camera: &capture.Synthetic{}})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second)
	if _, err := rec.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := dev.Log.Media().Put(strings.NewReader("JPEG: " + lostParty.Name + " at " + lostParty.Address)); err != nil {
		t.Fatal(err)
	}
	if err := dev.SaveReviewQueue([]review.RemoteCase{{Device: "OTHER", Case: "OTHER-1", Records: []casefile.Record{{Case: "OTHER-1",
		Kind: casefile.KindOpen, Body: json.RawMessage(`{"party":{"name":"` + lostParty.Name + `","id_no":"` + lostParty.IDNo + `"}}`)}}}}); err != nil {
		t.Fatal(err)
	}
	if err := client.SaveTasks(dev, map[string]client.TaskList{lostLead: {At: time.Now(), Tasks: []client.TaskState{{Task: api.Task{ID: "1-1",
		Target: api.TaskTarget{ID: lostParty.IDNo, Name: lostParty.Name, Address: lostParty.Address}}}}}}); err != nil {
		t.Fatal(err)
	}
	roundOK(t, dev)
	if n, err := dev.Log.Receipted(ctx); err != nil || n == 0 {
		t.Fatalf("the platform receipted %d records (%v)", n, err)
	}
	secrets := append(partySecrets(), deskSecrets(t, dev)...)
	secrets = append(secrets, pcmSecrets(2)...)
	sealtest.CheckScanner(t, secrets)

	for _, id := range []string{lostSecond, lostLead} {
		if err := dev.Book.Log(ctx, id, "signout", "officer"); err != nil {
			t.Fatal(err)
		}
	}
	if dev.Vault.Unlocked() {
		t.Fatal("the desk's data stays open after the last sign-out")
	}
	if err := dev.Close(); err != nil {
		t.Fatal(err)
	}
	if found := sealtest.Scan(t, secrets, dir, tmp); len(found) > 0 {
		for what, where := range found {
			t.Errorf("the folder gives away the %s (in %s)", what, where)
		}
	}

	// What the folder still says without anyone: its public lists, and
	// that its log is sealed.
	l, err := casefile.OpenExisting(ctx, filepath.Join(dir, config.CasefileDB), filepath.Join(dir, config.MediaDir), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := l.Records(ctx, caseID); err == nil {
		t.Error("a sealed log read without keys")
	}
}

// TestLostLaptopChild records on the folder SANXIANG_LOST_DIR until it is
// killed: the parent, TestLostLaptopAfterSIGKILLMidRecording, kills it.
func TestLostLaptopChild(t *testing.T) {
	dir := os.Getenv("SANXIANG_LOST_DIR")
	if dir == "" {
		t.Skip("run by TestLostLaptopAfterSIGKILLMidRecording")
	}
	ctx := context.Background()
	dev, err := device.OpenWith(ctx, dir, device.Catalog|device.Ledger, device.Options{Keystore: keystore.Dir(os.Getenv("SANXIANG_LOST_KEYSTORE"))})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := dev.Book.SignIn(ctx, lostLead, lostLeadPIN, "officer"); err != nil {
		t.Fatal(err)
	}
	if _, err := capture.Start(ctx, capture.Config{Log: dev.Log, Case: os.Getenv("SANXIANG_LOST_CASE"), Author: lostLead,
		Audio: capture.Sine{Hz: 997, Rate: 48000}, Camera: &capture.Synthetic{}}); err != nil {
		t.Fatal(err)
	}
	fmt.Println("RECORDING")
	time.Sleep(time.Minute)
}

// The same scan after a SIGKILL mid-recording: the segments on disk are
// sealed as they were written, before any repair; after a sign-in the
// repair on the sealed segments keeps all but the last two seconds, and
// the folder still gives nothing away.
func TestLostLaptopAfterSIGKILLMidRecording(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	s, h := demoPlatform(t, servertest.Backends(t)[0])
	dir, ksDir := t.TempDir(), t.TempDir()
	dev := sealedDesk(t, s, h.URL, dir, keystore.Dir(ksDir))
	caseID := openLostCase(t, dev)
	secrets := append(partySecrets(), deskSecrets(t, dev)...)
	dev.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestLostLaptopChild$", "-test.v")
	cmd.Env = append(os.Environ(), "SANXIANG_LOST_DIR="+dir, "SANXIANG_LOST_KEYSTORE="+ksDir, "SANXIANG_LOST_CASE="+caseID)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() && sc.Text() != "RECORDING" {
	}
	time.Sleep(3500 * time.Millisecond)
	cmd.Process.Kill()
	cmd.Wait()
	segments, _ := filepath.Glob(filepath.Join(dir, config.MediaDir, "recording", "*"))
	if len(segments) < 2 {
		t.Fatalf("the killed recording left %v", segments)
	}
	secrets = append(secrets, pcmSecrets(3)...)
	sealtest.CheckScanner(t, secrets)
	if found := sealtest.Scan(t, secrets, dir, tmp); len(found) > 0 {
		t.Errorf("after a SIGKILL mid-recording, before any repair, the folder gives away: %v", found)
	}

	dev, err = device.OpenWith(ctx, dir, device.Catalog|device.Ledger, device.Options{Keystore: keystore.Dir(ksDir)})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	if _, _, err := dev.Book.SignIn(ctx, lostLead, lostLeadPIN, "officer"); err != nil {
		t.Fatal(err)
	}
	recs, err := capture.Recover(ctx, dev.Log)
	if err != nil {
		t.Fatal(err)
	}
	var audio time.Duration
	for _, r := range recs {
		if m, ok := capture.RecordingOf(*r); ok {
			audio += time.Duration(m.DurationMS) * time.Millisecond
		}
	}
	if audio < 1500*time.Millisecond {
		t.Errorf("the repaired recording keeps %v of about 3.5 s: more than 2 s lost (%d records)", audio, len(recs))
	}
	dev.Book.Log(ctx, lostLead, "signout", "officer")
	dev.Close()
	if found := sealtest.Scan(t, secrets, dir, tmp); len(found) > 0 {
		t.Errorf("after the repair the folder gives away: %v", found)
	}
}

// A desk takes the city's recovery key only from the platform it enrolled
// with: after its round it is wrapped for the key its platform publishes;
// notes of another platform (a second real one, with a key of its own) are
// refused as not signed by the pinned key, and the desk keeps its wraps.
func TestRecoveryKeyOfAnotherPlatformRefused(t *testing.T) {
	ctx := context.Background()
	s, h := demoPlatform(t, servertest.Backends(t)[0])
	dev := sealedDesk(t, s, h.URL, t.TempDir(), keystore.Dir(t.TempDir()))
	defer dev.Close()
	roundOK(t, dev)
	info, err := dev.Book.Vault(ctx)
	if err != nil || len(info.Recovery) != 1 {
		t.Fatalf("after its round the desk is wrapped for %v (%v)", info.Recovery, err)
	}

	other, _ := platform(t, servertest.Backends(t)[0])
	k, err := vault.NewRecoveryKey("sm2")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.AddRecoveryKey(ctx, k.Public().String()); err != nil {
		t.Fatal(err)
	}
	notes, err := other.RecoveryNotes(ctx)
	if err != nil || len(notes) != 1 {
		t.Fatalf("the other platform's notes: %v %v", notes, err)
	}
	id, err := client.LoadIdentity(dev.Dir, dev.Keys())
	if err != nil {
		t.Fatal(err)
	}
	if err := dev.Book.AddRecoveryKeys(ctx, notes, id.PlatformKey); !errors.Is(err, vault.ErrRecoveryNoteSigner) {
		t.Fatalf("another platform's recovery key: %v", err)
	}
	if after, err := dev.Book.Vault(ctx); err != nil || !slices.Equal(after.Recovery, info.Recovery) {
		t.Fatalf("the desk's recovery wraps changed: %v → %v (%v)", info.Recovery, after.Recovery, err)
	}
}
