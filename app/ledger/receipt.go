package ledger

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// A receipt is the platform's countersignature of a device's checkpoint:
// the checkpoint's origin, size and root, and then, as an extension line
// of the C2SP checkpoint form, the time the platform received the log,
// under the same signature. The time is the platform's word, not the
// device's: a device keeps it, and its own clock may not fall behind it
// (ErrClockBehind).
const receiptTimePrefix = "time "

// ReceiptText is what the platform signs as a log's receipt.
func ReceiptText(origin string, size int64, root Hash, at time.Time) string {
	return checkpointText(origin, size, root) + receiptTimePrefix + at.UTC().Format(time.RFC3339) + "\n"
}

// Receipt is a receipt's content, its signature checked.
type Receipt struct {
	Origin string
	Size   int64
	Root   string // base64, as signed
	// Time is the platform's receive time; zero for a receipt signed
	// before receipts carried one.
	Time time.Time
	Note string
}

// ErrReceiptForged is a receipt whose platform signature does not hold:
// its text (the time in it, say) was changed after the platform signed
// it, or another key signed it. It is also an ErrBadReceipt.
var ErrReceiptForged = errors.New("the receipt's platform signature does not hold: forged or altered")

// openReceipt opens a receipt (a log's or a media file's) with the
// platform's verifier. The note package reads a signature's base64
// leniently: the unused bits of its last character may be changed and the
// signature still holds. A receipt so changed is not what the platform
// signed and is refused like any other change, so that every byte of a
// receipt is checked (canonical base64 is what note.Sign writes).
func openReceipt(msg string, v note.Verifier) (*note.Note, error) {
	n, err := note.Open([]byte(msg), note.VerifierList(v))
	if err != nil {
		return nil, err
	}
	for _, sig := range n.Sigs {
		if _, err := base64.StdEncoding.Strict().DecodeString(sig.Base64); err != nil {
			return nil, fmt.Errorf("signature by %s changed after signing (not canonical base64: %v)", sig.Name, err)
		}
	}
	return n, nil
}

// ParseReceipt checks a receipt's signature with the platform's key and
// reads it.
func ParseReceipt(msg, platformKey string) (Receipt, error) {
	v, err := note.NewVerifier(platformKey)
	if err != nil {
		return Receipt{}, fmt.Errorf("%w: platform key: %v", ErrBadReceipt, err)
	}
	n, err := openReceipt(msg, v)
	if err != nil {
		return Receipt{}, fmt.Errorf("%w: %w: %v", ErrBadReceipt, ErrReceiptForged, err)
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) < 3 {
		return Receipt{}, fmt.Errorf("%w: malformed", ErrBadReceipt)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size <= 0 {
		return Receipt{}, fmt.Errorf("%w: size", ErrBadReceipt)
	}
	if raw, err := base64.StdEncoding.DecodeString(lines[2]); err != nil || len(raw) != tlog.HashSize {
		return Receipt{}, fmt.Errorf("%w: root", ErrBadReceipt)
	}
	rc := Receipt{Origin: lines[0], Size: size, Root: lines[2], Note: msg}
	for _, ext := range lines[3:] {
		if t, ok := strings.CutPrefix(ext, receiptTimePrefix); ok {
			if rc.Time, err = time.Parse(time.RFC3339, t); err != nil {
				return Receipt{}, fmt.Errorf("%w: time %q", ErrBadReceipt, t)
			}
		}
	}
	return rc, nil
}
