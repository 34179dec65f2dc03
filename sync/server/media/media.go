// Package media is the platform's evidence store: resumable uploads by the
// tus protocol (through tusd), checked against the SHA-256 each names,
// filed by content in a folder or an S3 bucket (mediastore.go), written
// to disk a chunk at a time (chunkwrite.go), and answered with receipts
// the platform signs. Each upload belongs to the device that began it, is
// bounded by the administrators' limits and expires unfinished
// (uploads.go); on PostgreSQL it is locked across instances (pglock.go).
package media

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	tusd "github.com/tus/tusd/v2/pkg/handler"
	xslog "golang.org/x/exp/slog"
	"golang.org/x/mod/sumdb/note"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// ReceiptText is what the platform signs for a verified media file: its
// SHA-256 and size, and the platform's time of receipt (as a log's
// receipt signs it, ledger.ReceiptText).
func ReceiptText(sha string, size int64, at time.Time) string {
	return fmt.Sprintf("sanxiang-media\n%s\n%d\ntime %s\n", sha, size, at.UTC().Format(time.RFC3339))
}

// Room is the evidence store with what it needs of the platform: the
// database that keeps receipts, the key that signs them and the clock.
type Room struct {
	DB     *sqldb.DB
	Signer note.Signer
	Now    func() time.Time
	// Alert, if set, raises an alert for the supervisors (a device that
	// reaches for another's upload, a malformed upload ID).
	Alert func(ctx context.Context, device, kind, detail string)
	// Logger, if set, hears what the sweep of expired uploads did.
	Logger *slog.Logger
	store  mediaStore
	limits Limits

	setup     sync.Once
	locker    tusd.Locker // nil: tusd writes without one
	setupErr  error
	stop      chan struct{}
	closeOnce sync.Once
}

// Open opens the store where names: a folder, or an S3 bucket (see
// openMediaStore). The caller fills in DB, Signer and Now.
func Open(ctx context.Context, where string) (*Room, error) {
	st, err := openMediaStore(ctx, where)
	if err != nil {
		return nil, fmt.Errorf("media store: %w", err)
	}
	return &Room{store: st, limits: Limits{}.withDefaults()}, nil
}

// Open reads a verified evidence file by its SHA-256.
func (s *Room) Open(ctx context.Context, sha string) (io.ReadCloser, error) {
	if b, err := hex.DecodeString(sha); err != nil || len(b) != sha256.Size {
		return nil, fmt.Errorf("not a SHA-256: %q", sha)
	}
	rc, err := s.store.open(ctx, sha)
	if err != nil {
		return nil, fmt.Errorf("open media %s: %w", sha, err)
	}
	return rc, nil
}

// Handler serves resumable uploads by the tus 1.0 protocol (core,
// creation, termination) through tusd, so that any tus client can upload.
// An upload names the file's SHA-256 in its metadata; when it completes the
// platform hashes the whole file, refuses a mismatch, files it by content
// and answers with a receipt it signs: header Sanxiang-Receipt, the signed
// note in base64 (api.HeaderReceipt, api.EncodeReceipt).
//
// Every upload belongs to the device that created it (header
// X-Sanxiang-Device, which the router sets from the device's token) and
// is bounded by the Limits (SetLimits); downloads are off; uploads are
// locked across instances on PostgreSQL (pglock.go). The first call also
// starts the sweep of expired uploads, which Close stops.
func (s *Room) Handler() (http.Handler, error) {
	s.setup.Do(func() {
		if s.DB.PG {
			l, err := newPGLocker(s.DB.DSN)
			if err != nil {
				s.setupErr = err
				return
			}
			s.locker = l
		} else {
			s.locker = s.store.locker()
		}
		s.stop = make(chan struct{})
		go s.sweep(s.stop)
	})
	if s.setupErr != nil {
		return nil, fmt.Errorf("media uploads: %w", s.setupErr)
	}
	composer := tusd.NewStoreComposer()
	s.store.useIn(composer)
	if s.locker != nil {
		composer.UseLocker(s.locker)
	}
	h, err := tusd.NewHandler(tusd.Config{
		BasePath:           api.PathMedia,
		StoreComposer:      composer,
		MaxSize:            s.limits.MaxUpload,
		DisableDownload:    true,
		AcquireLockTimeout: s.limits.LockWait,
		Logger:             xslog.New(xslog.NewTextHandler(io.Discard, nil)), // tusd logs every request
		Cors:               &tusd.CorsConfig{Disable: true},                  // web.CORS answers, before the token is checked; tusd's echoed any origin
		PreUploadCreateCallback: func(ev tusd.HookEvent) (tusd.HTTPResponse, tusd.FileInfoChanges, error) {
			sha := ev.Upload.MetaData["sha256"]
			if b, err := hex.DecodeString(sha); err != nil || len(b) != sha256.Size {
				return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, tusd.NewError("ERR_SHA256", "metadata sha256 missing or malformed", http.StatusBadRequest)
			}
			id, err := s.reserve(ev.Context, ev.HTTPRequest.Header.Get("X-Sanxiang-Device"), ev.Upload.Size)
			if err != nil {
				return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, err
			}
			return tusd.HTTPResponse{}, tusd.FileInfoChanges{ID: id}, nil
		},
		PreUploadTerminateCallback: func(ev tusd.HookEvent) (tusd.HTTPResponse, error) {
			return tusd.HTTPResponse{}, s.release(ev.Context, ev.Upload.ID)
		},
		PreFinishResponseCallback: func(ev tusd.HookEvent) (tusd.HTTPResponse, error) {
			rc, err := s.finishUpload(ev.Context, ev.Upload, ev.HTTPRequest.Header.Get("X-Sanxiang-Device"))
			if err != nil {
				return tusd.HTTPResponse{}, tusd.NewError("ERR_CHECKSUM_MISMATCH", err.Error(), 460)
			}
			// Base64, not the note itself: a header must be ASCII for
			// Node and browsers to read it as sent (api.EncodeReceipt).
			return tusd.HTTPResponse{Header: tusd.HTTPHeader{api.HeaderReceipt: api.EncodeReceipt(rc)}}, nil
		},
	})
	if err != nil {
		return nil, fmt.Errorf("media uploads: %w", err)
	}
	return s.guard(tusProblems(http.StripPrefix(strings.TrimSuffix(api.PathMedia, "/"), h))), nil
}

