// gomaxprocs: changes GOMAXPROCS several times while goroutines are running
// (each change is a stop-the-world; Ps are started/stopped, procs with ids >=
// the new count disappear and reappear). Worker goroutines keep yielding,
// sleeping and spinning so they get rescheduled across the changes.
package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"

	"gotracetestdata/internal/harness"
)

func main() {
	orig := runtime.GOMAXPROCS(0)
	stop := harness.Start(harness.OutPath())
	defer stop()

	var quit atomic.Bool
	var wg sync.WaitGroup
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; !quit.Load(); i++ {
				harness.Spin(20000)
				switch i % 3 {
				case 0:
					runtime.Gosched()
				case 1:
					time.Sleep(500 * time.Microsecond)
				}
			}
		}(g)
	}
	for _, n := range []int{4, 1, 3, 8, 2, 1, orig} {
		trace.WithRegion(context.Background(), fmt.Sprintf("gomaxprocs=%d", n), func() {
			runtime.GOMAXPROCS(n)
			time.Sleep(15 * time.Millisecond)
		})
	}
	quit.Store(true)
	wg.Wait()
}
