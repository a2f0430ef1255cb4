// gcassist: GC pressure. A live heap of linked nodes plus several goroutines
// allocating quickly with a low GOGC, so that goroutines are drafted into
// mark assists (GCMarkAssistBegin/End), background mark workers run, and
// heap-size / next-GC metrics and incremental sweep ranges appear.
//
// Note: no runtime.GC() while tracing on purpose. With a large heap,
// runtime.GC() waits for sweeping in a Gosched loop that ping-pongs with the
// background sweeper and emits hundreds of thousands of events (megabytes).
package main

import (
	"runtime"
	"runtime/debug"
	"runtime/trace"
	"sync"

	"gotracetestdata/internal/harness"
)

type node struct {
	next *node
	buf  [48]byte
	id   int
}

var (
	live  []*node
	sinkN *node
)

func main() {
	// Fixed GOMAXPROCS with spare Ps: when every P is busy, the background
	// sweeper's goschedIfBusy loop (runtime issue #73499) can emit tens of
	// thousands of Gosched transitions and blow up the trace size.
	runtime.GOMAXPROCS(8)
	debug.SetGCPercent(20)
	// A live heap that the GC has to mark (~10 MB).
	for i := 0; i < 2000; i++ {
		var head *node
		for j := 0; j < 64; j++ {
			head = &node{next: head, id: j}
		}
		live = append(live, head)
	}
	runtime.GC()

	stop := harness.Start(harness.OutPath())
	defer stop()

	ctx, task := trace.NewTask(bg, "allocate")
	var wg sync.WaitGroup
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			defer trace.StartRegion(ctx, "alloc-loop").End()
			var keep []*node
			for i := 0; i < 100000; i++ {
				n := &node{id: i}
				if i%16 == 0 {
					keep = append(keep, n)
					if len(keep) > 2000 {
						keep = keep[:0]
					}
				}
				if i%4096 == 0 {
					// Replace part of the long-lived heap so it keeps changing.
					live[(g*31+i)%len(live)] = &node{next: n}
				}
				sinkN = n
			}
		}(g)
	}
	wg.Wait()
	task.End()
}
