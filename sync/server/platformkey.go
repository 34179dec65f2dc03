package server

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/web"
)

// keyName is the name every platform key carries; keys differ by hash.
const keyName = "sanxiang-platform"

// EnvPlatformKey names the environment variable that may hold the
// platform's receipt key itself (instead of a key file).
const EnvPlatformKey = "SANXIANG_PLATFORM_KEY"

// Where the receipt key came from, for the log.
const (
	keyFromEnv  = "environment"
	keyFromFile = "file"
	keyFromDB   = "database"
)

// ErrKeyFileOpen: the key file can be read by others than its owner.
var ErrKeyFileOpen = errors.New("platform key file readable by group or others")

// DefaultKeyFile is where the receipt key lives when Options names none: a
// file beside a SQLite database (path + ".key"); "" for PostgreSQL, whose
// instances each need the key given (--key-file or SANXIANG_PLATFORM_KEY).
func DefaultKeyFile(dbPath string) string {
	if strings.HasPrefix(dbPath, "postgres://") || strings.HasPrefix(dbPath, "postgresql://") {
		return ""
	}
	return dbPath + ".key"
}

// ErrNoKey: a platform on PostgreSQL was given no receipt key (no key file,
// no $SANXIANG_PLATFORM_KEY); the key never lives in the database.
var ErrNoKey = errors.New("no receipt key given")

// keyInfo is the platform's receipt key as Open found it.
type keyInfo struct {
	signer   string // PRIVATE+KEY+…
	verifier string
	source   string // keyFromEnv, keyFromFile, keyFromDB
	file     string // the key file, if any
}

// loadKey finds the platform's receipt key outside the database (o.Key,
// else the key file), moves a key still held in the database out to the
// key file, or makes one on a new platform; the database keeps the public
// verifiers only. It refuses a key file others can read, a key that is not
// this platform's, and a key that a rotation replaced.
func (s *Server) loadKey(ctx context.Context, dbPath string, o Options) (keyInfo, error) {
	k := keyInfo{file: o.KeyFile}
	if k.file == "" {
		k.file = DefaultKeyFile(dbPath)
	}
	var inDB, inDBVerifier string
	err := s.db.QueryRowContext(ctx, `SELECT signer, verifier FROM platform_key WHERE id = 1`).Scan(&inDB, &inDBVerifier)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return k, fmt.Errorf("platform key: %w", err)
	}
	known, err := s.verifiers(ctx)
	if err != nil {
		return k, err
	}
	moved := false
	switch {
	case o.Key != "":
		k.signer, k.source = strings.TrimSpace(o.Key), keyFromEnv
	case k.file != "":
		secret, err := readKeyFile(k.file)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return k, fmt.Errorf("platform key: %w", err)
		}
		k.signer, k.source = secret, keyFromFile
	}
	switch {
	case k.signer != "":
		if inDB != "" && inDB != k.signer {
			return k, fmt.Errorf("platform key: 数据库中保存的平台密钥与%s中的不同，平台不启动；请确认哪一个是本平台的密钥 "+
				"(the database holds another receipt key than the %s; the platform does not start)", k.where(), k.where())
		}
	case inDB != "" && k.file != "":
		// A database from before the key file: the key moves out.
		if err := writeKeyFile(k.file, inDB); err != nil {
			return k, err
		}
		k.signer, k.source, moved = inDB, keyFromFile, true
		s.log.Warn("平台签名密钥已从数据库移至密钥文件，数据库只保留公钥 (the receipt key moved out of the database into the key file; the database keeps only the public verifier)", "file", k.file)
	case inDB != "":
		// PostgreSQL has no folder of its own to put the key beside.
		return k, fmt.Errorf("platform key: %w: 平台签名密钥仍保存在数据库中；请用 --key-file 或 $%s_FILE 指定一个只有平台服务可读的文件，平台启动时把密钥移入该文件 "+
			"(the receipt key is still in the database: name a file only the service reads with --key-file or $%s_FILE, and the platform moves the key there)", ErrNoKey, EnvPlatformKey, EnvPlatformKey)
	case len(known) > 0:
		return k, fmt.Errorf("platform key: 数据库中已有平台公钥，但找不到对应的签名密钥（%s）；多实例部署时请复制第一台实例的密钥文件 "+
			"(the database has this platform's verifiers but no receipt key is given; copy the key file of the first instance): %w", k.where(), fs.ErrNotExist)
	default:
		// A new platform: make its key.
		secret, _, err := note.GenerateKey(rand.Reader, keyName)
		if err != nil {
			return k, fmt.Errorf("platform key: %w", err)
		}
		k.signer = secret
		if k.file == "" {
			return k, fmt.Errorf("platform key: %w: PostgreSQL 平台需要用 --key-file 或 $%s_FILE 指定签名密钥文件（各实例相同），或由 $%s 给出密钥 "+
				"(a PostgreSQL platform needs its receipt key file named with --key-file or $%s_FILE, the same for every instance, or the key in $%s)",
				ErrNoKey, EnvPlatformKey, EnvPlatformKey, EnvPlatformKey, EnvPlatformKey)
		}
		if err := writeKeyFile(k.file, secret); err != nil {
			return k, err
		}
		k.source = keyFromFile
		s.log.Info("已生成平台签名密钥 (made the platform's receipt key)", "file", k.file)
	}
	if k.verifier, err = verifierOf(k.signer); err != nil {
		return k, fmt.Errorf("platform key (%s): %w", k.where(), err)
	}
	if inDBVerifier != "" && len(known) == 0 {
		known = []string{inDBVerifier}
	}
	switch {
	case len(known) == 0:
		// A new platform (or one given its key from outside): its first key.
		if _, err := s.db.ExecContext(ctx, `INSERT INTO platform_verifiers (verifier, added) VALUES (?, ?)`,
			k.verifier, s.now().UTC().Format(time.RFC3339Nano)); err != nil {
			return k, fmt.Errorf("platform key: %w", err)
		}
	case known[len(known)-1] == k.verifier:
	case contains(known, k.verifier):
		return k, fmt.Errorf("platform key: %s中的平台密钥已被轮换替代，请使用新的密钥文件 (the receipt key in the %s was replaced by a rotation; use the new key)", k.where(), k.where())
	default:
		return k, fmt.Errorf("platform key: %s中的密钥不是本平台的密钥 (the key in the %s is not this platform's)", k.where(), k.where())
	}
	inDBSigner := ""
	if k.source == keyFromDB {
		inDBSigner = k.signer
	}
	if inDBVerifier == "" {
		_, err = s.db.ExecContext(ctx, `INSERT INTO platform_key (id, signer, verifier) VALUES (1, ?, ?)`, inDBSigner, k.verifier)
	} else if inDB != inDBSigner || inDBVerifier != k.verifier {
		_, err = s.db.ExecContext(ctx, `UPDATE platform_key SET signer = ?, verifier = ? WHERE id = 1`, inDBSigner, k.verifier)
		if inDB != "" && inDBSigner == "" && !moved {
			s.log.Warn("数据库中的平台签名密钥副本已删除，只保留公钥 (the database's copy of the receipt key was removed; it keeps the public verifier)", "key", k.where())
		}
	}
	if err != nil {
		return k, fmt.Errorf("platform key: %w", err)
	}
	return k, nil
}

