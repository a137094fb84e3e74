package locate

import (
	"context"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"
)

// A failed target goes last for FailFor, the one that failed first before
// the one that failed later, and then comes back to its place.
func TestMarkFailed(t *testing.T) {
	r, clock := testResolver(serve(t, newZone(t, testZone...)))
	r.Transports = []Transport{UDP, TCP}
	lookup := func() []string {
		t.Helper()
		ts, err := r.Lookup(context.Background(), URI{Scheme: "sip", Host: "example.com"})
		if err != nil {
			t.Fatal(err)
		}
		return targetStrings(ts)
	}
	const (
		tcp1  = "tcp:192.0.2.1:5060 s1.example.com"
		tcp16 = "tcp:[2001:db8::1]:5060 s1.example.com"
		udp1  = "udp:192.0.2.1:5060 s1.example.com"
		udp16 = "udp:[2001:db8::1]:5060 s1.example.com"
		udp2  = "udp:192.0.2.2:5062 s2.example.com"
	)
	fail := func(transport Transport, addr string) {
		r.MarkFailed(Target{Transport: transport, Addr: netip.MustParseAddrPort(addr)})
	}
	steps := []struct {
		do   func()
		want []string
	}{
		{func() {}, []string{tcp1, tcp16, udp1, udp16, udp2}},
		{func() { fail(TCP, "192.0.2.1:5060") }, []string{tcp16, udp1, udp16, udp2, tcp1}},
		{func() { clock.Advance(10 * time.Second); fail(UDP, "[2001:db8::1]:5060") }, []string{tcp16, udp1, udp2, tcp1, udp16}},
		// The same address over another transport is another target.
		{func() { fail(TLS, "192.0.2.1:5060") }, []string{tcp16, udp1, udp2, tcp1, udp16}},
		{func() { clock.Advance(19 * time.Second) }, []string{tcp16, udp1, udp2, tcp1, udp16}},
		{func() { clock.Advance(time.Second) }, []string{tcp1, tcp16, udp1, udp2, udp16}},
		// Failing again starts FailFor afresh.
		{func() { fail(UDP, "[2001:db8::1]:5060"); clock.Advance(10 * time.Second) }, []string{tcp1, tcp16, udp1, udp2, udp16}},
		{func() { clock.Advance(20 * time.Second) }, []string{tcp1, tcp16, udp1, udp16, udp2}},
	}
	for i, s := range steps {
		s.do()
		if got := lookup(); !slices.Equal(got, s.want) {
			t.Errorf("step %d: got\n\t%v\nwant\n\t%v", i, got, s.want)
		}
	}

	r.FailFor = time.Minute
	fail(TCP, "192.0.2.1:5060")
	clock.Advance(59 * time.Second)
	if got := lookup(); got[len(got)-1] != tcp1 {
		t.Errorf("FailFor of a minute: %s is not last after 59 s: %v", tcp1, got)
	}
	if n := len(r.failed); n != 1 {
		t.Errorf("%d failures kept, want only the one still in force", n)
	}
}

// Lookups and failures from many goroutines at once (run with -race).
func TestConcurrent(t *testing.T) {
	r, clock := testResolver(serve(t, newZone(t, testZone...)))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				uri := URI{Scheme: "sip", Host: "example.com"}
				if g%2 == 1 {
					uri.Host = "srv.test"
				}
				ts, err := r.Lookup(context.Background(), uri)
				if err != nil {
					t.Error(err)
					return
				}
				r.MarkFailed(ts[0])
				if i%10 == 0 {
					clock.Advance(time.Minute)
				}
			}
		})
	}
	wg.Wait()
}
