//go:build go1.25

// flightrecorder: runtime/trace.FlightRecorder (Go 1.25+). The recorder keeps
// a moving window (MinAge 250 ms, MaxBytes 256 KiB) of a ~1 s workload that
// gen-traces.sh runs with GODEBUG=traceadvanceperiod=100000000, so the
// snapshot written by WriteTo starts at a later generation: goroutines and Ps
// first appear through status events, and a task / region begun before the
// window ends inside it (ends without begins).
//
// With a second argument, a regular trace.Start consumer is also attached for
// ~300 ms in the middle while the recorder runs (Go 1.25 multiplexes both;
// that file too starts at a generation > 1).
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

func main() {
	out := harness.OutPath()
	fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{
		MinAge:   250 * time.Millisecond,
		MaxBytes: 256 << 10,
	})
	harness.Check(fr.Start(), "FlightRecorder.Start")
	if !fr.Enabled() {
		harness.Fatal("flight recorder not enabled")
	}

	ctx, longTask := trace.NewTask(context.Background(), "long-lived")
	longRegion := trace.StartRegion(ctx, "whole-run")

	var stopSecond func()
	start := time.Now()
	for tick := 0; time.Since(start) < time.Second; tick++ {
		if len(os.Args) > 2 && tick == 12 {
			stopSecond = harness.Start(os.Args[2])
		}
		if stopSecond != nil && tick == 18 {
			stopSecond()
			stopSecond = nil
		}
		tctx, t := trace.NewTask(ctx, "tick")
		var wg sync.WaitGroup
		ch := make(chan int)
		for g := 0; g < 3; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				trace.WithRegion(tctx, "work", func() {
					sink += harness.Spin(10000)
					ch <- g
				})
			}(g)
		}
		for g := 0; g < 3; g++ {
			<-ch
		}
		wg.Wait()
		if tick%10 == 5 {
			// Allocation burst (natural GC); runtime.GC() is avoided because
			// its sweep-wait Gosched loop floods the trace.
			garbage := make([][]byte, 0, 128)
			for i := 0; i < 128; i++ {
				garbage = append(garbage, make([]byte, 4<<10))
			}
			sink += uint64(len(garbage))
		}
		trace.Logf(tctx, "tick", "%d", tick)
		t.End()
		time.Sleep(40 * time.Millisecond)
	}
	if stopSecond != nil {
		stopSecond()
	}
	longRegion.End()
	longTask.End()

	f, err := os.Create(out)
	harness.Check(err, "create snapshot file")
	_, err = fr.WriteTo(f)
	harness.Check(err, "FlightRecorder.WriteTo")
	harness.Check(f.Close(), "close snapshot")
	fr.Stop()
}
