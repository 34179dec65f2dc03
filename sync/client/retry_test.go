package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// flaky answers 503 to the first fails requests, then 200 with the body
// it was sent; it counts every request and keeps the bodies.
type flaky struct {
	fails    int32
	status   int
	requests atomic.Int32
	bodies   chan string
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := f.requests.Add(1)
	b, _ := io.ReadAll(r.Body)
	f.bodies <- string(b)
	if n <= f.fails {
		w.WriteHeader(f.status)
		return
	}
	w.Write(b)
}

func noWait(int) time.Duration { return 0 }

func TestRetryCountsAttempts(t *testing.T) {
	for _, tc := range []struct {
		name     string
		fails    int32
		status   int
		attempts int
		want     int32 // requests the server saw
		answer   int
	}{
		{"answer at once", 0, 503, 5, 1, 200},
		{"two failures then an answer", 2, 503, 5, 3, 200},
		{"platform trouble to the end", 10, 500, 5, 5, 500},
		{"a 4xx is an answer", 10, 409, 5, 1, 409},
		{"one attempt only", 10, 503, 1, 1, 503},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &flaky{fails: tc.fails, status: tc.status, bodies: make(chan string, 20)}
			srv := httptest.NewServer(f)
			defer srv.Close()
			var reported int
			rt := &Retry{Attempts: tc.attempts, Wait: noWait,
				Report: func(*http.Request, int, *http.Response, error) { reported++ }}
			req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("batch-1"))
			resp, err := rt.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if got := f.requests.Load(); got != tc.want || resp.StatusCode != tc.answer {
				t.Fatalf("%d requests, answer %d; want %d, %d", got, resp.StatusCode, tc.want, tc.answer)
			}
			if reported != int(tc.want)-1 {
				t.Errorf("%d failures reported, want %d", reported, tc.want-1)
			}
			// Every attempt carried the whole body.
			close(f.bodies)
			for b := range f.bodies {
				if b != "batch-1" {
					t.Errorf("an attempt carried %q", b)
				}
			}
			if tc.answer == 200 && string(body) != "batch-1" {
				t.Errorf("answer %q", body)
			}
		})
	}
}

// No answer at all (the connection dropped) is retried like a 5xx.
func TestRetryAfterADroppedConnection(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) <= 2 {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	rt := &Retry{Attempts: 5, Wait: noWait}
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := requests.Load(); got != 3 {
		t.Fatalf("%d requests, want 3", got)
	}
}

// A body that cannot be read again is sent once; a request whose caller
// gave up is not sent again.
func TestRetryDoesNotRepeatWhatItCannot(t *testing.T) {
	f := &flaky{fails: 10, status: 503, bodies: make(chan string, 20)}
	srv := httptest.NewServer(f)
	defer srv.Close()
	rt := &Retry{Attempts: 5, Wait: noWait}
	req, _ := http.NewRequest(http.MethodPost, srv.URL, io.NopCloser(strings.NewReader("once")))
	req.GetBody = nil
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := f.requests.Load(); got != 1 {
		t.Fatalf("a one-way body sent %d times", got)
	}

	ctx, cancel := context.WithCancel(context.Background())
	rt.Wait = func(int) time.Duration { cancel(); return time.Hour }
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	if _, err := rt.RoundTrip(req); !errors.Is(err, context.Canceled) {
		t.Fatalf("after the caller gave up: %v", err)
	}
	if got := f.requests.Load(); got != 2 {
		t.Fatalf("%d requests in all, want 2", got)
	}
}

func TestBackoffDoublesUpToTheMost(t *testing.T) {
	b := Backoff(300*time.Millisecond, 5*time.Second)
	want := []time.Duration{300 * time.Millisecond, 600 * time.Millisecond, 1200 * time.Millisecond, 2400 * time.Millisecond, 4800 * time.Millisecond, 5 * time.Second, 5 * time.Second}
	for i, w := range want {
		if got := b(i + 1); got != w {
			t.Errorf("wait %d: %v, want %v", i+1, got, w)
		}
	}
}

// Push goes through the retry transport: a platform that answers its first
// two pushes with 503 still gets the batch, on the third attempt, once.
func TestPushRetries(t *testing.T) {
	ctx := context.Background()
	s, h := platform(t, servertest.Backends(t)[0])
	l := deviceLog(t, "RETRY-1", 5)
	id := enrol(t, s, h, l)
	var pushes atomic.Int32
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == api.PathPush && pushes.Add(1) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		h.Config.Handler.ServeHTTP(w, r)
	}))
	defer front.Close()
	id.Platform = front.URL
	res, err := New(id).Push(ctx, l)
	if err != nil || res.Pushed != 5 || res.Receipts != 1 {
		t.Fatalf("push %+v %v", res, err)
	}
	if got := pushes.Load(); got != 3 {
		t.Fatalf("%d push attempts, want 3", got)
	}
}
