// bigtrace: a busy program for benchmark traces (used by
// scripts/gen-big-trace.sh, not by gen-traces.sh; its output is not
// committed). Many goroutines doing channel ping-pong, mutex contention,
// allocation (GC), file and pipe syscalls, and tasks/regions/logs, until the
// trace written so far reaches TARGET bytes or MAXSECONDS elapse.
//
//	bigtrace OUT.trace [TARGET_BYTES [MAXSECONDS]]
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/trace"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"gotracetestdata/internal/harness"
)

type countingWriter struct {
	w io.Writer
	n atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

var sink atomic.Uint64

func main() {
	out := harness.OutPath()
	target := int64(44 << 20)
	maxDur := 30 * time.Second
	if len(os.Args) > 2 {
		v, err := strconv.ParseInt(os.Args[2], 10, 64)
		harness.Check(err, "TARGET_BYTES")
		target = v
	}
	if len(os.Args) > 3 {
		v, err := strconv.Atoi(os.Args[3])
		harness.Check(err, "MAXSECONDS")
		maxDur = time.Duration(v) * time.Second
	}

	f, err := os.Create(out)
	harness.Check(err, "create")
	cw := &countingWriter{w: f}
	harness.Check(trace.Start(cw), "trace.Start")

	var quit atomic.Bool
	var wg sync.WaitGroup
	ctx, root := trace.NewTask(context.Background(), "bench")

	// Channel ping-pong pairs.
	for p := 0; p < 24; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			a, b := make(chan int), make(chan int)
			go func() {
				for v := range a {
					b <- v + 1
				}
				close(b)
			}()
			for i := 0; !quit.Load(); i++ {
				if i%256 == 0 {
					r := trace.StartRegion(ctx, "pingpong-batch")
					for j := 0; j < 16; j++ {
						a <- j
						<-b
					}
					r.End()
					continue
				}
				a <- i
				<-b
				if i%1024 == 0 {
					// Throttle so the run lasts a few seconds (several
					// generations) instead of filling the target in ~1 s.
					time.Sleep(300 * time.Microsecond)
				}
			}
			close(a)
			<-b
		}(p)
	}

	// Mutex contention.
	var mu sync.Mutex
	counter := 0
	for g := 0; g < 12; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !quit.Load() {
				mu.Lock()
				counter++
				harness.Spin(200)
				mu.Unlock()
			}
		}()
	}

	// Allocation / GC.
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var keep [][]byte
			for i := 0; !quit.Load(); i++ {
				keep = append(keep, make([]byte, 256+i%2048))
				if len(keep) > 4096 {
					keep = keep[:0]
				}
				if i%1024 == 0 {
					time.Sleep(100 * time.Microsecond)
				}
			}
		}()
	}

	// Syscalls: temp files and an os.Pipe.
	dir, err := os.MkdirTemp("", "gotrace-big-")
	harness.Check(err, "mkdtemp")
	defer os.RemoveAll(dir)
	wg.Add(1)
	go func() {
		defer wg.Done()
		data := make([]byte, 4096)
		for i := 0; !quit.Load(); i++ {
			name := filepath.Join(dir, fmt.Sprint(i%8))
			harness.Check(os.WriteFile(name, data, 0o644), "write")
			_, err := os.ReadFile(name)
			harness.Check(err, "read")
			time.Sleep(200 * time.Microsecond)
		}
	}()
	pr, pw, err := os.Pipe()
	harness.Check(err, "pipe")
	go io.Copy(io.Discard, pr)
	wg.Add(1)
	go func() {
		defer wg.Done()
		msg := []byte("ping\n")
		for !quit.Load() {
			pw.Write(msg)
			time.Sleep(50 * time.Microsecond)
		}
	}()

	// Tasks, regions, logs: short "requests".
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; !quit.Load(); i++ {
				rctx, t := trace.NewTask(ctx, "request")
				trace.Logf(rctx, "id", "%d-%d", g, i)
				trace.WithRegion(rctx, "handle", func() {
					sink.Add(harness.Spin(3000))
					trace.WithRegion(rctx, "db", func() { time.Sleep(20 * time.Microsecond) })
				})
				t.End()
			}
		}(g)
	}

	start := time.Now()
	for cw.n.Load() < target && time.Since(start) < maxDur {
		time.Sleep(20 * time.Millisecond)
	}
	quit.Store(true)
	wg.Wait()
	pw.Close()
	root.End()
	trace.Stop()
	harness.Check(f.Close(), "close")
	fmt.Fprintf(os.Stderr, "bigtrace: %d bytes in %v (counter=%d)\n", cw.n.Load(), time.Since(start).Round(time.Millisecond), counter)
}
