// stress: a bit of everything at once for ~300 ms, for a denser, more
// "application-like" trace: short-lived goroutines being created and exiting,
// channel ping-pong pairs, a contended mutex, allocation-driven GC, a TCP echo
// server on 127.0.0.1 (netpoller), temp-file syscalls, timers and select, and
// tasks/regions/logs around the phases.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"

	"gotracetestdata/internal/harness"
)

var sink atomic.Uint64

func main() {
	// Spare Ps keep the background sweeper from spinning (see gcassist).
	runtime.GOMAXPROCS(8)
	stop := harness.Start(harness.OutPath())
	defer stop()

	ctx, task := trace.NewTask(context.Background(), "stress")
	defer task.End()
	deadline := time.Now().Add(300 * time.Millisecond)
	var wg sync.WaitGroup

	// Ping-pong pairs.
	for p := 0; p < 4; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			defer trace.StartRegion(ctx, "pingpong").End()
			a, b := make(chan int), make(chan int)
			go func() {
				for v := range a {
					b <- v + 1
				}
				close(b)
			}()
			for i := 0; time.Now().Before(deadline) && i < 150; i++ {
				a <- i
				<-b
				if i%30 == 0 {
					time.Sleep(time.Millisecond)
				}
			}
			close(a)
			<-b
		}(p)
	}

	// Mutex contention.
	var mu sync.Mutex
	shared := map[int]int{}
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline) && i < 300; i++ {
				mu.Lock()
				shared[i%64] += g
				harness.Spin(1500)
				mu.Unlock()
				if i%20 == 0 {
					runtime.Gosched()
				}
			}
		}(g)
	}

	// Allocation → GC.
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer trace.StartRegion(ctx, "alloc").End()
		var keep [][]byte
		for i := 0; time.Now().Before(deadline); i++ {
			keep = append(keep, make([]byte, 1024+i%4096))
			if len(keep) > 1500 {
				keep = keep[:0]
			}
			if i%400 == 0 {
				time.Sleep(500 * time.Microsecond)
			}
		}
	}()

	// Short-lived goroutines.
	wg.Add(1)
	go func() {
		defer wg.Done()
		var inner sync.WaitGroup
		for i := 0; time.Now().Before(deadline) && i < 40; i++ {
			inner.Add(1)
			go func(i int) {
				defer inner.Done()
				sink.Add(harness.Spin(2000 + i))
			}(i)
			time.Sleep(2 * time.Millisecond)
		}
		inner.Wait()
	}()

	// TCP echo over loopback.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	harness.Check(err, "listen")
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	for c := 0; c < 2; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			rctx, t := trace.NewTask(ctx, "echo-client")
			defer t.End()
			conn, err := net.Dial("tcp", ln.Addr().String())
			harness.Check(err, "dial")
			defer conn.Close()
			buf := make([]byte, 256)
			for i := 0; time.Now().Before(deadline) && i < 60; i++ {
				trace.WithRegion(rctx, "roundtrip", func() {
					msg := fmt.Sprintf("client %d message %d", c, i)
					_, err := conn.Write([]byte(msg))
					harness.Check(err, "write")
					_, err = io.ReadFull(conn, buf[:len(msg)])
					harness.Check(err, "read")
				})
				time.Sleep(3 * time.Millisecond)
			}
		}(c)
	}

	// Files.
	dir, err := os.MkdirTemp("", "gotrace-stress-")
	harness.Check(err, "mkdtemp")
	defer os.RemoveAll(dir)
	wg.Add(1)
	go func() {
		defer wg.Done()
		data := make([]byte, 8192)
		for i := 0; time.Now().Before(deadline) && i < 20; i++ {
			name := filepath.Join(dir, fmt.Sprint(i))
			harness.Check(os.WriteFile(name, data, 0o644), "write file")
			_, err := os.ReadFile(name)
			harness.Check(err, "read file")
			harness.Check(os.Remove(name), "remove")
			time.Sleep(5 * time.Millisecond)
		}
	}()

	// Timers and select.
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(7 * time.Millisecond)
		defer tick.Stop()
		n := 0
		for time.Now().Before(deadline) {
			select {
			case <-tick.C:
				n++
				trace.Logf(ctx, "tick", "%d", n)
			case <-time.After(3 * time.Millisecond):
			}
		}
	}()

	wg.Wait()
	ln.Close()
}
