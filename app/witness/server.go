package witness

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"

	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Server is a witness: it cosigns a log's checkpoint when it extends the
// last one it cosigned of that log, and refuses anything else.
type Server struct {
	db     *store.DB
	signer *torchwood.CosignatureSigner
	// learn is the origin prefix of logs learned on first sight: a log
	// under it, unknown yet, is taken with the key its first request
	// carries, and that key is pinned from then on. Empty: only logs
	// added by the keeper (AddLog).
	learn string
	log   *slog.Logger
	now   func() time.Time
}

// Options configure a witness.
type Options struct {
	Name  string             // the witness's key name
	Key   ed25519.PrivateKey // its cosigning key
	Learn string             // origin prefix learned on first sight ("" for none)
	Log   *slog.Logger
}

// Open opens (creating) the witness's state at path.
func Open(ctx context.Context, path string, o Options) (*Server, error) {
	signer, err := torchwood.NewCosignatureSigner(o.Name, o.Key)
	if err != nil {
		return nil, fmt.Errorf("open witness %s: %w", o.Name, err)
	}
	mig, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("open witness: %w", err)
	}
	db, err := store.Open(ctx, path, store.Options{Durability: store.Evidence, Migrations: mig})
	if err != nil {
		return nil, fmt.Errorf("open witness state: %w", err)
	}
	lg := o.Log
	if lg == nil {
		lg = slog.Default()
	}
	return &Server{db: db, signer: signer, learn: o.Learn, log: lg, now: time.Now}, nil
}

// Close closes the witness's state.
func (s *Server) Close() error { return s.db.Close() }

// VerifierKey is the witness's vkey, for the platform's policy.
func (s *Server) VerifierKey() string { return s.signer.Verifier().String() }

