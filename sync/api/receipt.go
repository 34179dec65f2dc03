package api

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// HeaderReceipt is the header in which the platform answers an upload's
// last PATCH (tus) with the evidence file's receipt. Its value is
// EncodeReceipt of the signed note: standard, padded base64 (RFC 4648 §4)
// of the note's exact bytes, one line, printable ASCII only. The same
// note, undecoded, is the "receipt" of GET PathMediaSHA's JSON body.
const HeaderReceipt = "Sanxiang-Receipt"

// ErrReceiptHeader is a Sanxiang-Receipt value that is not a receipt in
// either form DecodeReceipt reads: a header changed on its way, not a
// receipt whose signature was checked and failed.
var ErrReceiptHeader = errors.New("the Sanxiang-Receipt header is neither base64 nor the older |-separated form")

// EncodeReceipt is a signed receipt note as it travels in HeaderReceipt.
// The note is not ASCII (its signature lines begin with an em dash,
// U+2014), and HTTP clients that read header values as Latin-1 (Node,
// browsers' fetch and XMLHttpRequest) hand their caller other characters,
// whose signature no longer holds; base64 is printable ASCII, which every
// client passes through as it is.
func EncodeReceipt(note string) string {
	return base64.StdEncoding.EncodeToString([]byte(note))
}

// DecodeReceipt reads a HeaderReceipt value back into the signed note,
// whose signature the caller then checks. Base64 is decoded strictly
// (the padding bits must be zero), so that every changed character is
// refused, here or by the signature.
//
// A value holding "|" is read as platforms before issue 22 sent it: the
// note with each "\n" as "|" (base64's alphabet has no "|", so the two
// forms never meet). A desk updated before its platform keeps getting its
// receipts that way; it gives nothing away, since the note's signature is
// checked the same whichever form carried it. Anything else is
// ErrReceiptHeader.
func DecodeReceipt(v string) (string, error) {
	if strings.Contains(v, "|") {
		return strings.ReplaceAll(v, "|", "\n"), nil
	}
	b, err := base64.StdEncoding.Strict().DecodeString(v)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrReceiptHeader, err)
	}
	if len(b) == 0 {
		return "", fmt.Errorf("%w: empty", ErrReceiptHeader)
	}
	return string(b), nil
}
