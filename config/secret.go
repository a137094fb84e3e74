package config

import (
	"fmt"
	"io"
	"log/slog"
)

// Secret is a password. It is saved verbatim to the file but shows as
// "[redacted]" through fmt (every verb, %#v included), log/slog and
// encoding/json, so that logging a Config or serving it as JSON never reveals
// it. Use string(s) where the password itself is needed.
type Secret string

const redacted = "[redacted]"

func (Secret) String() string { return redacted }

// Format stands in for GoString too, and covers verbs that would otherwise
// print the bare value ("%d" gives "%!d(config.Secret=...)").
func (Secret) Format(f fmt.State, verb rune) { io.WriteString(f, redacted) }

func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }
