package media

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	tusd "github.com/tus/tusd/v2/pkg/handler"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// Limits bound what uploads may hold of the platform's disk; the
// administrators set them (sanxiang-platform --max-upload, --device-quota,
// --upload-expiry). A zero field takes its default.
//
// The quota counts the bytes a device's unfinished uploads have reserved
// (each upload's declared length, from the moment it is created, before a
// byte is written). That is what can fill a disk unseen: an upload begun
// and abandoned, or begun a thousand times over. A finished upload is
// evidence the law requires to be kept, filed by content under the
// device's name in the media table and its receipt: refusing it because
// a device recorded a busy day would lose evidence, so finished files are
// a matter of capacity planning, not of a quota. With the expiry, one
// device can hold at most DeviceQuota bytes of unfinished uploads, and
// only for Expiry.
type Limits struct {
	// MaxUpload is the largest file one upload may declare.
	MaxUpload int64
	// DeviceQuota bounds the declared lengths of one device's unfinished
	// uploads, together.
	DeviceQuota int64
	// Expiry is how long an unfinished upload is kept; then it is gone
	// and its bytes removed.
	Expiry time.Duration
	// Sweep is how often expired uploads are looked for.
	Sweep time.Duration
	// LockWait is how long a request waits for an upload another request
	// writes before it is answered 423 Locked.
	LockWait time.Duration
	// Now, if not nil, is the clock uploads are created and expire by
	// (tests); else the platform's.
	Now func() time.Time
}

// Defaults: 2 GiB is an hour of body-camera video at 4.5 Mbit/s (cameras
// cut longer recordings into files of 15 to 30 minutes); the quota is four
// such uploads under way at once; a day is long enough to finish an
// upload on any network, and short enough that abandoned ones do not pile
// up.
const (
	DefaultMaxUpload   = 2 << 30
	DefaultDeviceQuota = 8 << 30
	DefaultExpiry      = 24 * time.Hour
	defaultSweep       = 10 * time.Minute
	defaultLockWait    = 20 * time.Second
)

func (l Limits) withDefaults() Limits {
	if l.MaxUpload <= 0 {
		l.MaxUpload = DefaultMaxUpload
	}
	if l.DeviceQuota <= 0 {
		l.DeviceQuota = DefaultDeviceQuota
	}
	if l.Expiry <= 0 {
		l.Expiry = DefaultExpiry
	}
	if l.Sweep <= 0 {
		l.Sweep = defaultSweep
	}
	if l.LockWait <= 0 {
		l.LockWait = defaultLockWait
	}
	return l
}

// ParseSize reads a size as administrators write it: 2GiB, 500MiB, 1.5G,
// 4096 (bytes). K, M, G, T are taken as KiB, MiB, GiB, TiB.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10},
		{"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10},
		{"T", 1 << 40}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if v, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = strings.TrimSpace(v), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 || f*float64(mult) > 1<<62 {
		return 0, fmt.Errorf("size %q: want a number of bytes, or one with KiB, MiB, GiB or TiB", s)
	}
	return int64(f * float64(mult)), nil
}

// uploadID is the form of every upload ID the platform makes: 32
// lowercase hex digits (128 random bits). Nothing else names an upload, in
// any store, whatever a client sends: no dot, no slash, no backslash, no
// escape can reach a file or key of the store's choosing.
var uploadID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func validID(id string) bool { return uploadID.MatchString(id) }

func newUploadID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Room) clock() time.Time {
	if s.limits.Now != nil {
		return s.limits.Now()
	}
	return s.Now()
}

// SetLimits sets the upload limits (zero fields: the defaults). Call it
// before Handler.
func (s *Room) SetLimits(l Limits) { s.limits = l.withDefaults() }

// problem is a refusal in the platform's form (api.Problem) that tusd's
// hooks can return.
func problem(status int, code, key, detail string) tusd.Error {
	body, _ := json.Marshal(api.Problem{Code: code, Message: words.L(key), Detail: detail})
	return tusd.Error{ErrorCode: code, Message: detail, HTTPResponse: tusd.HTTPResponse{
		StatusCode: status, Body: string(body) + "\n",
		Header: tusd.HTTPHeader{"Content-Type": "application/problem+json; charset=utf-8"},
	}}
}

