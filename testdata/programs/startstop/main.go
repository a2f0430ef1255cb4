// startstop: starts and stops tracing twice in one process, writing two
// files (argument 1 and argument 2). The second trace starts at a later
// generation number. State that crosses the gap: a goroutine blocked on a
// channel the whole time, a task begun during the first trace and ended
// during the second, a region begun before the second Start and ended inside
// it, and a goroutine created between the two traces.
package main

import (
	"context"
	"os"
	"runtime/trace"
	"sync"
	"time"

	"gotracetestdata/internal/harness"
)

var sink uint64

func work(ctx context.Context, name string) {
	var wg sync.WaitGroup
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			trace.WithRegion(ctx, name, func() {
				sink += harness.Spin(30000)
				time.Sleep(time.Millisecond)
			})
		}()
	}
	wg.Wait()
}

func main() {
	if len(os.Args) < 3 {
		harness.Fatal("usage: startstop FIRST.trace SECOND.trace")
	}
	blocked := make(chan struct{})
	go func() { <-blocked }() // parked across both traces

	stop1 := harness.Start(os.Args[1])
	ctx, crossing := trace.NewTask(context.Background(), "crossing")
	work(ctx, "first")
	stop1()

	// Untraced gap.
	gapDone := make(chan struct{})
	go func() { // created while tracing is off, still running in trace 2
		<-gapDone
	}()
	work(ctx, "untraced")
	r := trace.StartRegion(ctx, "spans-second-start")
	time.Sleep(5 * time.Millisecond)

	stop2 := harness.Start(os.Args[2])
	time.Sleep(2 * time.Millisecond)
	r.End()
	work(ctx, "second")
	close(gapDone)
	crossing.End()
	close(blocked)
	stop2()
}