// finishUpload checks a complete upload's hash and files it.
func (s *Room) finishUpload(ctx context.Context, up tusd.FileInfo, device string) (string, error) {
	sha := up.MetaData["sha256"]
	n, err := s.store.keep(ctx, up, sha)
	// Kept or refused, the upload is gone from the store: so is its
	// reservation.
	if rerr := s.release(context.WithoutCancel(ctx), up.ID); rerr != nil && err == nil {
		return "", rerr
	}
	if err != nil {
		return "", fmt.Errorf("keep %s: %w", sha, err)
	}
	return s.mediaReceipt(ctx, sha, n, device)
}

func (s *Room) mediaReceipt(ctx context.Context, sha string, size int64, device string) (string, error) {
	var prev string
	err := s.DB.QueryRowContext(ctx, `SELECT receipt FROM media WHERE sha256 = ?`, sha).Scan(&prev)
	if err == nil {
		return prev, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("media receipt %s: %w", sha, err)
	}
	now := s.Now().UTC()
	signed, err := note.Sign(&note.Note{Text: ReceiptText(sha, size, now)}, s.Signer)
	if err != nil {
		return "", fmt.Errorf("sign media receipt %s: %w", sha, err)
	}
	_, err = s.DB.ExecContext(ctx, `INSERT INTO media (sha256, size, device, received, receipt) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (sha256) DO NOTHING`, sha, size, device, now.Format(time.RFC3339), string(signed))
	if err != nil {
		return "", fmt.Errorf("keep media receipt %s: %w", sha, err)
	}
	// Another instance may have filed the same content a moment ago: answer
	// with the receipt that was kept.
	if err := s.DB.QueryRowContext(ctx, `SELECT receipt FROM media WHERE sha256 = ?`, sha).Scan(&prev); err != nil {
		return "", fmt.Errorf("media receipt %s: %w", sha, err)
	}
	return prev, nil
}

// Status answers whether the platform holds a file, with its receipt:
// a device asks before uploading, so the same evidence is never sent twice.
func (s *Room) Status(w http.ResponseWriter, r *http.Request) {
	sha := r.PathValue("sha")
	if b, err := hex.DecodeString(sha); err != nil || len(b) != sha256.Size || strings.ToLower(sha) != sha {
		web.BadParam(w, r, "sha", words.M("platform.param_not_sha256"), sha)
		return
	}
	var receipt string
	err := s.DB.QueryRowContext(r.Context(), `SELECT receipt FROM media WHERE sha256 = ?`, sha).Scan(&receipt)
	if errors.Is(err, sql.ErrNoRows) {
		web.Problem(w, r, http.StatusNotFound, "not_found", words.M("platform.media_missing"), "")
		return
	}
	if err != nil {
		web.Internal(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]string{"receipt": receipt})
}