// reserve checks a new upload of size bytes against the device's quota
// and, if it fits, names it and reserves its length. Concurrent creations
// by one device, at one instance or several, are taken one at a time.
func (s *Room) reserve(ctx context.Context, device string, size int64) (string, error) {
	if device == "" {
		return "", problem(http.StatusUnauthorized, "unauthorized", "platform.unknown_device", "")
	}
	id := newUploadID()
	now := s.clock()
	cutoff := now.Add(-s.limits.Expiry).UTC().Format(time.RFC3339)
	var refused error
	err := s.DB.Tx(ctx, func(tx *sqldb.Tx) error {
		if err := tx.Lock(ctx, "upload-quota:"+device); err != nil {
			return err
		}
		var held int64
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(size), 0) FROM media_uploads WHERE device = ? AND created >= ?`,
			device, cutoff).Scan(&held); err != nil {
			return fmt.Errorf("quota of %s: %w", device, err)
		}
		if held+size > s.limits.DeviceQuota {
			refused = problem(http.StatusRequestEntityTooLarge, "device_quota", "platform.device_quota",
				fmt.Sprintf("unfinished uploads hold %d bytes; this one asks %d more; the quota is %d", held, size, s.limits.DeviceQuota))
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO media_uploads (id, device, size, created) VALUES (?, ?, ?, ?)`,
			id, device, size, now.UTC().Format(time.RFC3339))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("reserve upload: %w", err)
	}
	if refused != nil {
		return "", refused
	}
	return id, nil
}

// release forgets an upload's reservation: it completed, failed its hash,
// or was terminated.
func (s *Room) release(ctx context.Context, id string) error {
	if _, err := s.DB.ExecContext(ctx, `DELETE FROM media_uploads WHERE id = ?`, id); err != nil {
		return fmt.Errorf("release upload %s: %w", id, err)
	}
	return nil
}

// guard stands before tusd. A new upload must declare a length within
// MaxUpload. A request for an upload must name it in the platform's form,
// and come from the device that created it: another device is refused
// (403 not_your_upload) and raised as an alert, since its token is being
// used to reach evidence that is not its own. Downloads are off.
func (s *Room) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		device := r.Header.Get("X-Sanxiang-Device")
		// What follows the uploads' path, as sent (escapes kept) and as
		// decoded: both must be the bare ID, or nothing.
		raw := strings.TrimPrefix(r.URL.EscapedPath(), strings.TrimSuffix(api.PathMedia, "/"))
		dec := strings.TrimPrefix(r.URL.Path, strings.TrimSuffix(api.PathMedia, "/"))
		if r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		if strings.Trim(raw, "/") == "" && strings.Trim(dec, "/") == "" {
			if r.Method == http.MethodPost {
				size, err := strconv.ParseInt(r.Header.Get("Upload-Length"), 10, 64)
				if err != nil || size < 0 {
					web.Problem(w, r, http.StatusBadRequest, "bad_upload_length", words.M("platform.bad_upload_length"), r.Header.Get("Upload-Length"))
					return
				}
				if size > s.limits.MaxUpload {
					web.Problem(w, r, http.StatusRequestEntityTooLarge, "upload_too_large", words.M("platform.upload_too_large"),
						fmt.Sprintf("%d bytes; the platform takes at most %d", size, s.limits.MaxUpload))
					return
				}
			}
			next.ServeHTTP(w, r)
			return
		}
		id := strings.TrimPrefix(raw, "/")
		if !validID(id) || strings.TrimPrefix(dec, "/") != id {
			s.alert(r.Context(), device, "bad_upload_id", fmt.Sprintf("%s %s", r.Method, r.URL.EscapedPath()))
			web.Problem(w, r, http.StatusNotFound, "bad_upload_id", words.M("platform.bad_upload_id"), "")
			return
		}
		var owner, created string
		err := s.DB.QueryRowContext(r.Context(), `SELECT device, created FROM media_uploads WHERE id = ?`, id).Scan(&owner, &created)
		if errors.Is(err, sql.ErrNoRows) {
			web.Problem(w, r, http.StatusNotFound, "not_found", words.M("platform.upload_missing"), "")
			return
		}
		if err != nil {
			web.Internal(w, r, fmt.Errorf("upload %s: %w", id, err))
			return
		}
		if owner != device {
			s.alert(r.Context(), device, "not_your_upload",
				fmt.Sprintf("%s on upload %s, which device %s began", r.Method, id, owner))
			web.Problem(w, r, http.StatusForbidden, "not_your_upload", words.M("platform.not_your_upload"), "")
			return
		}
		if t, err := time.Parse(time.RFC3339, created); err == nil && !t.After(s.clock().Add(-s.limits.Expiry)) {
			web.Problem(w, r, http.StatusGone, "upload_expired", words.M("platform.upload_expired"), "")
			return
		}
		if r.Method == http.MethodGet {
			web.Problem(w, r, http.StatusMethodNotAllowed, "no_downloads", words.M("platform.no_downloads"), "")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Room) alert(ctx context.Context, device, kind, detail string) {
	if s.Alert != nil {
		s.Alert(context.WithoutCancel(ctx), device, kind, detail)
	}
}

