// Command gensignal writes the signal package's per-arity files
// (signal0.go … signal3r.go) into the current directory. It is run by
// `go generate` in package signal; see package gen for what it writes.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/sigloop/sigloop/signal/internal/gen"
)

func main() {
	files, err := gen.Files()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gensignal:", err)
		os.Exit(1)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(".", f.Name), f.Data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gensignal:", err)
			os.Exit(1)
		}
	}
}
