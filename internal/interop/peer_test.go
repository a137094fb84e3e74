package interop

import (
	"strings"
	"testing"
)

// TestInteropPeer: a called phone names its caller, and the caller the
// phone it called.
func TestInteropPeer(t *testing.T) {
	pt := newPhoneTest(t)
	alice := StartBaresip(t, BaresipOpts{User: "alice"})
	bob := StartBaresip(t, BaresipOpts{User: "bob"})
	pt.must(alice.Dial(bob.URI()))
	pt.wait(bob, "CALL_INCOMING")
	for _, c := range []struct {
		p    *Baresip
		want string
	}{{bob, alice.URI()}, {alice, bob.URI()}} {
		if got, err := c.p.Peer(); err != nil || !strings.Contains(got, c.want) {
			t.Errorf("%s: Peer() = %q, %v; want %s", c.p.User(), got, err, c.want)
		}
	}
}
