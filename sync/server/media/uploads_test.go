package media_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"golang.org/x/mod/sumdb/note"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/media"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// platform is one real platform on b, served on loopback, with where its
// evidence lives (a folder or an s3+http:// bucket URL).
type platform struct {
	s     *server.Server
	h     *httptest.Server
	db    string
	media string
}

func open(t *testing.T, b servertest.Backend, l media.Limits) *platform {
	t.Helper()
	db, where := b.Where(t)
	return openAt(t, db, where, l)
}

func openAt(t *testing.T, db, where string, l media.Limits) *platform {
	t.Helper()
	s, err := server.Open(context.Background(), db, server.Options{Media: where, Uploads: l, KeyFile: servertest.KeyFile(db)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	h := httptest.NewServer(servertest.ASCIIHeaders(t, s.Handler()))
	t.Cleanup(h.Close)
	return &platform{s: s, h: h, db: db, media: where}
}

// enrol enrols an officer's device over HTTP, as a device does, and
// returns its token and ID.
func (p *platform) enrol(t *testing.T, name string) (token, id string) {
	t.Helper()
	code, err := p.s.NewEnrolCode(context.Background(), api.DeviceOfficer)
	if err != nil {
		t.Fatal(err)
	}
	_, verifier, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(api.EnrolRequest{Code: code, Name: name, Kind: api.DeviceOfficer, Verifier: verifier})
	resp, err := http.Post(p.h.URL+api.PathEnrol, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out api.EnrolResponse
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("enrol %s: %d %s", name, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Token, out.DeviceID
}

// answer is an HTTP answer read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) code() string {
	var p api.Problem
	json.Unmarshal(a.body, &p)
	return p.Code
}

func (a answer) String() string { return fmt.Sprintf("%d %s", a.status, bytes.TrimSpace(a.body)) }

// tus makes one tus request with the device's token.
func (p *platform) tus(t *testing.T, token, method, path string, hdr map[string]string, body []byte) answer {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, p.h.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Tus-Resumable", "1.0.0")
	if body != nil {
		req.Header.Set("Content-Type", "application/offset+octet-stream")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, b}
}

// create begins an upload of data; it answers the upload's path, or the
// refusal.
func (p *platform) create(t *testing.T, token string, data []byte, size int64) (string, answer) {
	t.Helper()
	sum := sha256.Sum256(data)
	a := p.tus(t, token, http.MethodPost, api.PathMedia, map[string]string{
		"Upload-Length":   strconv.FormatInt(size, 10),
		"Upload-Metadata": "sha256 " + base64.StdEncoding.EncodeToString([]byte(hex.EncodeToString(sum[:]))),
	}, nil)
	if a.status != http.StatusCreated {
		return "", a
	}
	u, err := url.Parse(a.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u.Path, a
}

func (p *platform) patch(t *testing.T, token, loc string, offset int64, b []byte) answer {
	t.Helper()
	return p.tus(t, token, http.MethodPatch, loc, map[string]string{"Upload-Offset": strconv.FormatInt(offset, 10)}, b)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func (p *platform) held(t *testing.T, data []byte) []byte {
	t.Helper()
	sum := sha256.Sum256(data)
	rc, err := p.s.OpenMedia(context.Background(), hex.EncodeToString(sum[:]))
	if err != nil {
		t.Fatalf("the platform does not hold the file: %v", err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// unfinished lists what the store holds for uploads in progress: the
// files in incoming/, or the objects under uploads/ and staging/.
func (p *platform) unfinished(t *testing.T) []string {
	t.Helper()
	var out []string
	if !strings.HasPrefix(p.media, "s3") {
		entries, err := os.ReadDir(filepath.Join(p.media, "incoming"))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	c, bucket := s3Client(t, p.media)
	for _, prefix := range []string{"uploads/", "staging/"} {
		for o := range c.ListObjects(context.Background(), bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
			if o.Err != nil {
				t.Fatal(o.Err)
			}
			out = append(out, o.Key)
		}
		for o := range c.ListIncompleteUploads(context.Background(), bucket, prefix, true) {
			if o.Err != nil {
				t.Fatal(o.Err)
			}
			out = append(out, "multipart "+o.Key)
		}
	}
	sort.Strings(out)
	return out
}

func s3Client(t *testing.T, where string) (*minio.Client, string) {
	t.Helper()
	u, err := url.Parse(where)
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := u.User.Password()
	c, err := minio.New(u.Host, &minio.Options{Creds: credentials.NewStaticV4(u.User.Username(), secret, ""), Secure: u.Scheme == "s3"})
	if err != nil {
		t.Fatal(err)
	}
	return c, strings.Trim(u.Path, "/")
}

func alertsOf(t *testing.T, s *server.Server, kind, device string) int {
	t.Helper()
	all, err := s.AlertList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range all {
		if a.Kind == kind && a.Device == device {
			n++
		}
	}
	return n
}

// TestUploadBelongsToItsDevice: device B, enrolled on the same platform,
// reaches for device A's upload half way through. HEAD, PATCH, DELETE and
// GET are each refused with not_your_upload and raised as an alert; A's
// upload then completes intact, and A itself cannot download it either.
func TestUploadBelongsToItsDevice(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		p := open(t, b, media.Limits{})
		tokA, _ := p.enrol(t, "laptop-a")
		tokB, idB := p.enrol(t, "laptop-b")
		data := randomBytes(3<<20 + 777)
		half := int64(len(data) / 2)
		loc, a := p.create(t, tokA, data, int64(len(data)))
		if loc == "" {
			t.Fatalf("create: %v", a)
		}
		if a := p.patch(t, tokA, loc, 0, data[:half]); a.status != http.StatusNoContent {
			t.Fatalf("A's first half: %v", a)
		}
		for _, try := range []struct {
			method string
			hdr    map[string]string
			body   []byte
		}{
			{http.MethodHead, nil, nil},
			{http.MethodPatch, map[string]string{"Upload-Offset": strconv.FormatInt(half, 10)}, []byte("forged bytes from device B")},
			{http.MethodDelete, nil, nil},
			{http.MethodGet, nil, nil},
		} {
			a := p.tus(t, tokB, try.method, loc, try.hdr, try.body)
			if a.status != http.StatusForbidden || (try.method != http.MethodHead && a.code() != "not_your_upload") {
				t.Errorf("B's %s on A's upload: %v; want 403 not_your_upload", try.method, a)
			}
		}
		if n := alertsOf(t, p.s, "not_your_upload", idB); n != 4 {
			t.Errorf("%d not_your_upload alerts for device B, want 4", n)
		}
		// A's upload is where A left it.
		head := p.tus(t, tokA, http.MethodHead, loc, nil, nil)
		if head.status != http.StatusOK || head.header.Get("Upload-Offset") != strconv.FormatInt(half, 10) {
			t.Fatalf("A's HEAD after B's tries: %v offset %q, want %d", head, head.header.Get("Upload-Offset"), half)
		}
		// Downloads are off, for the owner too.
		if a := p.tus(t, tokA, http.MethodGet, loc, nil, nil); a.status != http.StatusMethodNotAllowed || a.code() != "no_downloads" {
			t.Errorf("A's GET on its own upload: %v; want 405 no_downloads", a)
		}
		fin := p.patch(t, tokA, loc, half, data[half:])
		if fin.status != http.StatusNoContent || fin.header.Get("Sanxiang-Receipt") == "" {
			t.Fatalf("A's second half: %v", fin)
		}
		if got := p.held(t, data); !bytes.Equal(got, data) {
			t.Fatal("the platform's copy of A's file differs")
		}
	})
}

// TestUploadLimitsRefusedBeforeBytes: a file over the administrators'
// maximum, and an upload past the device's quota of unfinished uploads,
// are each refused with their own code, even with the bytes in the same
// request (creation-with-upload), and nothing is written; the quota is
// one device's (another still uploads) and frees when an upload finishes.
func TestUploadLimitsRefusedBeforeBytes(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		const MiB = 1 << 20
		p := open(t, b, media.Limits{MaxUpload: 2 * MiB, DeviceQuota: 3 * MiB})
		tokA, _ := p.enrol(t, "laptop-a")
		tokC, _ := p.enrol(t, "laptop-c")
		big := randomBytes(2*MiB + 1)
		sum := sha256.Sum256(big)
		meta := "sha256 " + base64.StdEncoding.EncodeToString([]byte(hex.EncodeToString(sum[:])))
		a := p.tus(t, tokA, http.MethodPost, api.PathMedia, map[string]string{"Upload-Length": strconv.Itoa(len(big)), "Upload-Metadata": meta}, big)
		if a.status != http.StatusRequestEntityTooLarge || a.code() != "upload_too_large" {
			t.Fatalf("an upload over the maximum: %v; want 413 upload_too_large", a)
		}
		if left := p.unfinished(t); len(left) != 0 {
			t.Fatalf("a refused upload left %v", left)
		}
		// Two of 1.5 MiB fit the quota of 3 MiB; a third does not.
		first, second, third := randomBytes(1.5*MiB), randomBytes(1.5*MiB), randomBytes(MiB)
		loc1, a := p.create(t, tokA, first, int64(len(first)))
		if loc1 == "" {
			t.Fatalf("first upload: %v", a)
		}
		if loc, a := p.create(t, tokA, second, int64(len(second))); loc == "" {
			t.Fatalf("second upload: %v", a)
		}
		before := p.unfinished(t)
		sum = sha256.Sum256(third)
		meta = "sha256 " + base64.StdEncoding.EncodeToString([]byte(hex.EncodeToString(sum[:])))
		a = p.tus(t, tokA, http.MethodPost, api.PathMedia, map[string]string{"Upload-Length": strconv.Itoa(len(third)), "Upload-Metadata": meta}, third)
		if a.status != http.StatusRequestEntityTooLarge || a.code() != "device_quota" {
			t.Fatalf("an upload past the quota: %v; want 413 device_quota", a)
		}
		if after := p.unfinished(t); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("a refused upload wrote something: before %v, after %v", before, after)
		}
		// Another device has a quota of its own.
		if loc, a := p.create(t, tokC, third, int64(len(third))); loc == "" {
			t.Fatalf("device C's upload: %v", a)
		}
		// A finished upload no longer counts.
		if a := p.patch(t, tokA, loc1, 0, first); a.status != http.StatusNoContent || a.header.Get("Sanxiang-Receipt") == "" {
			t.Fatalf("finishing the first upload: %v", a)
		}
		if loc, a := p.create(t, tokA, third, int64(len(third))); loc == "" {
			t.Fatalf("an upload after one finished: %v", a)
		}
	})
}

// clock is a test's clock, moved by hand.
type clock struct{ off atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *clock) advance(d time.Duration) { c.off.Add(int64(d)) }

// TestUnfinishedUploadsExpire: an upload left half way is kept for the
// expiry (24 h) and then removed with its bytes (the file and what tusd
// keeps beside it; in S3 its parts and info), and so is a leftover the
// store holds that no reservation names; the device may then begin again
// within its quota, and the expired upload is gone for it.
func TestUnfinishedUploadsExpire(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		const MiB = 1 << 20
		var c clock
		p := open(t, b, media.Limits{DeviceQuota: 4 * MiB, Now: c.now})
		tok, _ := p.enrol(t, "laptop")
		data := randomBytes(4 * MiB)
		loc, a := p.create(t, tok, data, int64(len(data)))
		if loc == "" {
			t.Fatalf("create: %v", a)
		}
		if a := p.patch(t, tok, loc, 0, data[:MiB+3]); a.status != http.StatusNoContent {
			t.Fatalf("patch: %v", a)
		}
		// A leftover no reservation names: an upload's info and bytes.
		orphan := strings.Repeat("ab", 16)
		if strings.HasPrefix(p.media, "s3") {
			cl, bucket := s3Client(t, p.media)
			for _, key := range []string{"uploads/" + orphan + ".info", "uploads/" + orphan + "/00000000000000000000"} {
				if _, err := cl.PutObject(ctx, bucket, key, bytes.NewReader([]byte("{}")), 2, minio.PutObjectOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			// A staging copy cut short: a multipart upload with a part,
			// which no listing of objects shows.
			core := minio.Core{Client: cl}
			mp, err := core.NewMultipartUpload(ctx, bucket, "staging/"+orphan, minio.PutObjectOptions{})
			if err != nil {
				t.Fatal(err)
			}
			part := randomBytes(MiB)
			if _, err := core.PutObjectPart(ctx, bucket, "staging/"+orphan, mp, 1, bytes.NewReader(part), int64(len(part)), minio.PutObjectPartOptions{}); err != nil {
				t.Fatal(err)
			}
		} else {
			for _, name := range []string{orphan, orphan + ".info"} {
				if err := os.WriteFile(filepath.Join(p.media, "incoming", name), []byte("{}"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
		}
		if left := p.unfinished(t); len(left) < 3 {
			t.Fatalf("the store holds %v before the expiry", left)
		}
		c.advance(23 * time.Hour)
		if n, err := p.s.ExpireUploads(ctx); err != nil || n != 0 {
			t.Fatalf("after 23 h: %d expired, %v; want none", n, err)
		}
		if head := p.tus(t, tok, http.MethodHead, loc, nil, nil); head.status != http.StatusOK {
			t.Fatalf("after 23 h the upload is %v", head)
		}
		c.advance(time.Hour + time.Minute)
		n, err := p.s.ExpireUploads(ctx)
		if err != nil || n != 2 {
			t.Fatalf("after 24 h: %d expired, %v; want the upload and the leftover", n, err)
		}
		if left := p.unfinished(t); len(left) != 0 {
			t.Fatalf("expired uploads left %v", left)
		}
		if head := p.tus(t, tok, http.MethodHead, loc, nil, nil); head.status != http.StatusNotFound {
			t.Fatalf("an expired upload answers %v; want 404", head)
		}
		// Its reservation went with it: the whole quota is free again.
		loc2, a := p.create(t, tok, data, int64(len(data)))
		if loc2 == "" {
			t.Fatalf("a new upload after the expiry: %v", a)
		}
		if a := p.patch(t, tok, loc2, 0, data); a.status != http.StatusNoContent || a.header.Get("Sanxiang-Receipt") == "" {
			t.Fatalf("the new upload: %v", a)
		}
	})
}

// fileState is what a file outside incoming/ looked like.
type fileState struct {
	size         int64
	sum          [32]byte
	mtime, atime time.Time
}

// snapshot records every file under the roots except incoming/ and the
// database's own files. Each file's access time is set far back after it
// is read here, so that a later read by the platform moves it (on a file
// system that keeps access times).
func snapshot(t *testing.T, roots ...string) map[string]fileState {
	t.Helper()
	old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	out := map[string]fileState{}
	for _, root := range roots {
		filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
			if err != nil {
				return nil
			}
			if info.IsDir() {
				if info.Name() == "incoming" {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.Contains(info.Name(), ".db") {
				return nil
			}
			st := info.Sys().(*syscall.Stat_t)
			atime := time.Unix(st.Atim.Sec, st.Atim.Nsec)
			b, _ := os.ReadFile(path)
			if _, seen := out[path]; !seen && !atime.Equal(old) {
				os.Chtimes(path, old, info.ModTime())
				atime = old
			}
			out[path] = fileState{size: info.Size(), sum: sha256.Sum256(b), mtime: info.ModTime(), atime: atime}
			return nil
		})
	}
	return out
}

// statNow is the state of the files snapshot saw, read without reading
// their content first (that would move their access times).
func statNow(t *testing.T, before map[string]fileState) map[string]fileState {
	out := map[string]fileState{}
	for path := range before {
		info, err := os.Stat(path)
		if err != nil {
			continue
		}
		st := info.Sys().(*syscall.Stat_t)
		atime := time.Unix(st.Atim.Sec, st.Atim.Nsec)
		b, _ := os.ReadFile(path)
		out[path] = fileState{size: info.Size(), sum: sha256.Sum256(b), mtime: info.ModTime(), atime: atime}
	}
	return out
}

// raw sends one request line as an attacker types it, past any client's
// cleaning, and reads the answer.
func raw(t *testing.T, h *httptest.Server, token, method, target string, body []byte) answer {
	t.Helper()
	conn, err := net.Dial("tcp", h.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"+
		"Content-Type: application/offset+octet-stream\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		method, target, h.Listener.Addr(), token, len(body), body)
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, b}
}

// TestUploadIDTraversalRefused sends upload IDs that climb out of
// incoming/ (encoded, double-encoded, with backslashes, absolute paths)
// with every tus method, straight over TCP. Each is refused, no answer
// shows a decoy's length or offset, and no file outside incoming/ (nor,
// in S3, any object outside uploads/) is changed or read.
func TestUploadIDTraversalRefused(t *testing.T) {
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		ctx := context.Background()
		p := open(t, b, media.Limits{})
		tok, _ := p.enrol(t, "laptop")
		// Decoys, each with a tus info that claims 31337 bytes, one level
		// and two levels above incoming/, and at an absolute path.
		abs := t.TempDir()
		info := []byte(`{"ID":"decoy","Size":31337,"Offset":0,"MetaData":{},"Storage":{"Type":"filestore","Path":"decoy"}}`)
		var roots []string
		if !strings.HasPrefix(p.media, "s3") {
			roots = []string{filepath.Dir(p.media), abs}
		} else {
			roots = []string{abs}
		}
		for _, dir := range append([]string{p.media, filepath.Dir(p.media)}, abs) {
			if strings.HasPrefix(dir, "s3") || dir == "." {
				continue
			}
			os.MkdirAll(dir, 0o700)
			os.WriteFile(filepath.Join(dir, "decoy"), bytes.Repeat([]byte("D"), 4321), 0o600)
			os.WriteFile(filepath.Join(dir, "decoy.info"), info, 0o600)
		}
		var objects func() map[string]string
		if strings.HasPrefix(p.media, "s3") {
			cl, bucket := s3Client(t, p.media)
			// The platform makes the bucket when it opens.
			for _, key := range []string{"decoy", "decoy.info", "media/decoy", "media/decoy.info", "uploads/../decoy.info"} {
				if _, err := cl.PutObject(ctx, bucket, key, bytes.NewReader(info), int64(len(info)), minio.PutObjectOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			objects = func() map[string]string {
				out := map[string]string{}
				for o := range cl.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
					if o.Err != nil {
						t.Fatal(o.Err)
					}
					if !strings.HasPrefix(o.Key, "uploads/") && !strings.HasPrefix(o.Key, "staging/") {
						out[o.Key] = fmt.Sprintf("%s %d %s", o.ETag, o.Size, o.LastModified)
					}
				}
				return out
			}
		}
		before := snapshot(t, roots...)
		var objBefore map[string]string
		if objects != nil {
			objBefore = objects()
		}
		absDecoy := filepath.Join(abs, "decoy")
		ids := []string{
			"..%2F..%2Fdecoy",
			"..%2Fdecoy",
			"..%252F..%252Fdecoy",
			"%2E%2E%2F%2E%2E%2Fdecoy",
			"%252E%252E%252F%252E%252E%252Fdecoy",
			"..%5C..%5Cdecoy",
			`..\..\decoy`,
			"..%255C..%255Cdecoy",
			url.PathEscape(absDecoy),
			strings.ReplaceAll(url.PathEscape(absDecoy), "%", "%25"),
			"%2F" + strings.TrimPrefix(url.PathEscape(absDecoy), "%2F"),
			"../../decoy",
			"..",
			"decoy",
			// The platform's own form, with a climb hidden inside.
			strings.Repeat("a", 30) + "%2F..%2Fdecoy",
			strings.Repeat("a", 32) + "%00",
		}
		for _, id := range ids {
			for _, method := range []string{http.MethodHead, http.MethodPatch, http.MethodDelete, http.MethodGet} {
				target := api.PathMedia + id
				a := raw(t, p.h, tok, method, target, []byte("EVIL"))
				if a.status < 300 || a.status >= 500 {
					t.Errorf("%s %s: %v; want a refusal", method, target, a)
				}
				for _, h := range []string{"Upload-Length", "Upload-Offset"} {
					if v := a.header.Get(h); v == "31337" || v == "4321" || v == "0" && a.status < 300 {
						t.Errorf("%s %s answered %s: %s, a decoy's", method, target, h, v)
					}
				}
			}
		}
		after := statNow(t, before)
		for path, was := range before {
			now, ok := after[path]
			switch {
			case !ok:
				t.Errorf("%s is gone", path)
			case now.size != was.size || now.sum != was.sum || !now.mtime.Equal(was.mtime):
				t.Errorf("%s was written", path)
			case !now.atime.Equal(was.atime):
				t.Errorf("%s was read", path)
			}
		}
		if objects != nil {
			if objAfter := objects(); fmt.Sprint(objAfter) != fmt.Sprint(objBefore) {
				t.Errorf("objects outside uploads/ changed:\nbefore %v\nafter  %v", objBefore, objAfter)
			}
		}
	})
}

// TestUploadLockedAcrossInstances: two platform instances on one
// PostgreSQL database and one S3 bucket. While a PATCH to an upload is
// being written at the first, a PATCH to the same upload at the second is
// refused 423 Locked; the first completes, the upload finishes at the
// second, and the file is intact.
func TestUploadLockedAcrossInstances(t *testing.T) {
	pg, s3 := os.Getenv("SANXIANG_TEST_POSTGRES"), os.Getenv("SANXIANG_TEST_S3")
	if pg == "" || s3 == "" {
		if os.Getenv("SANXIANG_TEST_REQUIRE_ALL") == "1" {
			t.Fatal("SANXIANG_TEST_REQUIRE_ALL=1 but SANXIANG_TEST_POSTGRES or SANXIANG_TEST_S3 is not set")
		}
		t.Skip("needs SANXIANG_TEST_POSTGRES and SANXIANG_TEST_S3 (two instances share them)")
	}
	ctx := context.Background()
	db, bucket := servertest.Schema(t, pg), servertest.Bucket(t, s3)
	one := openAt(t, db, bucket, media.Limits{})
	two := openAt(t, db, bucket, media.Limits{LockWait: 2 * time.Second})
	tok, _ := one.enrol(t, "laptop")
	const MiB = 1 << 20
	data := randomBytes(6 * MiB)
	loc, a := one.create(t, tok, data, int64(len(data)))
	if loc == "" {
		t.Fatalf("create: %v", a)
	}
	// The first instance's PATCH: 4 MiB announced, 1 MiB sent, the rest
	// held back by the test.
	pr, pw := io.Pipe()
	req, _ := http.NewRequest(http.MethodPatch, one.h.URL+loc, pr)
	req.ContentLength = 4 * MiB
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Offset", "0")
	req.Header.Set("Content-Type", "application/offset+octet-stream")
	done := make(chan answer, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- answer{status: -1, body: []byte(err.Error())}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- answer{resp.StatusCode, resp.Header, b}
	}()
	defer pw.CloseWithError(io.ErrUnexpectedEOF) // a failed test does not leave the request waiting
	if _, err := pw.Write(data[:MiB]); err != nil {
		t.Fatal(err)
	}
	// Wait until the first instance holds the upload's advisory lock.
	watcher, err := sql.Open("pgx", pg)
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close()
	id := strings.TrimPrefix(loc, api.PathMedia)
	for held := false; !held; {
		var free bool
		conn, err := watcher.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, media.LockKey(id)).Scan(&free); err != nil {
			t.Fatal(err)
		}
		if free {
			conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, media.LockKey(id))
			time.Sleep(20 * time.Millisecond)
		}
		conn.Close()
		held = !free
	}
	// The second instance is refused while the first writes.
	if a := two.patch(t, tok, loc, 0, data[:2*MiB]); a.status != http.StatusLocked {
		t.Fatalf("a PATCH at the second instance while the first writes: %v; want 423", a)
	} else if a.code() != "upload_locked" {
		t.Errorf("423 with code %q, want upload_locked", a.code())
	}
	if _, err := pw.Write(data[MiB : 4*MiB]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if a := <-done; a.status != http.StatusNoContent || a.header.Get("Upload-Offset") != strconv.Itoa(4*MiB) {
		t.Fatalf("the first instance's PATCH: %v offset %q", a, a.header.Get("Upload-Offset"))
	}
	head := two.tus(t, tok, http.MethodHead, loc, nil, nil)
	if head.header.Get("Upload-Offset") != strconv.Itoa(4*MiB) {
		t.Fatalf("offset at the second instance: %v %q", head, head.header.Get("Upload-Offset"))
	}
	if a := two.patch(t, tok, loc, 4*MiB, data[4*MiB:]); a.status != http.StatusNoContent || a.header.Get("Sanxiang-Receipt") == "" {
		t.Fatalf("finishing at the second instance: %v", a)
	}
	if got := two.held(t, data); !bytes.Equal(got, data) {
		t.Fatal("the file differs after two instances wrote it")
	}
}
