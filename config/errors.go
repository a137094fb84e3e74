package config

import "strings"

// Error is one problem in a configuration.
type Error struct {
	Key string // key path with 0-based indices, e.g. "lines[2].number"; "" for a syntax error
	Msg string // what is wrong; a syntax error's starts with "line N, column M:"
}

func (e *Error) Error() string {
	if e.Key == "" {
		return e.Msg
	}
	return e.Key + ": " + e.Msg
}

// Errors is every problem found in a configuration, in file order. Load and
// Validate return it; get at it with errors.As.
type Errors []*Error

// Error prints one problem per line.
func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}
