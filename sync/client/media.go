package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// ErrCorrupt is returned when the platform found the uploaded bytes do not
// hash to the file's SHA-256: the upload is discarded and starts again.
var ErrCorrupt = errors.New("the platform refused the upload: its SHA-256 did not match")

// ChunkSize is the most one PATCH carries unless Client.Chunk says
// otherwise: a broken connection costs at most this much again (the
// platform keeps what arrived of a PATCH cut short, so usually far less).
// Each PATCH ends in a pause, the platform writing and hashing the last of
// it before it answers, so on a fast network bigger is faster: a GiB over
// loopback here took 1.5 s in 16 MiB PATCHes, 1.3 s in 32 MiB, 1.4 s in
// 64 MiB. The client holds two chunks in memory.
const ChunkSize = 32 << 20

// firstChunk is what an upload's PATCHes start at. The size then follows
// the network: doubled after a PATCH that took under a second, halved
// after one that took over four, so that on a slow link progress moves
// every second or so and a break costs little, and on a fast one the
// pause at each PATCH's end is paid seldom.
const firstChunk = 4 << 20

// Upload is the progress of one file.
type Upload struct {
	SHA256      string
	Sent, Total int64
}

// UploadMedia sends one evidence file by the tus protocol and keeps the
// platform's receipt. It asks first whether the platform holds the file
// already, resumes an upload begun earlier (even in a previous run of the
// app) from the offset the platform reports, and on any break asks that
// offset again, so at most one chunk is sent twice.
func (c *Client) UploadMedia(ctx context.Context, l *casefile.Log, d casefile.Digest, progress func(Upload)) (err error) {
	defer wrap(&err, "upload")
	if rc, err := l.MediaReceipt(ctx, d); err != nil || rc != "" {
		return err
	}
	// The stored file is opened (a sealed one is read as its plaintext):
	// the platform gets the evidence itself over TLS, and its SHA-256.
	f, err := l.Media().Open(d)
	if err != nil {
		return err
	}
	defer f.Close()
	size := f.Size()
	// Already there?
	var held struct {
		Receipt string `json:"receipt"`
	}
	resp, err := c.r.R().SetContext(ctx).SetResult(&held).Get(api.PathMediaSHA + d.String())
	if err == nil && resp.StatusCode() == http.StatusOK {
		return c.keep(ctx, held.Receipt, func(key string) error { return l.KeepMediaReceipt(ctx, d, size, held.Receipt, key) })
	}
	// Uploads speak tus directly. Creating an upload and asking its offset
	// are retried by the transport; a PATCH is not, since after a break the
	// upload resumes from the offset the platform reports instead.
	tus := c.tus(true)
	patcher := c.tus(false)
	loc, err := l.UploadLocation(ctx, d)
	if err != nil {
		return err
	}
	limit := c.Chunk
	if limit <= 0 {
		limit = ChunkSize
	}
	chunk := min(int64(firstChunk), limit)
	ahead := &readAhead{f: f}
	defer ahead.wait()
	failures := 0 // failed steps in a row, for resume
	next := int64(-1)
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if loc == "" {
			meta := "sha256 " + base64.StdEncoding.EncodeToString([]byte(d.String()))
			resp, err := tus.R().SetContext(ctx).SetHeader("Upload-Length", strconv.FormatInt(size, 10)).
				SetHeader("Upload-Metadata", meta).Post(api.PathMedia)
			if err := fail(resp, err); err != nil {
				return fmt.Errorf("create upload: %w", err)
			}
			u, err := url.Parse(resp.Header().Get("Location"))
			if err != nil || resp.StatusCode() != http.StatusCreated {
				return fmt.Errorf("create upload: answer %d, location %q", resp.StatusCode(), resp.Header().Get("Location"))
			}
			loc = u.Path // the platform may answer from another address later
			if err := l.SetUploadLocation(ctx, d, loc); err != nil {
				return err
			}
		}
		// The offset comes from the last PATCH's answer; after a break (or
		// at the start) the platform is asked.
		offset := next
		next = -1
		if offset < 0 {
			head, err := tus.R().SetContext(ctx).Head(loc)
			if err == nil && (head.StatusCode() == http.StatusNotFound || head.StatusCode() == http.StatusGone) {
				loc = "" // the platform dropped it: begin again
				if err := l.SetUploadLocation(ctx, d, ""); err != nil {
					return err
				}
				continue
			}
			if err := fail(head, err); err != nil {
				return fmt.Errorf("upload offset: %w", err)
			}
			if offset, err = strconv.ParseInt(head.Header().Get("Upload-Offset"), 10, 64); err != nil {
				return fmt.Errorf("upload offset: %w", err)
			}
		}
		if progress != nil {
			progress(Upload{SHA256: d.String(), Sent: offset, Total: size})
		}
		if offset >= size {
			// Complete, but the answer with the receipt was lost: ask for it.
			resp, err := c.r.R().SetContext(ctx).SetResult(&held).Get(api.PathMediaSHA + d.String())
			if err == nil && resp.StatusCode() == http.StatusOK {
				if err := l.SetUploadLocation(ctx, d, ""); err != nil {
					return err
				}
				return c.keep(ctx, held.Receipt, func(key string) error { return l.KeepMediaReceipt(ctx, d, size, held.Receipt, key) })
			}
			if err := resume(ctx, &failures, resp, err); err != nil {
				return err
			}
			continue
		}
		body, err := ahead.take(offset, min(chunk, size-offset))
		if err != nil {
			return fmt.Errorf("read evidence file: %w", err)
		}
		n := int64(len(body))
		// While this chunk travels, the next one is read.
		if offset+n < size {
			ahead.start(offset+n, min(chunk, size-offset-n))
		}
		sent := time.Now()
		// A *bytes.Reader body gives the request its Content-Length, and
		// resty sends it as it is: any other reader resty would first read
		// whole into a buffer of its own (to resend it on a redirect).
		patch, err := patcher.R().SetContext(ctx).SetHeader("Upload-Offset", strconv.FormatInt(offset, 10)).
			SetHeader("Content-Type", "application/offset+octet-stream").
			SetBody(bytes.NewReader(body)).Patch(loc)
		if err == nil && patch.StatusCode() == 460 {
			if err := l.SetUploadLocation(ctx, d, ""); err != nil {
				return err
			}
			return ErrCorrupt
		}
		if err != nil || patch.StatusCode() != http.StatusNoContent {
			// net/http may still be reading a failed request's body: the
			// next attempt gets buffers of its own.
			ahead.renew()
			if err := resume(ctx, &failures, patch, err); err != nil {
				return err
			}
			continue
		}
		failures = 0
		switch took := time.Since(sent); {
		case took < time.Second:
			chunk = min(2*chunk, limit)
		case took > 4*time.Second:
			chunk = max(chunk/2, min(int64(firstChunk), limit))
		}
		if o, err := strconv.ParseInt(patch.Header().Get("Upload-Offset"), 10, 64); err == nil && o > offset {
			next = o
		}
		if rc := patch.Header().Get(api.HeaderReceipt); rc != "" {
			if err := l.SetUploadLocation(ctx, d, ""); err != nil {
				return err
			}
			if progress != nil {
				progress(Upload{SHA256: d.String(), Sent: size, Total: size})
			}
			// Base64 from this platform; the older "|" form from one not yet
			// updated is read too (api.DecodeReceipt says why).
			msg, err := api.DecodeReceipt(rc)
			if err != nil {
				return fmt.Errorf("receipt of %s: %w", d, err)
			}
			return c.keep(ctx, msg, func(key string) error { return l.KeepMediaReceipt(ctx, d, size, msg, key) })
		}
	}
}

