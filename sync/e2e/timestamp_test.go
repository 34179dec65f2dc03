package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/timestamp"
	"github.com/sanxiang-desk/sanxiang/internal/tsatest"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
	"github.com/sanxiang-desk/sanxiang/sync/server/stamps"
)

// stampPlatform serves a platform that has its receipts time-stamped by
// the loopback authority tsa and checks the tokens against roots. Its
// retry is an hour: the test asks again itself (Flush), counted by
// attempts, never by time.
func stampPlatform(t *testing.T, b servertest.Backend, tsa *tsatest.TSA, roots *tsatest.CA) (*server.Server, *httptest.Server) {
	t.Helper()
	return b.Serve(t, server.Options{AdminToken: admin, Timestamps: stamps.Config{URL: tsa.URL, Roots: roots.Roots(),
		Intermediates: roots.Intermediates(), Retry: time.Hour}})
}

// TestPlatformStampsReceipts: the real platform on loopback with a real
// time-stamping authority. A device pushes; the receipt is stamped; the
// token reaches the device, verifies against the authority's CA over the
// receipt the device kept, and its case bundle carries it (and still
// verifies). With the authority down a push still succeeds, and its stamp
// arrives once the authority is back.
func TestPlatformStampsReceipts(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		tsa := tsatest.Start(t)
		s, h := stampPlatform(t, b, tsa, tsa.CA)
		l := deviceLog(t, "sanxiang.test/stamp-1", 3)
		c := client.New(enrol(t, s, h, l))

		// The stamp is asked for in the background: it comes with this
		// push if the authority was quick, or with the next one.
		first, err := c.Push(ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		flush(t, s, 0)
		res, err := c.Push(ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		if n := first.Timestamps + res.Timestamps; n != 1 {
			t.Fatalf("the device kept %d tokens, want the receipt's one", n)
		}
		kept := stampsOf(t, l)
		checkStamp(t, l, s.PlatformKey(), kept[0], 3, tsa.CA)
		checkBundle(t, l, "C1", kept)

		// The authority goes down: pushes go on, their stamps are owed.
		tsa.Stop()
		casefiletest.Notes(t, l, 2, "while down")
		start := time.Now()
		if res, err := c.Push(ctx, l); err != nil || res.Pushed != 2 || res.Timestamps != 0 {
			t.Fatalf("push with the authority down: %+v, %v", res, err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("the push waited %s on the authority", d)
		}
		if _, err := s.Stamps().Flush(ctx); err == nil {
			t.Fatal("asking a stopped authority succeeded")
		}
		if n, err := s.Stamps().Owed(ctx); err != nil || n != 1 {
			t.Fatalf("owed %d, %v; want the new receipt's stamp", n, err)
		}
		if res, err := c.Push(ctx, l); err != nil || res.Timestamps != 0 {
			t.Fatalf("with the authority down: %+v, %v", res, err)
		}
		// Back up: the owed stamp is asked for again and reaches the device.
		tsa.Restart(t)
		flush(t, s, 0)
		if res, err = c.Push(ctx, l); err != nil || res.Timestamps != 1 {
			t.Fatalf("after the authority came back: %+v, %v", res, err)
		}
		kept = stampsOf(t, l)
		if len(kept) != 2 {
			t.Fatalf("%d tokens kept, want 2", len(kept))
		}
		checkStamp(t, l, s.PlatformKey(), kept[1], 5, tsa.CA)
		checkBundle(t, l, "C1", kept)
	})
}

// TestPlatformRefusesUntrustedTimestamp: an authority whose tokens do not
// chain to the configured roots (garbage, as far as the platform can
// tell) gets nothing kept: an alert with its own kind is raised, the
// stamp stays owed, and the device is given no token.
func TestPlatformRefusesUntrustedTimestamp(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		tsa := tsatest.Start(t)
		other, err := tsatest.NewCA()
		if err != nil {
			t.Fatal(err)
		}
		s, h := stampPlatform(t, b, tsa, other)
		l := deviceLog(t, "sanxiang.test/stamp-2", 2)
		c := client.New(enrol(t, s, h, l))
		if _, err := c.Push(ctx, l); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Stamps().Flush(ctx); !errors.Is(err, stamps.ErrInvalid) {
			t.Fatalf("Flush = %v, want ErrInvalid", err)
		}
		if n, err := s.Stamps().Owed(ctx); err != nil || n != 1 {
			t.Fatalf("owed %d, %v", n, err)
		}
		found := false
		for _, a := range allAlerts(t, h) {
			if a.Kind == stamps.AlertInvalid && strings.Contains(a.Detail, "时间戳") {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s alert", stamps.AlertInvalid)
		}
		if res, err := c.Push(ctx, l); err != nil || res.Timestamps != 0 {
			t.Fatalf("push: %+v, %v; want no token", res, err)
		}
	})
}

