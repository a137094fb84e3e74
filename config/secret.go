package config

import "log/slog"

// Secret is a password. It is saved verbatim to the file but prints as
// "[redacted]" through fmt (%v, %+v, %#v, %s, %q), log/slog and encoding/json,
// so that logging a Config or serving it as JSON never reveals it. Use
// string(s) where the password itself is needed.
type Secret string

const redacted = "[redacted]"

func (Secret) String() string               { return redacted }
func (Secret) GoString() string             { return redacted }
func (Secret) LogValue() slog.Value         { return slog.StringValue(redacted) }
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }
