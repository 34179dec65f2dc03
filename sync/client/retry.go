package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"
)

// Retry is a transport that tries a request again when the platform gave no
// answer or answered with its own trouble (5xx), as restic's retry backend
// wraps a backend: the calls above it are written once, without loops. A 4xx
// is an answer and is never retried. Every request that changes state
// carries an idempotency key, so a repeat never duplicates anything.
//
// A request whose body cannot be read again (no GetBody) is tried once.
type Retry struct {
	// Next carries each attempt; http.DefaultTransport if nil.
	Next http.RoundTripper
	// Attempts is the most attempts one request gets, the first included.
	Attempts int
	// Wait is the pause after the nth failed attempt (from 1).
	Wait func(n int) time.Duration
	// Timeout, if set, bounds each attempt, its answer's body read included.
	Timeout time.Duration
	// Report, if set, hears of each failed attempt that will be retried.
	Report func(req *http.Request, attempt int, resp *http.Response, err error)
}

// NewRetry wraps next with the client's usual policy: five attempts,
// waiting 300 ms, then twice as long each time up to 5 s.
func NewRetry(next http.RoundTripper) *Retry {
	return &Retry{Next: next, Attempts: 5, Wait: Backoff(300*time.Millisecond, 5*time.Second)}
}

// Backoff waits first, then twice as long after each failure, up to most.
func Backoff(first, most time.Duration) func(n int) time.Duration {
	return func(n int) time.Duration {
		d := first
		for i := 1; i < n && d < most; i++ {
			d *= 2
		}
		return min(d, most)
	}
}

// RoundTrip sends req, and again after a failure a later attempt may not
// meet, until an answer, the attempts are spent or req's context ends.
func (t *Retry) RoundTrip(req *http.Request) (*http.Response, error) {
	next := t.Next
	if next == nil {
		next = http.DefaultTransport
	}
	attempts := t.Attempts
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		attempts = 1
	}
	ctx := req.Context()
	try := req
	for n := 1; ; n++ {
		resp, err := t.attempt(next, try)
		if !retryable(ctx, resp, err) || n >= attempts {
			return resp, err
		}
		if t.Report != nil {
			t.Report(req, n, resp, err)
		}
		if resp != nil {
			// Read what is left so the connection is used again.
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		var wait time.Duration
		if t.Wait != nil {
			wait = t.Wait(n)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		try = req.Clone(ctx)
		if req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			try.Body = body
		}
	}
}

// attempt sends one try, within Timeout if set.
func (t *Retry) attempt(next http.RoundTripper, req *http.Request) (*http.Response, error) {
	if t.Timeout <= 0 {
		return next.RoundTrip(req)
	}
	ctx, cancel := context.WithTimeout(req.Context(), t.Timeout)
	resp, err := next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelBody ends an attempt's context when its answer has been read.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// retryable says whether a later attempt may fare better: no answer (but
// not because the caller gave up), or the platform's own trouble.
func retryable(ctx context.Context, resp *http.Response, err error) bool {
	if err != nil {
		// A platform the device refuses to trust stays refused.
		return ctx.Err() == nil && !errors.Is(err, context.Canceled) && TrustCode(err) == ""
	}
	return resp.StatusCode >= 500
}
