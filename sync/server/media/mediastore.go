package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/tus/tusd/v2/pkg/filelocker"
	"github.com/tus/tusd/v2/pkg/filestore"
	tusd "github.com/tus/tusd/v2/pkg/handler"
	"github.com/tus/tusd/v2/pkg/memorylocker"

	"github.com/sanxiang-desk/sanxiang/sync/server/internal/wrap"
)

// mediaStore holds evidence files by content and the uploads in progress.
// The folder store suits one instance; the S3 store keeps nothing on local
// disk, so several instances behind a load balancer can share uploads.
type mediaStore interface {
	// useIn plugs the store of uploads in progress into tusd.
	useIn(c *tusd.StoreComposer)
	// keep hashes a complete upload and, if its SHA-256 is want, files it
	// by content. The upload is removed either way.
	keep(ctx context.Context, up tusd.FileInfo, want string) (size int64, err error)
	// open reads a kept file.
	open(ctx context.Context, sha string) (io.ReadCloser, error)
	// locker is the store's own lock on an upload for one instance (nil:
	// none); on PostgreSQL the platform locks across instances instead.
	locker() tusd.Locker
	// unfinished lists the uploads the store holds, each with when it
	// was last written.
	unfinished(ctx context.Context) (map[string]time.Time, error)
	// remove removes an unfinished upload and everything kept for it.
	remove(ctx context.Context, id string) error
}

// errBadID is an upload ID the platform did not make.
var errBadID = fmt.Errorf("%w: not an upload ID of this platform", tusd.ErrNotFound)

// errHashMismatch is a complete upload whose content is not what it named.
var errHashMismatch = errors.New("hash mismatch")

// openMediaStore opens a folder, or an S3 bucket named
// s3://KEY:SECRET@HOST:PORT/BUCKET (TLS) or s3+http://… (plain HTTP, for
// loopback). The key and secret may come from SANXIANG_S3_ACCESS_KEY and
// SANXIANG_S3_SECRET_KEY instead.
func openMediaStore(ctx context.Context, where string) (_ mediaStore, err error) {
	defer wrap.Err(&err, "open media store")
	if !strings.HasPrefix(where, "s3://") && !strings.HasPrefix(where, "s3+http://") {
		incoming := filepath.Join(where, "incoming")
		if err := os.MkdirAll(incoming, 0o700); err != nil {
			return nil, err
		}
		return &folderMedia{dir: where}, nil
	}
	u, err := url.Parse(where)
	if err != nil {
		return nil, fmt.Errorf("media store %q: %w", where, err)
	}
	key, secret := os.Getenv("SANXIANG_S3_ACCESS_KEY"), os.Getenv("SANXIANG_S3_SECRET_KEY")
	if u.User != nil {
		key = u.User.Username()
		secret, _ = u.User.Password()
	}
	bucket := strings.Trim(u.Path, "/")
	if bucket == "" || u.Host == "" {
		return nil, fmt.Errorf("media store %q: want s3://KEY:SECRET@HOST/BUCKET", u.Redacted())
	}
	c, err := minio.New(u.Host, &minio.Options{
		Creds:  credentials.NewStaticV4(key, secret, ""),
		Secure: u.Scheme == "s3",
	})
	if err != nil {
		return nil, err
	}
	ok, err := c.BucketExists(ctx, bucket)
	if err != nil {
		return nil, fmt.Errorf("media store %s: %w", u.Redacted(), err)
	}
	if !ok {
		if err := c.MakeBucket(ctx, bucket, minio.MakeBucketOptions{}); err != nil {
			return nil, fmt.Errorf("media store %s: %w", u.Redacted(), err)
		}
	}
	return &s3Media{c: c, bucket: bucket}, nil
}

// folderMedia files evidence under DIR/ab/abcdef…; uploads in progress
// live in DIR/incoming through tusd's filestore.
type folderMedia struct{ dir string }

func (m *folderMedia) path(sha string) string { return filepath.Join(m.dir, sha[:2], sha) }

func (m *folderMedia) useIn(c *tusd.StoreComposer) {
	hs := hashingStore{filestore.New(m.incoming())}
	c.UseCore(hs)
	c.UseTerminater(hs)
}

func (m *folderMedia) incoming() string { return filepath.Join(m.dir, "incoming") }

func (m *folderMedia) locker() tusd.Locker { return filelocker.New(m.incoming()) }

// unfinished lists incoming/ID.info, with the last write to ID (or to the
// info, if the file is gone).
func (m *folderMedia) unfinished(context.Context) (map[string]time.Time, error) {
	entries, err := os.ReadDir(m.incoming())
	if err != nil {
		return nil, fmt.Errorf("unfinished uploads: %w", err)
	}
	out := map[string]time.Time{}
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".info")
		if !ok || !validID(id) {
			continue
		}
		st, err := os.Stat(filepath.Join(m.incoming(), id))
		if err != nil {
			st, err = e.Info()
		}
		if err != nil {
			continue // removed meanwhile
		}
		out[id] = st.ModTime()
	}
	return out, nil
}

