package locate_test

import (
	"context"
	"fmt"

	"tipring/sipua/locate"
)

// A URI with a numeric address needs no DNS: its transport is the one it
// names, else UDP for sip and TLS for sips, its port the one it gives,
// else 5060 or 5061 for TLS.
func ExampleResolver_Lookup() {
	var r locate.Resolver
	for _, u := range []locate.URI{
		{Scheme: "sips", Host: "[2001:db8::10]"},
		{Scheme: "sip", Host: "192.0.2.10", Transport: "tcp"},
		{Scheme: "sip", Host: "192.0.2.10", Port: 5080},
	} {
		ts, err := r.Lookup(context.Background(), u)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(ts)
	}
	// Output:
	// [tls:[2001:db8::10]:5061]
	// [tcp:192.0.2.10:5060]
	// [udp:192.0.2.10:5080]
}

// The caller tries the targets in turn and reports the one that failed, so
// that the next request goes first to a server that works.
func ExampleResolver_MarkFailed() {
	r := &locate.Resolver{}
	send := func(t locate.Target) error { return fmt.Errorf("%v: 503 Service Unavailable", t) }

	ts, err := r.Lookup(context.Background(), locate.URI{Scheme: "sip", Host: "192.0.2.10"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range ts {
		if err := send(t); err != nil {
			fmt.Println(err)
			r.MarkFailed(t)
			continue
		}
		break
	}
	// Output:
	// udp:192.0.2.10:5060: 503 Service Unavailable
}
