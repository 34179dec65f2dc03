package server

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	tusd "github.com/tus/tusd/v2/pkg/handler"
	xslog "golang.org/x/exp/slog"
	"golang.org/x/mod/sumdb/note"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// MediaReceiptText is what the platform signs for a verified media file.
func MediaReceiptText(sha string, size int64) string {
	return fmt.Sprintf("sanxiang-media\n%s\n%d\n", sha, size)
}

// OpenMedia reads a verified evidence file by its SHA-256.
func (s *Server) OpenMedia(ctx context.Context, sha string) (io.ReadCloser, error) {
	if b, err := hex.DecodeString(sha); err != nil || len(b) != sha256.Size {
		return nil, fmt.Errorf("not a SHA-256: %q", sha)
	}
	return s.media.open(ctx, sha)
}

// mediaHandler serves resumable uploads by the tus 1.0 protocol (core,
// creation, termination) through tusd, so that any tus client can upload.
// An upload names the file's SHA-256 in its metadata; when it completes the
// platform hashes the whole file, refuses a mismatch, files it by content
// and answers with a receipt it signs (header Sanxiang-Receipt).
func (s *Server) mediaHandler() (http.Handler, error) {
	composer := tusd.NewStoreComposer()
	s.media.useIn(composer)
	h, err := tusd.NewHandler(tusd.Config{
		BasePath:      api.PathMedia,
		StoreComposer: composer,
		MaxSize:       4 << 30,
		Logger:        xslog.New(xslog.NewTextHandler(io.Discard, nil)), // tusd logs every request
		PreUploadCreateCallback: func(ev tusd.HookEvent) (tusd.HTTPResponse, tusd.FileInfoChanges, error) {
			sha := ev.Upload.MetaData["sha256"]
			if b, err := hex.DecodeString(sha); err != nil || len(b) != sha256.Size {
				return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, tusd.NewError("ERR_SHA256", "metadata sha256 missing or malformed", http.StatusBadRequest)
			}
			return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, nil
		},
		PreFinishResponseCallback: func(ev tusd.HookEvent) (tusd.HTTPResponse, error) {
			rc, err := s.finishUpload(ev.Context, ev.Upload, ev.HTTPRequest.Header.Get("X-Sanxiang-Device"))
			if err != nil {
				return tusd.HTTPResponse{}, tusd.NewError("ERR_CHECKSUM_MISMATCH", err.Error(), 460)
			}
			return tusd.HTTPResponse{Header: tusd.HTTPHeader{"Sanxiang-Receipt": strings.ReplaceAll(rc, "\n", "|")}}, nil
		},
	})
	if err != nil {
		return nil, err
	}
	return http.StripPrefix(strings.TrimSuffix(api.PathMedia, "/"), h), nil
}

// finishUpload checks a complete upload's hash and files it.
func (s *Server) finishUpload(ctx context.Context, up tusd.FileInfo, device string) (string, error) {
	sha := up.MetaData["sha256"]
	n, err := s.media.keep(ctx, up, sha)
	if err != nil {
		return "", err
	}
	return s.mediaReceipt(ctx, sha, n, device)
}

func (s *Server) mediaReceipt(ctx context.Context, sha string, size int64, device string) (string, error) {
	var prev string
	err := s.db.QueryRowContext(ctx, `SELECT receipt FROM media WHERE sha256 = ?`, sha).Scan(&prev)
	if err == nil {
		return prev, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	signed, err := note.Sign(&note.Note{Text: MediaReceiptText(sha, size)}, s.signer)
	if err != nil {
		return "", err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO media (sha256, size, device, received, receipt) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (sha256) DO NOTHING`, sha, size, device, s.now().UTC().Format(time.RFC3339), string(signed))
	if err != nil {
		return "", err
	}
	// Another instance may have filed the same content a moment ago: answer
	// with the receipt that was kept.
	err = s.db.QueryRowContext(ctx, `SELECT receipt FROM media WHERE sha256 = ?`, sha).Scan(&prev)
	return prev, err
}

// mediaStatus answers whether the platform holds a file, with its receipt:
// a device asks before uploading, so the same evidence is never sent twice.
func (s *Server) mediaStatus(w http.ResponseWriter, r *http.Request, _ Device) {
	var receipt string
	err := s.db.QueryRowContext(r.Context(), `SELECT receipt FROM media WHERE sha256 = ?`, r.PathValue("sha")).Scan(&receipt)
	if errors.Is(err, sql.ErrNoRows) {
		web.Problem(w, http.StatusNotFound, "not_found", words.L("platform.media_missing"), "")
		return
	}
	if err != nil {
		web.Internal(w, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]string{"receipt": receipt})
}
