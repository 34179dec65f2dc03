package e2e

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/bundle"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/witness"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/intake"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// inProcessWitness is a witness served on loopback in this process.
func inProcessWitness(t testing.TB, name string) (*witness.Server, witness.Witness) {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := witness.Open(context.Background(), filepath.Join(t.TempDir(), "witness.db"), witness.Options{Name: name, Key: key, Learn: "sanxiang/device/"})
	if err != nil {
		t.Fatal(err)
	}
	h := httptest.NewServer(ws)
	t.Cleanup(func() { h.Close(); ws.Close() })
	p, err := witness.ParsePolicy(fmt.Appendf(nil, "witness %s %s %s\nquorum 1\n", name, ws.VerifierKey(), h.URL))
	if err != nil {
		t.Fatal(err)
	}
	return ws, p.Witnesses[0]
}

// twinLogs is a device log and a copy of it taken while empty: the same
// device key, so that the copy, given other records, is the device's log
// rewritten.
func twinLogs(t *testing.T, origin string) (*casefile.Log, *casefile.Log) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	l, err := casefile.Open(ctx, filepath.Join(dir, "a.db"), filepath.Join(dir, "media"), origin, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	keysOf.Store(l, casefiletest.SignAs(t, l, testPeople...))
	if _, err := l.DB().ExecContext(ctx, `VACUUM INTO ?`, filepath.Join(dir, "b.db")); err != nil {
		t.Fatal(err)
	}
	b, err := casefile.Open(ctx, filepath.Join(dir, "b.db"), filepath.Join(dir, "media-b"), origin, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	casefiletest.SignAs(t, b, testPeople...)
	return l, b
}

// sendRaw posts a checkpoint alone with a device's token.
func sendRaw(t *testing.T, id client.Identity, note []byte) int {
	t.Helper()
	body, _ := json.Marshal(api.CheckpointRequest{Checkpoint: string(note)})
	req, _ := http.NewRequest(http.MethodPost, id.Platform+api.PathCheckpoint, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+id.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func waitAlert(t *testing.T, s *server.Server, kind string) {
	t.Helper()
	for range 200 {
		alerts, err := s.AlertList(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range alerts {
			if a.Kind == kind {
				return
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("no %s alert", kind)
}

// witnessedOnce has the platform's witnesses cosign l's checkpoint sent
// alone, and returns the cosigned note the device then keeps.
func witnessedOnce(t *testing.T, s *server.Server, c *client.Client, l *casefile.Log) []byte {
	t.Helper()
	ctx := context.Background()
	if _, err := c.SendCheckpoint(ctx, l); err != nil {
		t.Fatal(err)
	}
	if err := s.WitnessRound(ctx); err != nil {
		t.Fatal(err)
	}
	ans, err := c.SendCheckpoint(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	if ans.Cosigned == "" {
		t.Fatal("no cosigned checkpoint after a round")
	}
	return []byte(ans.Cosigned)
}

func TestWitnessRefusesSplitView(t *testing.T) {
	ctx := context.Background()
	// At the witness: one log, two checkpoints of one size with different
	// roots, and a larger one with a bad proof — each refused and kept.
	ws, w := inProcessWitness(t, "witness.test")
	a, b := twinLogs(t, "split-1")
	appendN(t, a, 3, "original")
	appendN(t, b, 3, "other")
	ca, _ := a.Latest(ctx)
	cb, _ := b.Latest(ctx)
	hc := &http.Client{Timeout: 5 * time.Second}
	if _, err := witness.AddCheckpoint(ctx, hc, w, 0, nil, ca.Note, a.Verifier); err != nil {
		t.Fatal(err)
	}
	if _, err := witness.AddCheckpoint(ctx, hc, w, 3, nil, cb.Note, a.Verifier); !errors.Is(err, witness.ErrSplitView) {
		t.Fatalf("same size, another root: %v, want a split-view refusal", err)
	}
	var conflict *witness.ConflictError
	if _, err := witness.AddCheckpoint(ctx, hc, w, 0, nil, cb.Note, a.Verifier); !errors.As(err, &conflict) || conflict.Known != 3 {
		t.Fatalf("wrong old size: %v, want 409 with size 3", err)
	}
	appendN(t, b, 2, "more")
	cb5, _ := b.Latest(ctx)
	if _, err := witness.AddCheckpoint(ctx, hc, w, 3, nil, cb5.Note, a.Verifier); !errors.Is(err, witness.ErrSplitView) {
		t.Fatalf("no proof: %v", err)
	}
	if n, err := ws.Refusals(ctx, a.Origin()); err != nil || n != 2 {
		t.Fatalf("%d refusals kept (%v), want 2", n, err)
	}
	// A second device cannot take the first's log: its key is pinned.
	other := openLog(t, "split-1")
	appendN(t, other, 1, "x")
	co, _ := other.Latest(ctx)
	if _, err := witness.AddCheckpoint(ctx, hc, w, 3, nil, co.Note, other.Verifier); !errors.Is(err, witness.ErrUnknownLog) {
		t.Fatalf("another key for a pinned log: %v", err)
	}

	// At the platform: the witness's refusal raises an alert.
	eachBackend(t, func(t *testing.T, be servertest.Backend) {
		_, w2 := inProcessWitness(t, "witness2.test")
		p := witness.Policy{Witnesses: []witness.Witness{w2}, Quorum: 1}
		s, h := be.Serve(t, server.Options{AdminToken: admin, Witnesses: &p, WitnessRetry: time.Hour})
		a, b := twinLogs(t, "split-2")
		appendN(t, a, 3, "original")
		appendN(t, b, 3, "other")
		id := enrol(t, s, h, a)
		witnessedOnce(t, s, client.New(id), a)
		cb, _ := b.Latest(ctx)
		if code := sendRaw(t, id, cb.Note); code != http.StatusConflict {
			t.Fatalf("a second checkpoint of size 3: %d, want 409", code)
		}
		waitAlert(t, s, intake.AlertSplitView)
	})
}

func TestRewriteAfterWitnessingDetected(t *testing.T) {
	ctx := context.Background()
	eachBackend(t, func(t *testing.T, be servertest.Backend) {
		ws, w := inProcessWitness(t, "witness.test")
		p := witness.Policy{Witnesses: []witness.Witness{w}, Quorum: 1}
		s, h := be.Serve(t, server.Options{AdminToken: admin, Witnesses: &p, WitnessRetry: time.Hour})
		// The audit's rewrite: a log never pushed is rebuilt with other
		// records of the same size. Its first checkpoint went out alone and
		// was witnessed; the rewrite is caught.
		a, b := twinLogs(t, "rewrite-1")
		appendN(t, a, 4, "as it happened")
		appendN(t, b, 4, "as rewritten")
		id := enrol(t, s, h, a)
		c := client.New(id)
		cos := witnessedOnce(t, s, c, a)
		if got, err := witness.VerifyCosigned(cos, p); err != nil || len(got) != 1 {
			t.Fatalf("cosigned: %v %v", got, err)
		}
		cb, _ := b.Latest(ctx)
		if code := sendRaw(t, id, cb.Note); code != http.StatusConflict {
			t.Fatalf("the rewritten checkpoint: %d, want 409", code)
		}
		waitAlert(t, s, intake.AlertSplitView)
		waitAlert(t, s, "fork")
		if n, err := ws.Refusals(ctx, a.Origin()); err != nil || n != 1 {
			t.Fatalf("the witness kept %d refusals (%v), want 1", n, err)
		}
		// Pushing the rewritten records is refused too: they make another
		// tree than the checkpoint witnessed.
		if _, err := client.New(id).Push(ctx, b); err == nil {
			t.Fatal("the rewritten log was pushed")
		}
	})
}

// witnessProcess runs sanxiang-witness as a process; it returns its vkey
// and URL, and a stop function.
func witnessProcess(t *testing.T, bin, dir, name, listen string) (vkey, url string, stop func()) {
	t.Helper()
	cmd := exec.Command(bin, "--name", name, "--db", filepath.Join(dir, "w.db"), "--key", filepath.Join(dir, "w.key"), "--listen", listen)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for (vkey == "" || url == "") && sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "vkey "); ok {
			vkey = v
		}
		if u, ok := strings.CutPrefix(sc.Text(), "listening "); ok {
			url = u
		}
	}
	if vkey == "" || url == "" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("the witness did not start")
	}
	done := false
	stop = func() {
		if !done {
			done = true
			cmd.Process.Kill()
			cmd.Wait()
		}
	}
	t.Cleanup(stop)
	return vkey, url, stop
}

func TestWitnessesCosignEndToEnd(t *testing.T) {
	ctx := context.Background()
	bin := filepath.Join(t.TempDir(), "sanxiang-witness")
	build := exec.Command("go", "build", "-o", bin, "github.com/sanxiang-desk/sanxiang/sync/cmd/sanxiang-witness")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build sanxiang-witness: %v\n%s", err, out)
	}
	dirA, dirB := t.TempDir(), t.TempDir()
	vA, uA, _ := witnessProcess(t, bin, dirA, "procuratorate.test", "127.0.0.1:0")
	vB, uB, stopB := witnessProcess(t, bin, dirB, "legal-office.test", "127.0.0.1:0")
	policy, err := witness.ParsePolicy(fmt.Appendf(nil, "# the city's witnesses\nwitness procuratorate.test %s %s\nwitness legal-office.test %s %s\nquorum 2\n", vA, uA, vB, uB))
	if err != nil {
		t.Fatal(err)
	}
	s, h := servertest.Backends(t)[0].Serve(t, server.Options{AdminToken: admin, Witnesses: &policy, WitnessRetry: 50 * time.Millisecond})
	var hooked []int64
	hookc := make(chan int64, 16)
	s.OnCosigned = func(_ context.Context, _ string, size int64, _ []byte) { hookc <- size }
	l := deviceLog(t, "witnessed-1", 3)
	c := client.New(enrol(t, s, h, l))
	if _, err := c.Push(ctx, l); err != nil {
		t.Fatal(err)
	}
	wait := func(size int64) []byte {
		t.Helper()
		for range 400 {
			ans, err := c.SendCheckpoint(ctx, l)
			if err != nil {
				t.Fatal(err)
			}
			if ans.CosignedSize == size {
				return []byte(ans.Cosigned)
			}
			time.Sleep(25 * time.Millisecond)
		}
		t.Fatalf("no checkpoint of size %d cosigned", size)
		return nil
	}
	cos := wait(3)
	got, err := witness.VerifyCosigned(cos, policy)
	if err != nil || len(got) != 2 {
		t.Fatalf("cosigned by %v: %v", got, err)
	}
	if n, _, _, _ := l.Cosigned(ctx); n != 3 {
		t.Fatalf("the device keeps a cosigned checkpoint of %d", n)
	}
	hooked = append(hooked, <-hookc)
	// The case's bundle holds the cosigned note, and still verifies.
	files, err := bundle.WitnessFiles(ctx, l, "C1")
	if err != nil || !bytes.Equal(files[bundle.WitnessCheckpoint], cos) {
		t.Fatalf("witness files: %q, %v", files[bundle.WitnessCheckpoint], err)
	}
	var zipped bytes.Buffer
	if err := l.Export(ctx, "C1", &zipped, files); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ledger.VerifyBundle(bytes.NewReader(zipped.Bytes()), int64(zipped.Len()), l.Verifier); err != nil {
		t.Fatalf("a bundle with witness files: %v", err)
	}
	zr, err := zip.NewReader(bytes.NewReader(zipped.Bytes()), int64(zipped.Len()))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range zr.File {
		found = found || f.Name == bundle.WitnessCheckpoint
	}
	if !found {
		t.Fatal("the bundle lacks witness/checkpoint")
	}
	// Every bit of each cosignature line flipped fails the check.
	body, _ := witness.Body(cos)
	sigs := bytes.SplitAfter(cos[len(body)+1:], []byte("\n"))
	start := len(body) + 1 + len(sigs[0]) // after the device's line
	for i := start; i < len(cos)-1; i++ {
		for bit := range 8 {
			bad := bytes.Clone(cos)
			bad[i] ^= 1 << bit
			if _, err := witness.VerifyCosigned(bad, policy); err == nil {
				t.Fatalf("byte %d bit %d flipped: still verifies", i, bit)
			}
		}
	}
	// One witness down: sync goes on, cosigning waits (quorum 2).
	stopB()
	appendN(t, l, 2, "later")
	if _, err := c.Push(ctx, l); err != nil {
		t.Fatalf("push with a witness down: %v", err)
	}
	if err := s.WitnessRound(ctx); err == nil {
		t.Fatal("a round with a witness down reported no failure")
	}
	if ans, err := c.SendCheckpoint(ctx, l); err != nil || ans.CosignedSize != 3 {
		t.Fatalf("with quorum 2 and one witness down: cosigned %d (%v), want still 3", ans.CosignedSize, err)
	}
	// With quorum 1 the same outage does not hold cosigning back.
	one := policy
	one.Quorum = 1
	s1, h1 := servertest.Backends(t)[0].Serve(t, server.Options{AdminToken: admin, Witnesses: &one, WitnessRetry: 50 * time.Millisecond})
	l1 := deviceLog(t, "witnessed-2", 2)
	c1 := client.New(enrol(t, s1, h1, l1))
	if _, err := c1.Push(ctx, l1); err != nil {
		t.Fatal(err)
	}
	var cos1 []byte
	for range 400 {
		ans, err := c1.SendCheckpoint(ctx, l1)
		if err != nil {
			t.Fatal(err)
		}
		if ans.CosignedSize == 2 {
			cos1 = []byte(ans.Cosigned)
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	if got, err := witness.VerifyCosigned(cos1, one); err != nil || len(got) != 1 || got[0] != "procuratorate.test" {
		t.Fatalf("quorum 1 with a witness down: cosigned by %v (%v)", got, err)
	}
	if _, err := witness.VerifyCosigned(cos1, policy); !errors.Is(err, witness.ErrQuorum) {
		t.Fatalf("one cosignature against quorum 2: %v", err)
	}
	// Back on its address, it catches up from its own state.
	witnessProcess(t, bin, dirB, "legal-office.test", strings.TrimPrefix(uB, "http://"))
	cos = wait(5)
	if got, err := witness.VerifyCosigned(cos, policy); err != nil || len(got) != 2 {
		t.Fatalf("after catching up: %v %v", got, err)
	}
	hooked = append(hooked, <-hookc)
	// A checkpoint alone, its records not pushed: witnessed on the
	// device's own consistency proof, relayed.
	if _, err := c.SendCheckpoint(ctx, l); err != nil { // keeps the note of 5
		t.Fatal(err)
	}
	appendN(t, l, 1, "unpushed")
	if got := wait(6); got == nil {
		t.Fatal("no cosigned checkpoint of 6")
	}
	if held, err := s.LogRecords(ctx, c.Identity().DeviceID); err != nil || len(held) != 5 {
		t.Fatalf("the platform holds %d records (%v): the checkpoint was to go alone", len(held), err)
	}
	hooked = append(hooked, <-hookc)
	if hooked[0] != 3 || hooked[1] != 5 || hooked[2] != 6 {
		t.Fatalf("OnCosigned saw sizes %v", hooked)
	}
}