// tus is a client for the upload protocol over the device's checked
// transport; retried through the Retry transport, or not at all. Each
// attempt has five minutes.
func (c *Client) tus(retried bool) *resty.Client {
	next := transport(c.id.TLSPin)
	r := resty.New().SetBaseURL(c.id.Platform).SetAuthToken(c.id.Token).
		SetHeader("Tus-Resumable", "1.0.0").SetLogger(quiet{})
	if !retried {
		return r.SetTransport(next).SetTimeout(5 * time.Minute)
	}
	rt := NewRetry(next)
	rt.Timeout = 5 * time.Minute
	return r.SetTransport(rt)
}

// resume waits after a PATCH that did not go through (or a receipt not
// there yet), longer each time, before the upload asks where it stands and
// goes on; it gives up after eight in a row (the next sync resumes where
// this one stopped). A refusal no wait can change (forbidden, too large)
// is final at once; a bad request may be a body cut short on the way, and
// is tried again.
func resume(ctx context.Context, failures *int, resp *resty.Response, err error) error {
	*failures++
	if resp != nil && resp.StatusCode() == http.StatusUnauthorized {
		return fmt.Errorf("%w: %v", ErrUnauthorized, fail(resp, err))
	}
	if err == nil && resp != nil {
		switch resp.StatusCode() {
		case http.StatusForbidden, http.StatusRequestEntityTooLarge:
			return fail(resp, nil)
		}
	}
	if *failures > 8 {
		if err != nil {
			return fmt.Errorf("%w: upload interrupted: %w", ErrUnreachable, err)
		}
		return fail(resp, nil)
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Duration(*failures*(*failures)) * 100 * time.Millisecond):
		return nil
	}
}

