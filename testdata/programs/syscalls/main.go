// syscalls: file I/O on temporary files (create, write, fsync, read, stat,
// rename, remove: GoSyscallBegin/End around each), a blocking read on a raw
// pipe that lasts long enough for sysmon to retake the P (ProcSteal / syscall
// "stealing" paths), and reads through the poller on an os.Pipe.
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/trace"
	"sync"
	"syscall"
	"time"

	"gotracetestdata/internal/harness"
)

func main() {
	stop := harness.Start(harness.OutPath())
	defer stop()

	dir, err := os.MkdirTemp("", "gotrace-syscalls-")
	harness.Check(err, "mkdtemp")
	defer os.RemoveAll(dir)

	payload := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB

	// 1. Temp files from a few goroutines.
	trace.WithRegion(bg, "files", func() {
		var wg sync.WaitGroup
		for g := 0; g < 3; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := 0; i < 4; i++ {
					name := filepath.Join(dir, fmt.Sprintf("f-%d-%d", g, i))
					f, err := os.Create(name)
					harness.Check(err, "create")
					_, err = f.Write(payload)
					harness.Check(err, "write")
					harness.Check(f.Sync(), "fsync")
					harness.Check(f.Close(), "close")
					b, err := os.ReadFile(name)
					harness.Check(err, "read")
					if len(b) != len(payload) {
						harness.Fatal("short read")
					}
					_, err = os.Stat(name)
					harness.Check(err, "stat")
					harness.Check(os.Rename(name, name+".old"), "rename")
					harness.Check(os.Remove(name+".old"), "remove")
				}
			}(g)
		}
		wg.Wait()
	})

	// 2. A long blocking read(2) on a raw (blocking) pipe: the goroutine sits
	// in a syscall for ~30ms, so sysmon retakes its P.
	trace.WithRegion(bg, "blocking-pipe", func() {
		var fds [2]int
		harness.Check(syscall.Pipe(fds[:]), "pipe")
		done := make(chan struct{})
		go func() {
			defer close(done)
			buf := make([]byte, 16)
			n, err := syscall.Read(fds[0], buf)
			harness.Check(err, "raw read")
			if n != 5 {
				harness.Fatal("raw read: %d bytes", n)
			}
		}()
		time.Sleep(30 * time.Millisecond)
		_, err := syscall.Write(fds[1], []byte("hello"))
		harness.Check(err, "raw write")
		<-done
		syscall.Close(fds[0])
		syscall.Close(fds[1])
	})

	// 3. os.Pipe goes through the netpoller (GoBlock on I/O, then unblock).
	trace.WithRegion(bg, "os-pipe", func() {
		r, w, err := os.Pipe()
		harness.Check(err, "os.Pipe")
		done := make(chan int)
		go func() {
			n, _ := io.Copy(io.Discard, r)
			done <- int(n)
		}()
		for i := 0; i < 5; i++ {
			_, err := w.Write(payload[:4096])
			harness.Check(err, "pipe write")
			time.Sleep(2 * time.Millisecond)
		}
		w.Close()
		if n := <-done; n != 5*4096 {
			harness.Fatal("pipe copied %d", n)
		}
		r.Close()
	})
}
