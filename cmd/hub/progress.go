package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// progressBar draws a bar on w while a long job runs, when w is a
// terminal; elsewhere (a log, a pipe) it returns nil and the job is silent.
func progressBar(w io.Writer, label string) func(done, total int64) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	const width = 30
	shown := int64(-1)
	return func(done, total int64) {
		if total <= 0 {
			return
		}
		// Redraw only when the bar would change: a million updates would
		// otherwise cost more than the job.
		permille := done * 1000 / total
		if permille == shown {
			return
		}
		shown = permille
		filled := int(done * width / total)
		fmt.Fprintf(f, "\r%s [%s%s] %d/%d", label, strings.Repeat("=", filled), strings.Repeat(" ", width-filled), done, total)
		if done >= total {
			fmt.Fprintln(f)
		}
	}
}