// TestTimestampsRouteIsTheDevicesOwn: a device reads its own tokens only
// (a second device gets none of the first's), without a token the route
// is refused, and a bad since is its own error.
func TestTimestampsRouteIsTheDevicesOwn(t *testing.T) {
	b := servertest.Backends(t)[0]
	ctx := context.Background()
	tsa := tsatest.Start(t)
	s, h := stampPlatform(t, b, tsa, tsa.CA)
	l1 := deviceLog(t, "sanxiang.test/stamp-3", 2)
	id1 := enrol(t, s, h, l1)
	if _, err := client.New(id1).Push(ctx, l1); err != nil {
		t.Fatal(err)
	}
	flush(t, s, 0)
	l2 := deviceLog(t, "sanxiang.test/stamp-4", 1)
	id2 := enrol(t, s, h, l2)
	get := func(token, query string) (int, api.TimestampsResponse, api.Problem) {
		req, _ := http.NewRequest(http.MethodGet, h.URL+api.PathTimestamps+query, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var ok api.TimestampsResponse
		var p api.Problem
		if resp.StatusCode == http.StatusOK {
			if err := json.Unmarshal(body, &ok); err != nil {
				t.Fatal(err)
			}
		} else {
			_ = json.Unmarshal(body, &p)
		}
		return resp.StatusCode, ok, p
	}
	if code, r, _ := get(id1.Token, ""); code != 200 || len(r.Timestamps) != 1 {
		t.Fatalf("the device's own: %d %+v", code, r)
	}
	if code, r, _ := get(id2.Token, ""); code != 200 || r.Timestamps == nil || len(r.Timestamps) != 0 {
		t.Fatalf("a second device read %d %+v; want [] of its own", code, r)
	}
	if code, _, p := get("", ""); code != 401 || p.Code != "unauthorized" {
		t.Fatalf("no token: %d %s", code, p.Code)
	}
	if code, _, p := get(id1.Token, "?since=-1"); code != 400 || p.Code != "bad_param" {
		t.Fatalf("since=-1: %d %s", code, p.Code)
	}
}

// flush asks the authority for what is owed and wants nothing left.
func flush(t *testing.T, s *server.Server, want int) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.Stamps().Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Stamps().Owed(ctx); err != nil || n != want {
		t.Fatalf("owed %d, %v; want %d", n, err, want)
	}
}

