// annotations: user tasks, regions and logs (runtime/trace annotation API).
// The program runs ~1.2 s; gen-traces.sh runs it with
// GODEBUG=traceadvanceperiod=150000000 (150 ms) so the trace holds several
// generations. A "session" task and a "long" region stay open across all of
// them; child tasks start and end inside single generations; one task is
// started on one goroutine and ended on another; a region begins and ends on
// a goroutine that is created inside a task; logs are emitted with and without
// a task, with an empty category and with a long message.
package main

import (
	"context"
	"fmt"
	"runtime/trace"
	"strings"
	"sync"
	"time"

	"gotracetestdata/internal/harness"
)

func main() {
	stop := harness.Start(harness.OutPath())
	defer stop()

	if !trace.IsEnabled() {
		harness.Fatal("trace not enabled")
	}
	bg := context.Background()
	trace.Log(bg, "", "log outside any task, empty category")

	session, sessionTask := trace.NewTask(bg, "session")
	long := trace.StartRegion(session, "long")
	trace.Logf(session, "config", "steps=%d", 8)

	handoff := make(chan *trace.Task, 1)
	var wg sync.WaitGroup
	for step := 0; step < 8; step++ {
		stepCtx, stepTask := trace.NewTask(session, fmt.Sprintf("step-%d", step))
		trace.Logf(stepCtx, "step", "begin %d", step)

		// Workers with nested tasks and regions.
		for w := 0; w < 3; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				wctx, wt := trace.NewTask(stepCtx, "worker")
				defer wt.End()
				trace.WithRegion(wctx, "compute", func() {
					harness.Spin(20000 * (w + 1))
					trace.WithRegion(wctx, "inner", func() {
						harness.Spin(5000)
					})
				})
				r := trace.StartRegion(wctx, "wait")
				time.Sleep(time.Duration(1+w) * time.Millisecond)
				r.End()
			}(w)
		}

		// A task started here and ended by another goroutine later.
		if step == 2 {
			_, t := trace.NewTask(session, "handoff")
			handoff <- t
		}
		if step == 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				t := <-handoff
				trace.Log(session, "handoff", "ending task started at step 2")
				t.End()
			}()
		}

		trace.WithRegion(stepCtx, "sleep", func() {
			time.Sleep(140 * time.Millisecond)
		})
		wg.Wait()
		if step == 4 {
			trace.Log(stepCtx, "big", strings.Repeat("x", 300))
		}
		stepTask.End()
	}
	long.End()
	trace.Log(session, "done", "session over")
	sessionTask.End()
}
