//go:build !go1.25

package main

import (
	"fmt"
	"os"
)

// runtime/trace.FlightRecorder needs Go 1.25; gen-traces.sh skips this
// program for older Go.
func main() {
	fmt.Fprintln(os.Stderr, "flightrecorder: requires go1.25 (trace.FlightRecorder)")
	os.Exit(3)
}