func (m *folderMedia) remove(_ context.Context, id string) error {
	if !validID(id) {
		return errBadID
	}
	var errs []error
	for _, suffix := range []string{"", ".info", ".sha256", ".stop"} {
		if err := os.Remove(filepath.Join(m.incoming(), id+suffix)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// hashingStore is tusd's filestore that also hashes each PATCH as it is
// written, keeping the SHA-256 state beside the upload (ID.sha256: the
// offset it covers, then the marshalled digest). Completing an upload then
// costs an fsync, not a second read of the whole file. If the state and the
// file ever disagree (a crash between the two writes), the state is dropped
// and the whole file is hashed at the end instead.
type hashingStore struct{ filestore.FileStore }

func (s hashingStore) NewUpload(ctx context.Context, info tusd.FileInfo) (tusd.Upload, error) {
	if !validID(info.ID) {
		return nil, errBadID
	}
	up, err := s.FileStore.NewUpload(ctx, info)
	return hashingUpload{up}, err
}

func (s hashingStore) GetUpload(ctx context.Context, id string) (tusd.Upload, error) {
	if !validID(id) {
		return nil, errBadID
	}
	up, err := s.FileStore.GetUpload(ctx, id)
	return hashingUpload{up}, err
}

func (s hashingStore) AsTerminatableUpload(up tusd.Upload) tusd.TerminatableUpload {
	inner := s.FileStore.AsTerminatableUpload(up.(hashingUpload).Upload)
	return terminateWithState{inner, up.(hashingUpload)}
}

type terminateWithState struct {
	tusd.TerminatableUpload
	up hashingUpload
}

func (t terminateWithState) Terminate(ctx context.Context) error {
	if info, err := t.up.GetInfo(ctx); err == nil {
		os.Remove(info.Storage["Path"] + ".sha256")
	}
	return t.TerminatableUpload.Terminate(ctx)
}

type hashingUpload struct{ tusd.Upload }

// loadHashState reads the digest state kept beside an upload's file and
// the number of bytes it covers; ok is false if there is none.
func loadHashState(path string) (h hash.Hash, covered int64, ok bool) {
	b, err := os.ReadFile(path + ".sha256")
	if err != nil || len(b) < 8 {
		return nil, 0, false
	}
	h = sha256.New()
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(b[8:]); err != nil {
		return nil, 0, false
	}
	return h, int64(binary.BigEndian.Uint64(b)), true
}

func (u hashingUpload) WriteChunk(ctx context.Context, offset int64, src io.Reader) (int64, error) {
	info, err := u.GetInfo(ctx)
	if err != nil {
		return 0, err
	}
	path := info.Storage["Path"]
	h, covered, ok := loadHashState(path)
	if offset == 0 {
		h, covered, ok = sha256.New(), 0, true
	}
	if !ok || covered != offset {
		os.Remove(path + ".sha256")
		h = nil // hashed whole at the end instead
	}
	n, err := appendChunk(path, offset, src, h)
	if h == nil {
		return n, err
	}
	state, merr := h.(encoding.BinaryMarshaler).MarshalBinary()
	if merr == nil {
		merr = os.WriteFile(path+".sha256", append(binary.BigEndian.AppendUint64(nil, uint64(offset+n)), state...), 0o600)
	}
	if merr != nil {
		os.Remove(path + ".sha256")
	}
	return n, err
}

func (m *folderMedia) keep(ctx context.Context, up tusd.FileInfo, want string) (int64, error) {
	path := up.Storage["Path"]
	defer os.Remove(path + ".info")
	defer os.Remove(path + ".sha256")
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	var n int64
	h, covered, ok := loadHashState(path)
	if st, serr := f.Stat(); ok && serr == nil && covered == st.Size() {
		n = covered // hashed as it arrived
	} else {
		h = sha256.New()
		n, err = io.Copy(h, f)
	}
	if err == nil {
		// The receipt promises the platform holds the file: it must be on
		// the disk, not in the page cache, before one is signed.
		err = f.Sync()
	}
	f.Close()
	if err != nil {
		return 0, err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		os.Remove(path)
		return 0, fmt.Errorf("%w: the file's SHA-256 is %s, the upload said %s", errHashMismatch, got, want)
	}
	dst := m.path(want)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return 0, err
	}
	if _, err := os.Stat(dst); err == nil {
		os.Remove(path) // the same content is here already
		return n, nil
	}
	if err := os.Rename(path, dst); err != nil {
		return 0, err
	}
	return n, syncDir(filepath.Dir(dst))
}

// syncDir makes a rename into dir durable.
func syncDir(dir string) (err error) {
	defer wrap.Err(&err, "sync %s", dir)
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func (m *folderMedia) open(_ context.Context, sha string) (io.ReadCloser, error) {
	return os.Open(m.path(sha))
}

// s3Media keeps evidence as objects media/ab/abcdef… and each upload in
// progress as uploads/ID.info plus one object per PATCH, named by its
// offset: an upload begun at one instance can be finished at another, and
// a PATCH cut short keeps what arrived.
type s3Media struct {
	c      *minio.Client
	bucket string
}

func (m *s3Media) key(sha string) string { return "media/" + sha[:2] + "/" + sha }

func (m *s3Media) useIn(c *tusd.StoreComposer) {
	c.UseCore(m)
	c.UseTerminater(m)
}

func (m *s3Media) NewUpload(ctx context.Context, info tusd.FileInfo) (tusd.Upload, error) {
	if !validID(info.ID) {
		return nil, errBadID
	}
	info.Storage = map[string]string{"Type": "s3", "Bucket": m.bucket, "Key": "uploads/" + info.ID}
	u := &s3Upload{m: m, info: info}
	return u, u.writeInfo(ctx)
}

func (m *s3Media) GetUpload(ctx context.Context, id string) (tusd.Upload, error) {
	if !validID(id) {
		return nil, errBadID
	}
	obj, err := m.c.GetObject(ctx, m.bucket, "uploads/"+id+".info", minio.GetObjectOptions{})
	if err != nil {
		return nil, err
	}
	defer obj.Close()
	u := &s3Upload{m: m}
	if err := json.NewDecoder(obj).Decode(&u.info); err != nil {
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return nil, tusd.ErrNotFound
		}
		return nil, err
	}
	return u, nil
}

func (m *s3Media) AsTerminatableUpload(up tusd.Upload) tusd.TerminatableUpload {
	return up.(*s3Upload)
}

type s3Upload struct {
	m    *s3Media
	info tusd.FileInfo
}

func (u *s3Upload) prefix() string { return "uploads/" + u.info.ID + "/" }

func (u *s3Upload) writeInfo(ctx context.Context) error {
	b, err := json.Marshal(u.info)
	if err != nil {
		return fmt.Errorf("upload %s: info: %w", u.info.ID, err)
	}
	if _, err := u.m.c.PutObject(ctx, u.m.bucket, "uploads/"+u.info.ID+".info", bytes.NewReader(b), int64(len(b)),
		minio.PutObjectOptions{ContentType: "application/json"}); err != nil {
		return fmt.Errorf("upload %s: info: %w", u.info.ID, err)
	}
	return nil
}

// parts lists the PATCH objects in offset order, keeping the contiguous
// run from 0: a part that does not start where the last ended is ignored.
func (u *s3Upload) parts(ctx context.Context) ([]minio.ObjectInfo, int64, error) {
	var all []minio.ObjectInfo
	for o := range u.m.c.ListObjects(ctx, u.m.bucket, minio.ListObjectsOptions{Prefix: u.prefix()}) {
		if o.Err != nil {
			return nil, 0, o.Err
		}
		all = append(all, o)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Key < all[j].Key })
	var keep []minio.ObjectInfo
	var end int64
	for _, o := range all {
		off, err := strconv.ParseInt(strings.TrimPrefix(o.Key, u.prefix()), 10, 64)
		if err != nil || off != end {
			continue
		}
		keep = append(keep, o)
		end += o.Size
	}
	return keep, end, nil
}

func (u *s3Upload) WriteChunk(ctx context.Context, offset int64, src io.Reader) (int64, error) {
	// Buffer the PATCH to a temporary file so a cut request still stores
	// what arrived, with its exact size.
	tmp, err := os.CreateTemp("", "sanxiang-part-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	n, copyErr := io.Copy(tmp, src)
	if n == 0 {
		return 0, copyErr
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	key := fmt.Sprintf("%s%020d", u.prefix(), offset)
	if _, err := u.m.c.PutObject(context.WithoutCancel(ctx), u.m.bucket, key, tmp, n, minio.PutObjectOptions{}); err != nil {
		return 0, err
	}
	return n, copyErr
}

func (u *s3Upload) GetInfo(ctx context.Context) (tusd.FileInfo, error) {
	_, end, err := u.parts(ctx)
	if err != nil {
		return tusd.FileInfo{}, err
	}
	info := u.info
	info.Offset = end
	return info, nil
}

func (u *s3Upload) GetReader(ctx context.Context) (io.ReadCloser, error) {
	parts, _, err := u.parts(ctx)
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	go func() {
		for _, p := range parts {
			obj, err := u.m.c.GetObject(ctx, u.m.bucket, p.Key, minio.GetObjectOptions{})
			if err == nil {
				_, err = io.Copy(pw, obj)
				obj.Close()
			}
			if err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.Close()
	}()
	return pr, nil
}

func (u *s3Upload) FinishUpload(context.Context) error { return nil }

func (u *s3Upload) Terminate(ctx context.Context) error {
	// Every part goes, contiguous or not.
	var errs []error
	for o := range u.m.c.ListObjects(ctx, u.m.bucket, minio.ListObjectsOptions{Prefix: u.prefix()}) {
		if o.Err != nil {
			errs = append(errs, o.Err)
			continue
		}
		if err := u.m.c.RemoveObject(ctx, u.m.bucket, o.Key, minio.RemoveObjectOptions{}); err != nil {
			errs = append(errs, err)
		}
	}
	if err := u.m.c.RemoveObject(ctx, u.m.bucket, "uploads/"+u.info.ID+".info", minio.RemoveObjectOptions{}); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("terminate upload %s: %w", u.info.ID, err)
	}
	return nil
}

func (m *s3Media) keep(ctx context.Context, up tusd.FileInfo, want string) (int64, error) {
	u := &s3Upload{m: m, info: up}
	defer u.Terminate(context.WithoutCancel(ctx))
	r, err := u.GetReader(ctx)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	// Hash while copying to a staging object; only a match is copied to its
	// content address, so a wrong file is never visible there.
	h := sha256.New()
	staging := "staging/" + up.ID
	info, err := m.c.PutObject(ctx, m.bucket, staging, io.TeeReader(r, h), up.Size, minio.PutObjectOptions{})
	if err != nil {
		return 0, err
	}
	defer m.c.RemoveObject(context.WithoutCancel(ctx), m.bucket, staging, minio.RemoveObjectOptions{})
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return 0, fmt.Errorf("%w: the file's SHA-256 is %s, the upload said %s", errHashMismatch, got, want)
	}
	_, err = m.c.CopyObject(ctx, minio.CopyDestOptions{Bucket: m.bucket, Object: m.key(want)},
		minio.CopySrcOptions{Bucket: m.bucket, Object: staging})
	return info.Size, err
}

func (m *s3Media) locker() tusd.Locker { return memorylocker.New() }

// unfinished lists uploads/ID.info and uploads/ID/…, each with its newest
// object's time, and the staging copies a finish cut short left.
func (m *s3Media) unfinished(ctx context.Context) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	for _, prefix := range []string{"uploads/", "staging/"} {
		for o := range m.c.ListObjects(ctx, m.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
			if o.Err != nil {
				return nil, fmt.Errorf("unfinished uploads: %w", o.Err)
			}
			rest := strings.TrimPrefix(o.Key, prefix)
			id, _, _ := strings.Cut(strings.TrimSuffix(rest, ".info"), "/")
			if !validID(id) {
				continue
			}
			if t, ok := out[id]; !ok || o.LastModified.After(t) {
				out[id] = o.LastModified
			}
		}
		// A PATCH or a staging copy over minio-go's part size goes up in
		// parts; one cut short leaves a multipart upload that no listing of
		// objects shows, and that holds its parts' bytes until aborted.
		for o := range m.c.ListIncompleteUploads(ctx, m.bucket, prefix, true) {
			if o.Err != nil {
				return nil, fmt.Errorf("unfinished uploads: %w", o.Err)
			}
			id, _, _ := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(o.Key, prefix), ".info"), "/")
			if !validID(id) {
				continue
			}
			if t, ok := out[id]; !ok || o.Initiated.After(t) {
				out[id] = o.Initiated
			}
		}
	}
	return out, nil
}

func (m *s3Media) remove(ctx context.Context, id string) error {
	if !validID(id) {
		return errBadID
	}
	u := &s3Upload{m: m, info: tusd.FileInfo{ID: id}}
	errs := []error{u.Terminate(ctx)}
	if err := m.c.RemoveObject(ctx, m.bucket, "staging/"+id, minio.RemoveObjectOptions{}); err != nil && minio.ToErrorResponse(err).Code != "NoSuchKey" {
		errs = append(errs, err)
	}
	// Multipart uploads cut short are aborted, and their parts go.
	for _, prefix := range []string{"uploads/" + id, "staging/" + id} {
		for o := range m.c.ListIncompleteUploads(ctx, m.bucket, prefix, true) {
			if o.Err != nil {
				errs = append(errs, o.Err)
				continue
			}
			if err := m.c.RemoveIncompleteUpload(ctx, m.bucket, o.Key); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

func (m *s3Media) open(ctx context.Context, sha string) (io.ReadCloser, error) {
	return m.c.GetObject(ctx, m.bucket, m.key(sha), minio.GetObjectOptions{})
}
