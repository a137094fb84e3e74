package interop

import (
	"fmt"
	"regexp"
	"strings"
)

var peerURI = regexp.MustCompile(`(?m)^\s*peer_uri:\s+(.+)$`)

// Peer returns the other party of the current call as the call's From (or,
// for a call the phone made, To) header names it: the display name, if
// any, and the URI, as in `Bob <sip:5551234@127.0.0.1>`.
func (b *Baresip) Peer() (string, error) {
	out, err := b.Command("callstat", "")
	if err != nil {
		return "", err
	}
	m := peerURI.FindStringSubmatch(out)
	if m == nil {
		return "", fmt.Errorf("baresip %s: no peer in %q", b.user, out)
	}
	return strings.TrimSpace(m[1]), nil
}
