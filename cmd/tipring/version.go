package main

import (
	"fmt"
	"io"
	"runtime"
)

// version is set by the build (make build: -ldflags "-X main.version=...").
var version = "dev"

func runVersion(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("version", "version", stderr)
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "tipring %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
