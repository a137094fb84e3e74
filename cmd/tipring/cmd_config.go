package main

import (
	"errors"
	"fmt"
	"io"

	"tipring/config"
)

// configCommands are the "tipring config" tools.
func configCommands() []command {
	return []command{
		{"check", "validate a configuration file, printing every problem", runConfigCheck},
		{"default", "print the built-in default configuration", runConfigDefault},
	}
}

func runConfig(args []string, stdout, stderr io.Writer) error {
	return dispatch("tipring config", configCommands(), args, stdout, stderr)
}

func runConfigCheck(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("config check", "config check FILE", stderr)
	pos, err := parseArgs(fs, args, 1, 1)
	if err != nil {
		return err
	}
	file := pos[0]
	_, err = config.Load(file)
	var errs config.Errors
	switch {
	case err == nil:
		fmt.Fprintf(stdout, "%s: ok\n", file)
		return nil
	case errors.As(err, &errs):
		for _, e := range errs {
			fmt.Fprintf(stderr, "%s: %v\n", file, e)
		}
		return errReported
	}
	return err
}

func runConfigDefault(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("config default", "config default", stderr)
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return err
	}
	b, err := config.Marshal(config.Default())
	if err != nil {
		return err
	}
	_, err = stdout.Write(b)
	return err
}
