// cpuprofile: CPU profiling while tracing. pprof.StartCPUProfile writes to
// io.Discard; the runtime copies each SIGPROF sample into the trace as a
// CPUSample event with its own stack (ProfileSample in the old format). Three
// goroutines run distinct busy functions so the sampled stacks differ.
package main

import (
	"context"
	"io"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"time"

	"gotracetestdata/internal/harness"
)

var sink uint64

//go:noinline
func busyHash(d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); {
		sink += harness.Spin(5000)
	}
}

//go:noinline
func busyAlloc(d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); {
		b := make([]byte, 512)
		sink += uint64(len(b)) + harness.Spin(500)
	}
}

//go:noinline
func busyMap(d time.Duration) {
	m := map[uint64]uint64{}
	for end := time.Now().Add(d); time.Now().Before(end); {
		for i := uint64(0); i < 1000; i++ {
			m[i%512] += i
		}
	}
	sink += m[1]
}

func main() {
	stop := harness.Start(harness.OutPath())
	defer stop()
	harness.Check(pprof.StartCPUProfile(io.Discard), "StartCPUProfile")

	const d = 400 * time.Millisecond
	var wg sync.WaitGroup
	for _, f := range []func(time.Duration){busyHash, busyAlloc, busyMap} {
		wg.Add(1)
		go func(f func(time.Duration)) {
			defer wg.Done()
			trace.WithRegion(context.Background(), "busy", func() { f(d) })
		}(f)
	}
	wg.Wait()
	pprof.StopCPUProfile()
}
