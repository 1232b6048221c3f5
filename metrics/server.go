package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/replscope/replscope/topology"
)

// shutdownTimeout bounds how long Close lets scrapes in flight finish.
const shutdownTimeout = 2 * time.Second

// Server serves a Collector's metrics as Prometheus text at
// http://ADDR/metrics. It owns its listener and its serving goroutine;
// Close stops both.
type Server struct {
	ln   net.Listener
	srv  *http.Server
	done chan error // the serving goroutine's result, then closed

	closeOnce sync.Once
	closeErr  error
}

// Serve listens on addr ("host:port", ":9121", "127.0.0.1:0") and serves
// the metrics of latest (a Watcher's Latest) from a new registry in a
// goroutine until Close. A listen error is returned at once.
func Serve(addr string, latest func() *topology.Graph) (*Server, error) {
	reg := prometheus.NewRegistry()
	if err := reg.Register(NewCollector(latest)); err != nil {
		return nil, fmt.Errorf("metrics: register: %w", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorHandling:       promhttp.ContinueOnError, // a partial scrape beats none
		MaxRequestsInFlight: 4,
		Timeout:             10 * time.Second,
	}))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "replscope: replication metrics at /metrics")
	})
	s := &Server{ln: ln, done: make(chan error, 1),
		srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.done <- err
		}
	}()
	return s, nil
}

// Addr returns the address the server listens on (the real port when
// addr had port 0).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops accepting scrapes, lets those in flight finish (for up to
// two seconds, then cuts them) and waits for the serving goroutine. It
// returns the error serving ended with, if any but the shutdown. Calling
// it again returns the same.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.shutdown() })
	return s.closeErr
}

func (s *Server) shutdown() error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if err != nil {
		err = errors.Join(err, s.srv.Close())
	}
	if serr := <-s.done; serr != nil {
		err = errors.Join(err, serr)
	}
	if err != nil {
		return fmt.Errorf("metrics: close: %w", err)
	}
	return nil
}