func (k keyInfo) where() string {
	switch k.source {
	case keyFromEnv:
		return "环境变量 " + EnvPlatformKey + " (environment variable " + EnvPlatformKey + ")"
	case keyFromFile:
		return "密钥文件 " + k.file + " (key file " + k.file + ")"
	}
	return "数据库 (database)"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// verifiers are the platform's public keys, oldest first.
func (s *Server) verifiers(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT verifier FROM platform_verifiers ORDER BY added, verifier`)
	if err != nil {
		return nil, fmt.Errorf("platform verifiers: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("platform verifiers: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("platform verifiers: %w", err)
	}
	return out, nil
}

// readKeyFile reads a key file that only its owner can read.
func readKeyFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("platform key file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("platform key file: %w", err)
	}
	// Windows has no such bits; its ACLs are the installer's.
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("key file: 平台密钥文件 %s 的权限为 %04o，其他用户可以读取，平台不启动；请执行 chmod 600 %s "+
			"(the key file can be read by group or others; chmod 600 it): %w", path, st.Mode().Perm(), path, ErrKeyFileOpen)
	}
	data := make([]byte, 4096)
	n, err := f.Read(data)
	if err != nil {
		return "", fmt.Errorf("platform key file %s: %w", path, err)
	}
	secret := strings.TrimSpace(string(data[:n]))
	if secret == "" {
		return "", fmt.Errorf("platform key file %s is empty", path)
	}
	return secret, nil
}

// writeKeyFile writes a key to a new file only its owner can read (a file
// already there is never overwritten: it may be the only copy of a key).
func writeKeyFile(path, secret string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("platform key file: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("platform key file: %w", err)
	}
	if _, err := f.WriteString(secret + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("platform key file %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("platform key file %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("platform key file %s: %w", path, err)
	}
	return nil
}

// verifierOf derives the public verifier of a note signer key
// ("PRIVATE+KEY+name+hash+base64(alg, seed)").
func verifierOf(skey string) (string, error) {
	if _, err := note.NewSigner(skey); err != nil {
		return "", fmt.Errorf("not a platform key: %w", err)
	}
	// The key data's base64 may hold "+": cut the fields off the front.
	name, rest, _ := strings.Cut(strings.TrimPrefix(skey, "PRIVATE+KEY+"), "+")
	_, data, _ := strings.Cut(rest, "+")
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", errors.New("not an Ed25519 platform key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	v, err := note.NewEd25519VerifierKey(name, pub)
	if err != nil {
		return "", fmt.Errorf("not a platform key: %w", err)
	}
	return v, nil
}

// RotationText is the text of the note that moves devices from one
// platform key to the next; the old key and the new one both sign it.
func RotationText(old, next string, at time.Time) string {
	return "sanxiang-platform key rotation\nold " + old + "\nnew " + next + "\nat " + at.UTC().Format(time.RFC3339) + "\n"
}

// RotateKey makes a new receipt key, records its verifier with a rotation
// note signed by the current key and the new one, signs every recovery key
// note again with both (in the same transaction), and writes the new key
// to newFile (a new file; the current key file when "" and the key came
// from one, replaced once the database holds the verifier). The old
// verifiers stay: receipts signed before still verify. Every instance must
// be restarted with the new key; one still holding the old key refuses to
// start. It returns the new verifier.
func (s *Server) RotateKey(ctx context.Context, newFile string) (string, error) {
	target, replace := newFile, false
	if target == "" {
		if s.key.source != keyFromFile {
			return "", fmt.Errorf("rotate the platform key: 当前密钥来自%s，请用 --key-file 指定新密钥的文件 (the key came from the %s: name a file for the new key)", s.key.where(), s.key.where())
		}
		target, replace = s.key.file+".new", true
		os.Remove(target) // left by a rotation that failed before its database step
	}
	secret, verifier, err := note.GenerateKey(rand.Reader, keyName)
	if err != nil {
		return "", fmt.Errorf("rotate the platform key: %w", err)
	}
	next, err := note.NewSigner(secret)
	if err != nil {
		return "", fmt.Errorf("rotate the platform key: %w", err)
	}
	signed, err := note.Sign(&note.Note{Text: RotationText(s.verifier, verifier, s.now())}, s.signer, next)
	if err != nil {
		return "", fmt.Errorf("rotate the platform key: %w", err)
	}
	if err := writeKeyFile(target, secret); err != nil {
		return "", fmt.Errorf("rotate the platform key: %w", err)
	}
	inDB := ""
	if s.key.source == keyFromDB {
		inDB = secret
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.db.Q(`INSERT INTO platform_verifiers (verifier, added, rotation) VALUES (?, ?, ?)`),
			verifier, s.now().UTC().Format(time.RFC3339Nano), string(signed)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.db.Q(`UPDATE platform_key SET signer = ?, verifier = ? WHERE id = 1`), inDB, verifier); err != nil {
			return err
		}
		return s.resignRecoveryNotes(ctx, tx, next)
	})
	if err != nil {
		os.Remove(target)
		return "", fmt.Errorf("rotate the platform key: %w", err)
	}
	if replace {
		if err := os.Rename(target, s.key.file); err != nil {
			return verifier, fmt.Errorf("rotate the platform key: the new key is in %s, move it to %s by hand: %w", target, s.key.file, err)
		}
	}
	s.log.Info("平台签名密钥已轮换 (the platform's receipt key was rotated)", "old", s.verifier, "new", verifier)
	return verifier, nil
}

func (s *Server) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// KeySet is the platform's verifiers and the rotation notes between them.
func (s *Server) KeySet(ctx context.Context) (api.KeySet, error) {
	set := api.KeySet{Verifier: s.verifier}
	rows, err := s.db.QueryContext(ctx, `SELECT verifier, rotation FROM platform_verifiers ORDER BY added, verifier`)
	if err != nil {
		return set, fmt.Errorf("platform key set: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v, rot string
		if err := rows.Scan(&v, &rot); err != nil {
			return set, fmt.Errorf("platform key set: %w", err)
		}
		set.Verifiers = append(set.Verifiers, v)
		if rot != "" {
			set.Rotations = append(set.Rotations, rot)
		}
	}
	if err := rows.Err(); err != nil {
		return set, fmt.Errorf("platform key set: %w", err)
	}
	if set.Recovery, err = s.RecoveryNotes(ctx); err != nil {
		return set, fmt.Errorf("platform key set: %w", err)
	}
	return set, nil
}

func (s *Server) keySet(w http.ResponseWriter, r *http.Request) {
	set, err := s.KeySet(r.Context())
	web.Respond(w, r, set, err)
}
