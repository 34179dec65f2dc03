package ledger

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/sanxiang-desk/sanxiang/app/store/seal"
)

// ErrSealedLog is returned for any read of a sealed log's content (its
// records, received records or device key) when it was opened without
// keys: its origin, verifier, checkpoints and receipts stay readable.
var ErrSealedLog = errors.New("the log is sealed: sign in or give the recovery key")

// ErrUnsealedLog is returned when keys are given for a log written in
// plaintext: the device seals such a folder first (its upgrade), and the
// ledger never mixes sealed and plaintext rows in one log.
var ErrUnsealedLog = errors.New("the log is not sealed: the folder must be sealed before it is opened with keys")

// The contexts sealed blobs are bound to: a blob moved to another row
// does not open (seal.ErrCorrupt).
func recContext(seq int64) []byte { return []byte("rec/" + strconv.FormatInt(seq, 10)) }

func recvContext(device string, seq int64) []byte {
	return []byte("recv/" + device + "/" + strconv.FormatInt(seq, 10))
}

var deviceKeyContext = []byte("device_key")

// IsSealed says whether the log's content is sealed at rest.
func (l *Log) IsSealed() bool { return l.sealed }

// readSealing reads whether the log has its sealing row.
func (l *Log) readSealing(ctx context.Context) error {
	var id string
	err := l.db.QueryRowContext(ctx, `SELECT key_id FROM sealing WHERE id = 1`).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		l.sealed = false
	case err != nil:
		return fmt.Errorf("open log: sealing: %w", err)
	default:
		l.sealed = true
	}
	return nil
}

// keysFor are the keys a read of sealed content needs: ErrSealedLog when
// the log was opened without any.
func (l *Log) keysFor(what string) (seal.Keys, error) {
	if l.opt.Keys == nil {
		return nil, fmt.Errorf("%s: %w", what, ErrSealedLog)
	}
	return l.opt.Keys, nil
}

// open gives record seq's bytes (the ones its leaf hash covers) from what
// the records table stores.
func (l *Log) open(seq int64, stored []byte) ([]byte, error) {
	if !l.sealed {
		return stored, nil
	}
	k, err := l.keysFor(fmt.Sprintf("record %d", seq))
	if err != nil {
		return nil, err
	}
	p, err := seal.Open(k, stored, recContext(seq))
	if err != nil {
		return nil, fmt.Errorf("open record %d: %w", seq, err)
	}
	return p, nil
}

// sealRecord is what the records table stores for record seq's bytes.
func (l *Log) sealRecord(seq int64, data []byte) ([]byte, error) {
	if !l.sealed {
		return data, nil
	}
	k, err := l.keysFor(fmt.Sprintf("seal record %d", seq))
	if err != nil {
		return nil, err
	}
	return sealRecordBytes(k, seq, data)
}

// openRecv gives a received record's bytes from what received_records
// stores.
func (l *Log) openRecv(device string, seq int64, stored []byte) ([]byte, error) {
	if !l.sealed {
		return stored, nil
	}
	k, err := l.keysFor(fmt.Sprintf("received record %s #%d", device, seq))
	if err != nil {
		return nil, err
	}
	p, err := seal.Open(k, stored, recvContext(device, seq))
	if err != nil {
		return nil, fmt.Errorf("open received record %s #%d: %w", device, seq, err)
	}
	return p, nil
}

// sealRecv is what received_records stores for a received record's bytes.
func (l *Log) sealRecv(device string, seq int64, data []byte) ([]byte, error) {
	if !l.sealed {
		return data, nil
	}
	k, err := l.keysFor(fmt.Sprintf("seal received record %s #%d", device, seq))
	if err != nil {
		return nil, err
	}
	return sealReceivedBytes(k, device, seq, data)
}

// sealSigner is the device_key.signer column for a signer key: a sealed
// blob in base64 (the column is TEXT) in a sealed log.
func sealSigner(k seal.Keys, skey string) (string, error) {
	b, err := seal.Seal(k, []byte(skey), deviceKeyContext)
	if err != nil {
		return "", fmt.Errorf("seal device key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// deviceSigner is the device's checkpoint signer, unsealed at its first
// use: a sealed log opens while the vault is locked, and an append then
// fails with seal.ErrLocked.
func (l *Log) deviceSigner() (note.Signer, error) {
	l.keyMu.Lock()
	defer l.keyMu.Unlock()
	if l.signer != nil {
		return l.signer, nil
	}
	skey := l.storedSigner
	if l.sealed {
		k, err := l.keysFor("device key")
		if err != nil {
			return nil, err
		}
		blob, err := base64.StdEncoding.DecodeString(skey)
		if err != nil {
			return nil, fmt.Errorf("device key: %w", seal.ErrCorrupt)
		}
		p, err := seal.Open(k, blob, deviceKeyContext)
		if err != nil {
			return nil, fmt.Errorf("device key: %w", err)
		}
		skey = string(p)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("device key: %w", err)
	}
	l.signer = s
	return s, nil
}

// sinceNow is the sealing row's time.
func sinceNow(now time.Time) string { return now.UTC().Format(time.RFC3339) }

// sealRecordBytes is what a sealed log's records.data holds for record
// seq's bytes (the log's appends and the upgrade's copy).
func sealRecordBytes(k seal.Keys, seq int64, data []byte) ([]byte, error) {
	b, err := seal.Seal(k, data, recContext(seq))
	if err != nil {
		return nil, fmt.Errorf("seal record %d: %w", seq, err)
	}
	return b, nil
}

// sealReceivedBytes is what received_records.data holds for a record of
// device's log.
func sealReceivedBytes(k seal.Keys, device string, seq int64, data []byte) ([]byte, error) {
	b, err := seal.Seal(k, data, recvContext(device, seq))
	if err != nil {
		return nil, fmt.Errorf("seal received record %s #%d: %w", device, seq, err)
	}
	return b, nil
}
