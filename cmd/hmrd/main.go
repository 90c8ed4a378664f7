// Command hmrd is the hot-module-replacement signalling daemon and its
// command line; see package cli, and `hmrd help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/hmrd/hmrd/internal/cli"
)

func main() {
	// Cancelling on SIGINT/SIGTERM lets `serve` shut down gracefully and
	// `events` stop cleanly; a second signal kills as usual.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // restore the default: the next signal kills
	}()
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
