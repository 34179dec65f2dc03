package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// The server's timeouts. Uploads are the long requests: a tus PATCH
// carries at most sync/client.ChunkSize (32 MiB), and the device's client
// gives each attempt five minutes, halving its chunks after slow ones; so
// five minutes to read a request (about 110 KB/s for a whole chunk) and a
// minute more to answer. A slower link sends smaller chunks and resumes
// where the cut one stopped.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 5 * time.Minute
	writeTimeout      = 6 * time.Minute
	idleTimeout       = 2 * time.Minute
	// drainTimeout bounds the wait for requests in flight at SIGTERM (the
	// unit's TimeoutStopSec is longer); what is still running then is cut
	// and resumed by the device.
	drainTimeout = 60 * time.Second
)

// newHTTPServer is the platform's http.Server with its timeouts.
func newHTTPServer(addr string, h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// serve runs listen (srv.ListenAndServe, or its TLS twin) until ctx ends
// (SIGTERM, SIGINT), then stops accepting, lets the requests in flight
// finish within drainTimeout, and only then returns, so that the caller
// closes the database after the last handler is done with it.
func serve(ctx context.Context, srv *http.Server, listen func() error, log *slog.Logger) error {
	done := make(chan error, 1)
	go func() { done <- listen() }()
	select {
	case err := <-done:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	log.Info("收到停止信号：不再接受新连接，等待进行中的请求完成 (stopping: no new connections; the requests in flight finish first)", "at_most", drainTimeout)
	shut, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	err := srv.Shutdown(shut)
	if lerr := <-done; lerr != nil && !errors.Is(lerr, http.ErrServerClosed) {
		return lerr
	}
	if err != nil {
		log.Warn("等待超时，仍在进行的请求被中断，设备将续传 (drain cut short: the requests still running are cut; devices resume them)", "err", err)
		srv.Close()
		return nil
	}
	log.Info("进行中的请求均已完成，平台停止 (every request in flight is done; the platform stops)")
	return nil
}