func stampsOf(t *testing.T, l *casefile.Log) []ledger.Timestamp {
	t.Helper()
	kept, err := l.Timestamps(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return kept
}

// checkStamp: the token is over the receipt the device kept for size,
// and verifies against the authority's root.
func checkStamp(t *testing.T, l *casefile.Log, platformKey string, ts ledger.Timestamp, size int64, ca *tsatest.CA) {
	t.Helper()
	if ts.Size != size || !strings.HasPrefix(string(ts.Data), l.Origin()+"\n") {
		t.Fatalf("token of size %d over %q; want the receipt of %d", ts.Size, ts.Data, size)
	}
	st, err := timestamp.Verify(ts.Token, ts.Data, ca.Roots(), ca.Intermediates())
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(st.Time); d < -time.Minute || d > time.Minute {
		t.Errorf("stamped at %s", st.Time)
	}
	rc, err := ledger.ParseReceipt(string(ts.Data), platformKey)
	if err != nil || rc.Size != size {
		t.Errorf("the bytes stamped are not the platform's receipt of size %d: %+v, %v", size, rc, err)
	}
}

// checkBundle: the case's bundle carries every token with the bytes it
// stamps, each verifying, and the bundle itself still verifies.
func checkBundle(t *testing.T, l *casefile.Log, caseID string, kept []ledger.Timestamp) {
	t.Helper()
	var buf bytes.Buffer
	if err := l.Export(context.Background(), caseID, &buf, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ledger.VerifyBundle(bytes.NewReader(buf.Bytes()), int64(buf.Len()), l.Verifier); err != nil {
		t.Fatalf("the bundle with its tokens: %v", err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], _ = io.ReadAll(r)
		r.Close()
	}
	for _, ts := range kept {
		tok, data := files[ts.Name()+".tsr"], files[ts.Name()+".txt"]
		if !bytes.Equal(tok, ts.Token) || !bytes.Equal(data, ts.Data) {
			t.Fatalf("the bundle lacks %s.tsr/.txt", ts.Name())
		}
		if _, err := timestamp.Inspect(tok, data); err != nil {
			t.Fatalf("%s: %v", ts.Name(), err)
		}
	}
}

// allAlerts is every platform alert, as an administrator lists them.
func allAlerts(t *testing.T, h *httptest.Server) []server.Alert {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.URL+api.PathAlerts, nil)
	req.Header.Set("Authorization", "Bearer "+admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var all []server.Alert
	if err := json.NewDecoder(resp.Body).Decode(&all); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("alerts: %d %v", resp.StatusCode, err)
	}
	return all
}

// TestDeviceRefusesAlteredTimestamp: between the platform and the device,
// a token with a byte changed is refused as no token (its own error), and
// a genuine token over another log's receipt as not this log's
// (ledger.ErrTimestampOther); neither is kept, the push itself succeeds,
// and the genuine token is kept once it arrives unaltered.
func TestDeviceRefusesAlteredTimestamp(t *testing.T) {
	b := servertest.Backends(t)[0]
	ctx := context.Background()
	tsa := tsatest.Start(t)
	s, h := stampPlatform(t, b, tsa, tsa.CA)
	other := deviceLog(t, "sanxiang.test/stamp-other", 2)
	oid := enrol(t, s, h, other)
	if _, err := client.New(oid).Push(ctx, other); err != nil {
		t.Fatal(err)
	}
	l := deviceLog(t, "sanxiang.test/stamp-5", 2)
	id := enrol(t, s, h, l)
	flush(t, s, 0)
	otherStamps, err := s.Stamps().Since(ctx, oid.DeviceID, 0, 10)
	if err != nil || len(otherStamps) != 1 {
		t.Fatalf("the other device's token: %v %v", otherStamps, err)
	}
	// What the proxy does, set by the test between requests.
	var mu sync.Mutex
	var alter func(*api.Timestamp)
	hide := true // until the push is done and stamped, the device is shown none
	set := func(h bool, a func(*api.Timestamp)) {
		mu.Lock()
		hide, alter = h, a
		mu.Unlock()
	}
	proxy := timestampForger(t, h.URL, func(tr *api.TimestampsResponse) {
		mu.Lock()
		defer mu.Unlock()
		if hide {
			tr.Timestamps = []api.Timestamp{}
		}
		for i := range tr.Timestamps {
			if alter != nil {
				alter(&tr.Timestamps[i])
			}
		}
	})
	id.Platform = proxy.URL
	c := client.New(id)
	if _, err := c.Push(ctx, l); err != nil {
		t.Fatal(err)
	}
	flush(t, s, 0)
	for _, tc := range []struct {
		name  string
		alter func(*api.Timestamp)
		want  []error
	}{
		// The token's last byte is its signature's (SignerInfo ends the
		// CMS SignedData): always caught. A byte of an embedded
		// certificate is caught only against roots (Verify; every bit in
		// app/timestamp's TestTimestampBitFlipsFail), which a device does
		// not hold: the platform checked the chain before it kept the
		// token, and an auditor's verifier checks it again.
		{"a byte of the token's signature", func(ts *api.Timestamp) { ts.Token[len(ts.Token)-1] ^= 0x01 },
			[]error{timestamp.ErrBadToken, timestamp.ErrSignature, timestamp.ErrUntrusted, timestamp.ErrImprint}},
		{"the bytes stamped", func(ts *api.Timestamp) { ts.Data = append([]byte(nil), ts.Data...); ts.Data[len(ts.Data)-2] ^= 0x01 },
			[]error{timestamp.ErrImprint}},
		{"another log's token", func(ts *api.Timestamp) { ts.Data, ts.Token = otherStamps[0].Data, otherStamps[0].Token },
			[]error{ledger.ErrTimestampOther}},
	} {
		set(false, tc.alter)
		res, err := c.Push(ctx, l)
		if err != nil {
			t.Fatalf("%s: the push failed: %v", tc.name, err)
		}
		if res.Timestamps != 0 || !slices.ContainsFunc(tc.want, func(e error) bool { return errors.Is(res.TimestampsErr, e) }) {
			t.Errorf("%s: kept %d, %v; want %v", tc.name, res.Timestamps, res.TimestampsErr, tc.want)
		}
		if kept := stampsOf(t, l); len(kept) != 0 {
			t.Fatalf("%s: %d tokens kept", tc.name, len(kept))
		}
	}
	set(false, nil)
	if res, err := c.Push(ctx, l); err != nil || res.Timestamps != 1 || res.TimestampsErr != nil {
		t.Fatalf("unaltered: %+v, %v", res, err)
	}
}

// timestampForger sits between a device and the platform and changes
// each answer of the device's time-stamp tokens with forge.
func timestampForger(t *testing.T, platform string, forge func(*api.TimestampsResponse)) *httptest.Server {
	t.Helper()
	u, err := url.Parse(platform)
	if err != nil {
		t.Fatal(err)
	}
	p := httputil.NewSingleHostReverseProxy(u)
	p.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.URL.Path != api.PathTimestamps || resp.StatusCode != http.StatusOK {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		var tr api.TimestampsResponse
		if err := json.Unmarshal(body, &tr); err != nil {
			return err
		}
		forge(&tr)
		if body, err = json.Marshal(tr); err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	h := httptest.NewServer(p)
	t.Cleanup(h.Close)
	return h
}