// ExpireUploads removes every unfinished upload older than the expiry,
// with its bytes (in the folder store the file and what tusd keeps beside
// it; in S3 its parts, its info and any staging copy), and any leftover
// the store holds that no reservation names (an upload from before the
// reservations, or a crash between the two) once it is as old. An upload
// being written at that moment (its lock held) is left for the next sweep.
// It says how many uploads it removed.
func (s *Room) ExpireUploads(ctx context.Context) (int, error) {
	cutoff := s.clock().Add(-s.limits.Expiry)
	rows, err := s.DB.QueryContext(ctx, `SELECT id, created FROM media_uploads`)
	if err != nil {
		return 0, fmt.Errorf("expire uploads: %w", err)
	}
	reserved := map[string]bool{} // ID → expired
	for rows.Next() {
		var id, created string
		if err := rows.Scan(&id, &created); err != nil {
			rows.Close()
			return 0, fmt.Errorf("expire uploads: %w", err)
		}
		t, err := time.Parse(time.RFC3339, created)
		reserved[id] = err != nil || !t.After(cutoff)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("expire uploads: %w", err)
	}
	held, err := s.store.unfinished(ctx)
	if err != nil {
		return 0, fmt.Errorf("expire uploads: %w", err)
	}
	var errs []error
	n := 0
	gone := func(id string) {
		if err := s.removeUpload(ctx, id); err != nil {
			errs = append(errs, err)
			return
		}
		n++
	}
	for id, last := range held {
		expired, ok := reserved[id]
		if (ok && expired) || (!ok && last.Before(cutoff)) {
			gone(id)
		}
	}
	for id, expired := range reserved {
		if _, inStore := held[id]; expired && !inStore {
			// Nothing in the store (created, never written, or removed
			// before): only the reservation goes.
			if err := s.release(ctx, id); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return n, fmt.Errorf("expire uploads: %w", err)
	}
	return n, nil
}

// removeUpload removes one upload's bytes and reservation under its lock.
func (s *Room) removeUpload(ctx context.Context, id string) error {
	if s.locker != nil {
		lock, err := s.locker.NewLock(id)
		if err != nil {
			return fmt.Errorf("remove upload %s: %w", id, err)
		}
		lctx, cancel := context.WithTimeout(ctx, time.Second)
		err = lock.Lock(lctx, func() {})
		cancel()
		var refused tusd.Error
		if errors.Is(err, tusd.ErrLockTimeout) || errors.As(err, &refused) && refused.HTTPResponse.StatusCode == http.StatusLocked {
			return nil // being written: the next sweep
		}
		if err != nil && !errors.Is(err, tusd.ErrNotFound) {
			return fmt.Errorf("remove upload %s: %w", id, err)
		}
		if err == nil {
			defer lock.Unlock()
		}
	}
	if err := s.store.remove(ctx, id); err != nil {
		return fmt.Errorf("remove upload %s: %w", id, err)
	}
	return s.release(ctx, id)
}

// sweep expires uploads every Sweep until stop is closed.
func (s *Room) sweep(stop <-chan struct{}) {
	t := time.NewTicker(s.limits.Sweep)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), s.limits.Sweep)
			if n, err := s.ExpireUploads(ctx); err != nil && s.Logger != nil {
				s.Logger.Error("unfinished uploads not expired", "err", err)
			} else if n > 0 && s.Logger != nil {
				s.Logger.Info("unfinished uploads expired", "uploads", n)
			}
			cancel()
		}
	}
}

// Close stops the sweep and closes the upload locks' connections.
func (s *Room) Close() error {
	s.closeOnce.Do(func() {
		if s.stop != nil {
			close(s.stop)
		}
	})
	if c, ok := s.locker.(interface{ close() error }); ok {
		return c.close()
	}
	return nil
}
