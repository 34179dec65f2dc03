package witness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/sanxiang-desk/sanxiang/app/ledger"
)

// LogKeyHeader carries the log's verifier key with an add-checkpoint
// request: a witness that does not know the log yet learns the key on
// first sight (trust on first use) if the origin is one it takes so.
const LogKeyHeader = "Sanxiang-Log-Key"

// ConflictError is a witness's 409: it holds the log at another size than
// the request's old size. Known is that size; the caller proves from it.
type ConflictError struct{ Known int64 }

func (e *ConflictError) Error() string {
	return fmt.Sprintf("the witness holds the log at size %d", e.Known)
}

// Errors a witness answers with.
var (
	ErrSplitView  = errors.New("the witness refused the checkpoint: inconsistent with what it saw (split view)")
	ErrUnknownLog = errors.New("the witness does not know the log or its key")
	ErrBadRequest = errors.New("the witness found the request malformed")
	ErrWitness    = errors.New("the witness did not answer")
)

// RequestBody is a C2SP tlog-witness add-checkpoint body: "old N", one
// proof hash a line, a blank line, the signed checkpoint.
func RequestBody(oldSize int64, proof []ledger.Hash, checkpoint []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "old %d\n", oldSize)
	for _, h := range proof {
		b.WriteString(h.String() + "\n")
	}
	b.WriteString("\n")
	b.Write(checkpoint)
	return b.Bytes()
}

// AddCheckpoint asks witness w to cosign checkpoint (a signed note), which
// extends the tree of oldSize records by proof. logKey is the log's
// verifier key, for a witness that learns logs on first sight. It returns
// the witness's cosignature line(s), checked against w's key.
func AddCheckpoint(ctx context.Context, hc *http.Client, w Witness, oldSize int64, proof []ledger.Hash, checkpoint []byte, logKey string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL+"/add-checkpoint", bytes.NewReader(RequestBody(oldSize, proof, checkpoint)))
	if err != nil {
		return nil, fmt.Errorf("add checkpoint at %s: %w", w.Name, err)
	}
	req.Header.Set(LogKeyHeader, logKey)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("add checkpoint at %s: %w: %v", w.Name, ErrWitness, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("add checkpoint at %s: %w: %v", w.Name, ErrWitness, err)
	}
	msg := strings.TrimSpace(string(body))
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusConflict:
		known, err := strconv.ParseInt(msg, 10, 64)
		if err != nil || known < 0 {
			return nil, fmt.Errorf("add checkpoint at %s: %w: 409 without a size", w.Name, ErrWitness)
		}
		return nil, &ConflictError{Known: known}
	case http.StatusUnprocessableEntity:
		return nil, fmt.Errorf("add checkpoint at %s: %w: %s", w.Name, ErrSplitView, msg)
	case http.StatusForbidden, http.StatusNotFound:
		return nil, fmt.Errorf("add checkpoint at %s: %w: %s", w.Name, ErrUnknownLog, msg)
	case http.StatusBadRequest:
		return nil, fmt.Errorf("add checkpoint at %s: %w: %s", w.Name, ErrBadRequest, msg)
	default:
		return nil, fmt.Errorf("add checkpoint at %s: %w: status %d: %s", w.Name, ErrWitness, resp.StatusCode, msg)
	}
	// The lines must be w's and verify over the checkpoint: what the
	// platform keeps, a court checks.
	withCosig := append(append([]byte{}, checkpoint...), body...)
	if _, err := VerifyCosigned(withCosig, Policy{Witnesses: []Witness{w}, Quorum: 1}); err != nil {
		return nil, fmt.Errorf("add checkpoint at %s: the cosignature: %w", w.Name, err)
	}
	return body, nil
}

// Merge puts cosignature lines after a signed note's own signatures: the
// cosigned note the contract stores (checkpoint body, the device's line,
// one line a witness), witnesses in the order given.
func Merge(checkpoint []byte, cosigs ...[]byte) []byte {
	out := append([]byte{}, checkpoint...)
	for _, c := range cosigs {
		out = append(out, c...)
	}
	return out
}

// Body is a signed note's text, without its signatures.
func Body(msg []byte) (string, error) {
	i := bytes.LastIndex(msg, []byte("\n\n"))
	if i < 0 {
		return "", fmt.Errorf("%w: no signatures", ErrCosigForm)
	}
	return string(msg[:i+1]), nil
}

var _ note.Verifier = (*cosigVerifier)(nil)