// AddLog has the witness accept a log: its keeper's way, for origins not
// learned on first sight. A log it knows keeps its key.
func (s *Server) AddLog(ctx context.Context, origin, key string) error {
	if _, err := note.NewVerifier(key); err != nil {
		return fmt.Errorf("add log %s: %w", origin, err)
	}
	now := s.now().UTC().Format(time.RFC3339)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO logs (origin, key, size, root, learned, updated) VALUES (?, ?, 0, '', ?, ?) ON CONFLICT (origin) DO NOTHING`,
		origin, key, now, now); err != nil {
		return fmt.Errorf("add log %s: %w", origin, err)
	}
	return nil
}

// ServeHTTP serves POST /add-checkpoint (c2sp.org/tlog-witness) and GET
// /vkey (the witness's key, for whoever writes a policy).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/add-checkpoint" && r.Method == http.MethodPost:
		s.serveAdd(w, r)
	case r.URL.Path == "/vkey" && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, s.VerifierKey())
	default:
		http.NotFound(w, r)
	}
}

// refusal is an answer other than a cosignature.
type refusal struct {
	status int
	msg    string
	known  int64 // for 409
	kept   bool  // a split view, kept in refusals
}

func (e *refusal) Error() string { return e.msg }

func (s *Server) serveAdd(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		http.Error(w, "request too large or unreadable", http.StatusBadRequest)
		return
	}
	cosig, err := s.Add(r.Context(), body, r.Header.Get(LogKeyHeader))
	var rf *refusal
	switch {
	case errors.As(err, &rf) && rf.status == http.StatusConflict:
		w.Header().Set("Content-Type", "text/x.tlog.size")
		w.WriteHeader(http.StatusConflict)
		fmt.Fprintf(w, "%d\n", rf.known)
	case errors.As(err, &rf):
		http.Error(w, rf.msg, rf.status)
	case err != nil:
		s.log.Error("add checkpoint", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(cosig)
	}
}

// Add handles one add-checkpoint request body and returns the cosignature
// line. Refusals: 400 malformed, 403 unknown log or bad signature, 409 old
// size not the one the witness holds, 422 inconsistent (kept).
func (s *Server) Add(ctx context.Context, body []byte, offeredKey string) ([]byte, error) {
	head, cp, ok := bytes.Cut(body, []byte("\n\n"))
	if !ok {
		return nil, &refusal{status: http.StatusBadRequest, msg: "no blank line before the checkpoint"}
	}
	lines := strings.Split(string(head), "\n")
	sz, ok := strings.CutPrefix(lines[0], "old ")
	oldSize, err := strconv.ParseInt(sz, 10, 64)
	if !ok || err != nil || oldSize < 0 {
		return nil, &refusal{status: http.StatusBadRequest, msg: "the first line is not old N"}
	}
	proof := make([]ledger.Hash, 0, len(lines)-1)
	for _, l := range lines[1:] {
		h, err := ledger.ParseHash(l)
		if err != nil {
			return nil, &refusal{status: http.StatusBadRequest, msg: "a proof line is not a hash"}
		}
		proof = append(proof, h)
	}
	origin, _, _ := strings.Cut(string(cp), "\n")
	var out []byte
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var key, root string
		var size int64
		known := true
		err := tx.QueryRowContext(ctx, `SELECT key, size, root FROM logs WHERE origin = ?`, origin).Scan(&key, &size, &root)
		switch {
		case errors.Is(err, sql.ErrNoRows) && s.learn != "" && strings.HasPrefix(origin, s.learn) && offeredKey != "":
			key, known = offeredKey, false
		case errors.Is(err, sql.ErrNoRows):
			return &refusal{status: http.StatusForbidden, msg: "unknown log " + origin}
		case err != nil:
			return fmt.Errorf("log %s: %w", origin, err)
		}
		v, err := note.NewVerifier(key)
		if err != nil {
			return &refusal{status: http.StatusForbidden, msg: "the log's key is malformed"}
		}
		n, err := note.Open(cp, note.VerifierList(v))
		if err != nil {
			return &refusal{status: http.StatusForbidden, msg: "the checkpoint is not signed by the log's key"}
		}
		c, err := torchwood.ParseCheckpoint(n.Text)
		if err != nil || c.Origin != origin {
			return &refusal{status: http.StatusBadRequest, msg: "not a checkpoint"}
		}
		if oldSize != size {
			return &refusal{status: http.StatusConflict, known: size, msg: "old size"}
		}
		if oldSize > c.N {
			return &refusal{status: http.StatusBadRequest, msg: "old size beyond the checkpoint"}
		}
		if size > 0 {
			oldRoot, err := ledger.ParseHash(root)
			if err != nil {
				return fmt.Errorf("log %s: stored root: %w", origin, err)
			}
			if err := ledger.CheckTree(proof, c.N, ledger.Hash(c.Hash), size, oldRoot); err != nil {
				return &refusal{status: http.StatusUnprocessableEntity, kept: true, msg: err.Error()}
			}
		}
		now := s.now().UTC().Format(time.RFC3339)
		newRoot := base64.StdEncoding.EncodeToString(c.Hash[:])
		if known {
			_, err = tx.ExecContext(ctx, `UPDATE logs SET size = ?, root = ?, updated = ? WHERE origin = ? AND size = ?`, c.N, newRoot, now, origin, size)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO logs (origin, key, size, root, learned, updated) VALUES (?, ?, ?, ?, ?, ?)`, origin, key, c.N, newRoot, now, now)
		}
		if err != nil {
			return fmt.Errorf("keep checkpoint of %s: %w", origin, err)
		}
		signed, err := note.Sign(&note.Note{Text: n.Text}, s.signer)
		if err != nil {
			return fmt.Errorf("cosign %s: %w", origin, err)
		}
		i := bytes.LastIndex(signed, []byte("\n\n"))
		out = signed[i+2:]
		return nil
	})
	var rf *refusal
	if errors.As(err, &rf) && rf.kept {
		s.log.Warn("split view refused", "origin", origin, "old", oldSize, "reason", rf.msg)
		if _, kerr := s.db.ExecContext(ctx, `INSERT INTO refusals (at, origin, old_size, checkpoint, reason) VALUES (?, ?, ?, ?, ?)`,
			s.now().UTC().Format(time.RFC3339), origin, oldSize, string(cp), rf.msg); kerr != nil {
			s.log.Error("refusal not kept", "origin", origin, "err", kerr)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("add checkpoint of %s: %w", origin, err)
	}
	return out, nil
}

// Refusals counts the split views the witness refused of a log.
func (s *Server) Refusals(ctx context.Context, origin string) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM refusals WHERE origin = ?`, origin).Scan(&n); err != nil {
		return 0, fmt.Errorf("refusals of %s: %w", origin, err)
	}
	return n, nil
}
