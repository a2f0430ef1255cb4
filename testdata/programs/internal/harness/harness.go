// Package harness holds the few helpers shared by the trace-producing test
// programs: start/stop tracing into a file and fail loudly.
package harness

import (
	"fmt"
	"os"
	"runtime/trace"
)

// Fatal prints a message and exits with status 1.
func Fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "FATAL: "+format+"\n", args...)
	os.Exit(1)
}

// Check exits if err is non-nil.
func Check(err error, what string) {
	if err != nil {
		Fatal("%s: %v", what, err)
	}
}

// OutPath returns os.Args[1] (the trace file to write) or exits.
func OutPath() string {
	if len(os.Args) < 2 {
		Fatal("usage: %s OUTPUT.trace", os.Args[0])
	}
	return os.Args[1]
}

// Start creates path and starts runtime/trace into it. The returned
// function stops tracing and closes the file, exiting on any error.
func Start(path string) (stop func()) {
	f, err := os.Create(path)
	Check(err, "create trace file")
	Check(trace.Start(f), "trace.Start")
	return func() {
		trace.Stop()
		Check(f.Close(), "close trace file")
	}
}

// Spin burns CPU for about n iterations and returns a value the compiler
// cannot throw away.
func Spin(n int) uint64 {
	x := uint64(n) | 1
	for i := 0; i < n; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}
