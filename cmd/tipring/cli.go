package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// A command is one "tipring ..." subcommand. run returns nil on success; an
// error is printed by main as one line on stderr and the process exits 1.
// A command that has already printed its problems returns errReported.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

// errReported means the command has printed what went wrong; exit 1 quietly.
var errReported = errors.New("problems reported")

// newFlags returns a flag set whose -h prints usage (the synopsis line, then
// the flags) to stderr.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: tipring %s\n", synopsis)
		var hasFlags bool
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseArgs parses flags that may come before, between or after the
// positional arguments ("dtmf-gen 123 -o x.wav"; "--" ends the flags), and
// returns the positional ones. Outside min..max of them (max < 0: no limit),
// it prints the usage and returns errReported.
func parseArgs(fs *flag.FlagSet, args []string, min, max int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	if len(pos) < min || max >= 0 && len(pos) > max {
		fs.Usage()
		return nil, errReported
	}
	return pos, nil
}

// dispatch runs the subcommand named by args[0] from cmds.
func dispatch(prefix string, cmds []command, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printCommands(prefix, cmds, stderr)
		if len(args) == 0 {
			return errReported
		}
		return nil
	}
	for _, c := range cmds {
		if c.name == args[0] {
			err := c.run(args[1:], stdout, stderr)
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		}
	}
	return fmt.Errorf("unknown command %q; see \"%s -h\"", strings.TrimSpace(prefix+" "+args[0]), prefix)
}

func printCommands(prefix string, cmds []command, w io.Writer) {
	fmt.Fprintf(w, "usage: %s COMMAND [ARGS]\n\ncommands:\n", prefix)
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\n\"%s COMMAND -h\" shows a command's usage.\n", prefix)
}
