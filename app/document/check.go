package document

import (
	"context"
	"encoding/hex"
	"fmt"
	"image"
	"net/url"
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/mod/sumdb/note"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
)

// 扫码验真: every printed document carries what lets anyone check it
// against the platform's copy of the device's log. For a document that
// is the record's leaf hash (what the device's checkpoints, the witnesses'
// cosignatures and the time-stamps cover) and its place in the log
// (device and seq); for a case file's cover the checkpoint it prints
// (device, size and root). A QR code opens the platform's verdict page;
// the reference and a short hash are printed beside it for people to type.
// Without a platform to point to no QR is printed — never a code to
// nowhere — and the text says to check with the agency.

// VerdictPath is where the platform answers for record or log size n of
// device: /v/{device}/{n}; the query names the hash (h for a record's
// leaf, root for a checkpoint's root).
const VerdictPath = "/v/"

// VerifyFormPath is the platform's page that explains how to check a
// document and takes a typed reference and hash.
const VerifyFormPath = "/p/verify"

// ShortHash is how many hex digits of the hash are printed beside the QR
// for a person to type (64 bits: no one makes another record match).
const ShortHash = 16

// Check is what one printed document carries to be checked.
type Check struct {
	// Platform is the platform's base URL; "" prints no QR code.
	Platform string
	// Device is the platform's id of the device whose log holds it.
	Device string
	// N is the record's seq, or the log's size for a checkpoint.
	N int64
	// Hash is the record's leaf hash, or the checkpoint's root.
	Hash ledger.Hash
	// Log marks a checkpoint (a case file's cover), not one record.
	Log bool
}

// URL is the verdict page the QR code opens; "" without a platform.
func (c Check) URL() string {
	if c.Platform == "" {
		return ""
	}
	param := "h"
	if c.Log {
		param = "root"
	}
	return strings.TrimRight(c.Platform, "/") + VerdictPath + url.PathEscape(c.Device) + "/" + strconv.FormatInt(c.N, 10) +
		"?" + param + "=" + hex.EncodeToString(c.Hash[:])
}

// Ref is the reference printed for people: DEVICE-#seq for a record,
// DEVICE-@size for a checkpoint.
func (c Check) Ref() string {
	if c.Log {
		return c.Device + "@" + strconv.FormatInt(c.N, 10)
	}
	return c.Device + "#" + strconv.FormatInt(c.N, 10)
}

// Short is the hash's first ShortHash hex digits.
func (c Check) Short() string { return hex.EncodeToString(c.Hash[:])[:ShortHash] }

// DeviceID is the platform's id of the device whose log verifies with
// verifier: the key's name without "sanxiang-", as the platform enrols it.
func DeviceID(verifier string) (string, error) {
	v, err := note.NewVerifier(verifier)
	if err != nil {
		return "", fmt.Errorf("device id: %w", err)
	}
	return strings.TrimPrefix(v.Name(), "sanxiang-"), nil
}

// CheckOf is the check a document record seq of case caseID in l prints,
// pointing to platform ("" for none).
func CheckOf(ctx context.Context, l *casefile.Log, caseID string, seq int64, platform string) (Check, error) {
	dev, err := DeviceID(l.Verifier)
	if err != nil {
		return Check{}, fmt.Errorf("check of record %d: %w", seq, err)
	}
	leaves, err := l.LeafHashes(ctx, caseID)
	if err != nil {
		return Check{}, fmt.Errorf("check of record %d: %w", seq, err)
	}
	h, ok := leaves[seq]
	if !ok {
		return Check{}, fmt.Errorf("check of record %d: not a record of case %s", seq, caseID)
	}
	return Check{Platform: platform, Device: dev, N: seq, Hash: h}, nil
}

// Where the mark goes: the top right corner of every page, in the top
// margin, clear of the agency's name.
const (
	qrSize  = 18.0 // mm
	qrTop   = 2.5
	qrGap   = 2.5 // between the text and the code's quiet zone
	sizeQR  = 7.0 // the text beside it, in points
	qrRight = pageW - marginR
)

// checkOps draws c's mark: the QR code (dark modules as filled
// rectangles, one per run, so the PDF stays vector) and beside it the
// words to check by hand.
func checkOps(c *Check) ([]op, error) {
	if c == nil {
		return nil, nil
	}
	var ops []op
	textRight := qrRight
	if u := c.URL(); u != "" {
		q, err := qrcode.New(u, qrcode.Medium)
		if err != nil {
			return nil, fmt.Errorf("qr code of %s: %w", c.Ref(), err)
		}
		q.DisableBorder = true
		bits := q.Bitmap()
		m := qrSize / float64(len(bits))
		x0 := qrRight - qrSize
		for y, row := range bits {
			for x := 0; x < len(row); {
				if !row[x] {
					x++
					continue
				}
				start := x
				for x < len(row) && row[x] {
					x++
				}
				ops = append(ops, op{kind: 'r', x: x0 + float64(start)*m, y: qrTop + float64(y)*m, w: float64(x-start) * m, h: m})
			}
		}
		textRight = x0 - qrGap
	}
	title, how := words["check_title"], words["check_offline"]
	if c.URL() != "" {
		how = fmt.Sprintf(words["check_site"], strings.TrimRight(c.Platform, "/")+VerifyFormPath)
	}
	ref := fmt.Sprintf(words["check_ref"], c.Ref())
	if c.Log {
		title, ref = words["check_title_log"], fmt.Sprintf(words["check_log_ref"], c.Ref())
	}
	h := sizeQR * ptMM * 1.45
	top := qrTop + 0.5
	for _, s := range []string{title, ref, fmt.Sprintf(words["check_hash"], c.Short()), how} {
		ops = append(ops, op{kind: 't', x: textRight - width(s, sizeQR), y: top + sizeQR*ptMM*ascentFactor, size: sizeQR, s: s})
		top += h
	}
	return ops, nil
}

// MarkBounds is the part of a page drawn with bounds b that holds the
// check's QR code (the top right corner with its quiet zone): where a
// reader looks for it.
func MarkBounds(b image.Rectangle) image.Rectangle {
	mm := float64(b.Dx()) / pageW
	return image.Rect(b.Min.X+int((qrRight-qrSize-6)*mm), b.Min.Y, b.Max.X, b.Min.Y+int((qrTop+qrSize+5)*mm))
}
