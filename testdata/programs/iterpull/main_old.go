//go:build !go1.23

package main

import (
	"fmt"
	"os"
)

// iter.Pull needs Go 1.23; gen-traces.sh skips this program for older Go.
func main() {
	fmt.Fprintln(os.Stderr, "iterpull: requires go1.23 (iter.Pull)")
	os.Exit(3)
}
