// contention: goroutines fighting over a sync.Mutex and an RWMutex, channel
// ping-pong, fan-in on a buffered channel, select with timeouts, sync.Cond
// broadcast and WaitGroup. Exercises GoBlock/GoUnblock with the sync, chan
// receive/send, select and sleep reasons.
package main

import (
	"runtime/trace"
	"sync"
	"time"

	"gotracetestdata/internal/harness"
)

var sink uint64

func main() {
	stop := harness.Start(harness.OutPath())
	defer stop()

	// 1. Mutex contention.
	trace.WithRegion(bg, "mutex", func() {
		var mu sync.Mutex
		var wg sync.WaitGroup
		total := 0
		for g := 0; g < 6; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := 0; i < 60; i++ {
					mu.Lock()
					total += int(harness.Spin(2000) & 1)
					mu.Unlock()
					if i%10 == 0 {
						time.Sleep(50 * time.Microsecond)
					}
				}
			}(g)
		}
		wg.Wait()
		sink += uint64(total)
	})

	// 2. RWMutex: many readers, one writer.
	trace.WithRegion(bg, "rwmutex", func() {
		var mu sync.RWMutex
		var wg sync.WaitGroup
		m := map[int]int{}
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := 0; i < 40; i++ {
					if g == 0 && i%4 == 0 {
						mu.Lock()
						m[i] = g
						harness.Spin(3000)
						mu.Unlock()
					} else {
						mu.RLock()
						sink += uint64(m[i%7]) + harness.Spin(500)
						mu.RUnlock()
					}
				}
			}(g)
		}
		wg.Wait()
	})

	// 3. Unbuffered ping-pong.
	trace.WithRegion(bg, "pingpong", func() {
		ping, pong := make(chan int), make(chan int)
		go func() {
			for v := range ping {
				pong <- v + 1
			}
			close(pong)
		}()
		for i := 0; i < 200; i++ {
			ping <- i
			<-pong
		}
		close(ping)
		<-pong
	})

	// 4. Fan-in through a small buffered channel; slow consumer.
	trace.WithRegion(bg, "fanin", func() {
		ch := make(chan int, 4)
		var wg sync.WaitGroup
		for g := 0; g < 5; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := 0; i < 30; i++ {
					ch <- g*100 + i
				}
			}(g)
		}
		go func() { wg.Wait(); close(ch) }()
		for v := range ch {
			sink += harness.Spin(300) + uint64(v)
		}
	})

	// 5. Select with timeouts and a quit channel.
	trace.WithRegion(bg, "select", func() {
		data, quit := make(chan int), make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			timeouts := 0
			for {
				select {
				case v := <-data:
					sink += uint64(v)
				case <-time.After(200 * time.Microsecond):
					timeouts++
				case <-quit:
					return
				}
			}
		}()
		for i := 0; i < 40; i++ {
			data <- i
			if i%8 == 0 {
				time.Sleep(400 * time.Microsecond)
			}
		}
		close(quit)
		<-done
	})

	// 6. sync.Cond broadcast to waiting goroutines.
	trace.WithRegion(bg, "cond", func() {
		var mu sync.Mutex
		cond := sync.NewCond(&mu)
		round := 0
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				mu.Lock()
				for seen := 0; seen < 5; {
					for round == seen {
						cond.Wait()
					}
					seen = round
				}
				mu.Unlock()
			}()
		}
		for r := 1; r <= 5; r++ {
			time.Sleep(200 * time.Microsecond)
			mu.Lock()
			round = r
			mu.Unlock()
			cond.Broadcast()
		}
		wg.Wait()
	})
}
