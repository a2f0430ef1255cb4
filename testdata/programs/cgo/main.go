// cgo: plain cgo calls (C.c_sleep_us: the goroutine is "in syscall" for the
// call), C calling back into Go on a Go-owned thread (c_call_go → goSquare),
// and C threads created with pthread_create calling into Go (goCallback), which
// makes the runtime emit GoCreateSyscall / GoDestroySyscall for the extra M.
package main

/*
#cgo LDFLAGS: -lpthread
void c_spawn_threads(int n);
void c_sleep_us(int us);
int c_call_go(int x);
*/
import "C"

import (
	"context"
	"os"
	"runtime/trace"
	"sync"

	"gotracetestdata/internal/harness"
)

var results = make(chan int, 64)

//export goCallback
func goCallback(id, i C.int) {
	// Do some Go work on the C thread: allocate, call back into C, send.
	trace.Log(context.Background(), "callback", "from C thread")
	buf := make([]byte, 1024*(int(i)+1))
	results <- int(id)*10 + int(i) + len(buf) - len(buf)
	C.c_sleep_us(100)
}

//export goSquare
func goSquare(x C.int) C.int {
	harness.Spin(1000)
	return x * x
}

func main() {
	stop := harness.Start(harness.OutPath())
	defer stop()

	trace.WithRegion(context.Background(), "cgo-calls", func() {
		var wg sync.WaitGroup
		for g := 0; g < 3; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := 0; i < 5; i++ {
					C.c_sleep_us(C.int(500 + 500*g))
					if C.c_call_go(C.int(i)) != C.int(i*i+1) {
						harness.Fatal("bad c_call_go")
					}
				}
			}(g)
		}
		wg.Wait()
	})

	if os.Getenv("GOTRACE_NO_C_THREADS") != "" {
		// Go 1.21's old-format tracer writes a trace that no parser can order
		// once C-created threads call into Go (see testdata/README.md).
		return
	}
	trace.WithRegion(context.Background(), "c-threads", func() {
		done := make(chan int)
		go func() {
			n := 0
			for range results {
				n++
			}
			done <- n
		}()
		C.c_spawn_threads(4)
		C.c_spawn_threads(2)
		close(results)
		if n := <-done; n != 6*3 {
			harness.Fatal("got %d callbacks", n)
		}
	})
}
