// critpath: a known chain of waits for the critical-path analysis.
// Goroutine A (main.waiterA) receives from a channel that B (main.senderB)
// sends on only once it holds a mutex, which C (main.holderC) holds while
// it computes for a few milliseconds. So A waits on B, and B on C:
//
//	C: Lock ... compute ~3ms ... Unlock ──┐ (unblocks B: "sync")
//	B: wait for C to hold the lock; Lock ─┴─ compute; ch <- v ──┐ (unblocks A: "chan receive")
//	A: <-ch ────────────────────────────────────────────────────┴─ compute; done
package main

import (
	"sync"
	"time"

	"gotracetestdata/internal/harness"
)

var sink uint64

// busy computes for about d without blocking.
func busy(d time.Duration) uint64 {
	var x uint64
	for t0 := time.Now(); time.Since(t0) < d; {
		x += harness.Spin(200)
	}
	return x
}

func holderC(mu *sync.Mutex, locked chan<- struct{}, out *uint64) {
	mu.Lock()
	close(locked)
	*out = busy(3 * time.Millisecond)
	mu.Unlock()
}

func senderB(mu *sync.Mutex, locked <-chan struct{}, ch chan<- uint64) {
	<-locked // C holds the lock now
	mu.Lock()
	v := busy(500 * time.Microsecond)
	mu.Unlock()
	ch <- v
}

func waiterA(ch <-chan uint64, done chan<- uint64) {
	v := <-ch
	done <- v + busy(200*time.Microsecond)
}

func main() {
	stop := harness.Start(harness.OutPath())
	defer stop()

	var mu sync.Mutex
	locked := make(chan struct{})
	ch := make(chan uint64)
	done := make(chan uint64)
	var c uint64
	go waiterA(ch, done)
	go senderB(&mu, locked, ch)
	go holderC(&mu, locked, &c)
	sink += <-done + c
}