// PushMedia uploads every referenced evidence file without a receipt and
// says how many it uploaded. A file that fails by itself (refused as
// corrupt or too large, unreadable here) does not hold back the others; no
// network, a refused token, the platform in trouble (5xx) or the end of
// ctx stops the rest.
func (c *Client) PushMedia(ctx context.Context, l *casefile.Log, progress func(Upload)) (int, error) {
	pending, err := l.MediaPending(ctx)
	if err != nil {
		return 0, fmt.Errorf("push evidence: %w", err)
	}
	done := 0
	var failed []error
	for _, d := range pending {
		err := c.UploadMedia(ctx, l, d, progress)
		if err == nil {
			done++
			continue
		}
		failed = append(failed, fmt.Errorf("%s: %w", d, err))
		var refused *Error
		if ctx.Err() != nil || errors.Is(err, ErrUnreachable) || errors.Is(err, ErrUnauthorized) ||
			errors.As(err, &refused) && refused.Status >= 500 {
			break
		}
	}
	return done, errors.Join(failed...)
}

// readAhead reads the next chunk of the file into one buffer while the
// last one, in the other, is sent: the upload does not stop at every chunk
// to read the file.
type readAhead struct {
	f    io.ReaderAt
	bufs [2][]byte
	cur  int // the buffer take returned last

	off, n int64      // what the read under way reads
	done   chan error // nil when none is under way
}

// buf is buffer i, at least n bytes long.
func (r *readAhead) buf(i int, n int64) []byte {
	if int64(cap(r.bufs[i])) < n {
		r.bufs[i] = make([]byte, n)
	}
	return r.bufs[i][:n]
}

// start reads n bytes at off into the buffer take did not return last.
func (r *readAhead) start(off, n int64) {
	r.wait()
	r.off, r.n = off, n
	r.done = make(chan error, 1)
	buf := r.buf(1-r.cur, n)
	go func() {
		r.done <- readAt(r.f, buf, off)
	}()
}

// wait ends the read under way, if any, and returns its error.
func (r *readAhead) wait() error {
	if r.done == nil {
		return nil
	}
	err := <-r.done
	r.done = nil
	return err
}

// take returns the n bytes at off, using those read ahead if they start
// there: cut to n if more were read, and the rest read now if fewer (the
// size has grown since).
func (r *readAhead) take(off, n int64) ([]byte, error) {
	if r.done == nil || r.off != off {
		r.wait()
		b := r.buf(r.cur, n)
		return b, readAt(r.f, b, off)
	}
	err := r.wait()
	r.cur = 1 - r.cur
	have := r.n
	if err != nil || have >= n {
		return r.bufs[r.cur][:min(have, n)], err
	}
	if int64(cap(r.bufs[r.cur])) < n {
		grown := make([]byte, n)
		copy(grown, r.bufs[r.cur][:have])
		r.bufs[r.cur] = grown
	}
	b := r.bufs[r.cur][:n]
	return b, readAt(r.f, b[have:], off+have)
}

// readAt fills b from off: a ReaderAt may say io.EOF with b filled, at
// the end of the file, which is no error here.
func readAt(f io.ReaderAt, b []byte, off int64) error {
	n, err := f.ReadAt(b, off)
	if err == io.EOF && n == len(b) {
		return nil
	}
	return err
}

// renew gives both buffers up (net/http may still read one) for new ones.
func (r *readAhead) renew() {
	r.wait()
	r.bufs = [2][]byte{}
}
