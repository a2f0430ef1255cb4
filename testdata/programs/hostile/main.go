// hostile: user annotations whose text a viewer must show safely. Tasks,
// regions and logs carry very long names (Go 1.22+ keeps up to 1 KiB of a
// string; Go 1.21 keeps all 40 KB), a right-to-left override that would
// turn "gnp.exe" into "exe.png" on screen, bidi isolates, zero-width and
// control characters (NUL, BEL, newline, tab, ESC), HTML and script markup,
// and a name that is only white space. The viewer must show each as text,
// escaped and cut to its box, and never run or parse any of it.
package main

import (
	"context"
	"runtime/trace"
	"strings"
	"sync"

	"gotracetestdata/internal/harness"
)

func main() {
	stop := harness.Start(harness.OutPath())
	defer stop()

	// 40 KB: Go 1.21 traces keep it whole, Go 1.22+ runtimes cut it at 1 KiB.
	long := strings.Repeat("long-name-", 4000)
	names := []string{
		long,
		"report\u202egnp.exe",
		"\u2067isolated\u2069 and \u200bzero\u200dwidth\ufeff",
		"bell\a nul\x00 esc\x1b[31mred\x1b[0m tab\tnewline\nend",
		"<img src=x onerror=alert(1)><script>alert(2)</script>",
		"   ",
	}

	bg := context.Background()
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func(i int, name string) {
			defer wg.Done()
			ctx, task := trace.NewTask(bg, name)
			defer task.End()
			trace.Log(ctx, name, name)
			trace.WithRegion(ctx, name, func() {
				harness.Spin(20000 * (i + 1))
			})
		}(i, name)
	}
	wg.Wait()
}
