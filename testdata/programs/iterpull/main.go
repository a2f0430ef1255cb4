//go:build go1.23

// iterpull: coroutines via iter.Pull / iter.Pull2 (Go 1.23+). Each pull
// iterator runs its sequence on a coroutine goroutine: GoCreateBlocked when
// the iterator is created, GoSwitch on every next(), GoSwitchDestroy when the
// sequence finishes or stop() is called. The iterator is also bounced between
// two goroutines, and one is abandoned early with stop().
package main

import (
	"context"
	"iter"
	"runtime/trace"
	"sync"

	"gotracetestdata/internal/harness"
)

func count(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; i < n; i++ {
			if !yield(i) {
				return
			}
		}
	}
}

func pairs(n int) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		for i := 0; i < n; i++ {
			if !yield(i, string(rune('a'+i%26))) {
				return
			}
		}
	}
}

func main() {
	stop := harness.Start(harness.OutPath())
	defer stop()
	ctx := context.Background()

	// 1. Simple pull loop to exhaustion.
	trace.WithRegion(ctx, "pull", func() {
		next, stop := iter.Pull(count(50))
		defer stop()
		sum := 0
		for {
			v, ok := next()
			if !ok {
				break
			}
			sum += v
		}
		if sum != 50*49/2 {
			harness.Fatal("bad sum %d", sum)
		}
	})

	// 2. Pull2, abandoned early with stop().
	trace.WithRegion(ctx, "pull2-stop-early", func() {
		next, stop := iter.Pull2(pairs(100))
		for i := 0; i < 10; i++ {
			if _, _, ok := next(); !ok {
				harness.Fatal("pull2 ended early")
			}
		}
		stop()
	})

	// 3. One iterator bounced between two goroutines.
	trace.WithRegion(ctx, "bounce", func() {
		next, stop := iter.Pull(count(40))
		defer stop()
		var wg sync.WaitGroup
		a, b := make(chan bool), make(chan bool)
		player := func(in, out chan bool) {
			defer wg.Done()
			for range in {
				if _, ok := next(); !ok {
					close(out)
					return
				}
				out <- true
			}
			close(out)
		}
		wg.Add(2)
		go player(a, b)
		go player(b, a)
		a <- true
		wg.Wait()
	})

	// 4. Several iterators live at once, zipped together.
	trace.WithRegion(ctx, "zip", func() {
		n1, s1 := iter.Pull(count(30))
		n2, s2 := iter.Pull(count(20))
		defer s1()
		defer s2()
		for {
			x, ok1 := n1()
			y, ok2 := n2()
			if !ok1 || !ok2 {
				break
			}
			_ = x + y
		}
	})
}
