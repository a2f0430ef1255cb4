// http: an HTTP server and a few concurrent clients talking over loopback
// (127.0.0.1 only). Exercises the network poller (GoBlockNet / unblocks from
// netpoll), goroutine creation per connection, timers, and user tasks and
// regions around each request.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/trace"
	"strconv"
	"sync"
	"time"

	"gotracetestdata/internal/harness"
)

func main() {
	stop := harness.Start(harness.OutPath())
	defer stop()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	harness.Check(err, "listen")

	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello, trace\n")
	})
	mux.HandleFunc("/work", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		defer trace.StartRegion(r.Context(), "server-work").End()
		out := make([]uint64, 0, 64)
		for i := 0; i < 64; i++ {
			out = append(out, harness.Spin(200+n))
		}
		json.NewEncoder(w).Encode(map[string]any{"n": n, "sum": out[len(out)-1]})
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(3 * time.Millisecond)
		io.WriteString(w, "slow\n")
	})
	mux.HandleFunc("/post", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprintf(w, "%d\n", len(b))
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)

	base := "http://" + ln.Addr().String()
	client := &http.Client{
		Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 2, MaxConnsPerHost: 4},
		Timeout:   5 * time.Second,
	}
	paths := []string{"/hello", "/work?n=%d", "/slow", "/post"}

	var wg sync.WaitGroup
	for c := 0; c < 4; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			ctx, task := trace.NewTask(context.Background(), "client")
			defer task.End()
			for i := 0; i < 8; i++ {
				p := paths[(c+i)%len(paths)]
				if p == "/work?n=%d" {
					p = fmt.Sprintf(p, i*10)
				}
				trace.WithRegion(ctx, "request", func() {
					trace.Log(ctx, "path", p)
					var resp *http.Response
					var err error
					if p == "/post" {
						resp, err = client.Post(base+p, "text/plain", io.LimitReader(zeroReader{}, 32<<10))
					} else {
						resp, err = client.Get(base + p)
					}
					harness.Check(err, "request "+p)
					_, err = io.Copy(io.Discard, resp.Body)
					harness.Check(err, "read body")
					resp.Body.Close()
					if resp.StatusCode != 200 {
						harness.Fatal("%s: status %d", p, resp.StatusCode)
					}
				})
			}
		}(c)
	}
	wg.Wait()

	// Close the client side first: a connection the transport dialed but
	// never used stays in StateNew on the server and would stall Shutdown.
	client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		harness.Check(srv.Close(), "close server")
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}
