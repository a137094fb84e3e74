package locate

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Answers are reused for their TTL, each record set for its own, and "no
// such name" for the SOA's minimum.
func TestCacheExpiry(t *testing.T) {
	z := newZone(t, testZone...)
	r, clock := testResolver(serve(t, z))
	ctx := context.Background()
	lookup := func() {
		t.Helper()
		if _, err := r.Lookup(ctx, URI{Scheme: "sip", Host: "example.com"}); err != nil {
			t.Fatal(err)
		}
	}
	counts := func() [3]int {
		return [3]int{
			z.count("example.com.", dns.TypeNAPTR),
			z.count("_sip._udp.example.com.", dns.TypeSRV),
			z.count("s1.example.com.", dns.TypeA),
		}
	}
	steps := []struct {
		advance time.Duration
		want    [3]int // NAPTR, SRV and A queries so far, at 0, 0, 59, 60, 119, 120, 299, 300 s
	}{
		{0, [3]int{1, 1, 1}},
		{0, [3]int{1, 1, 1}},
		{59 * time.Second, [3]int{1, 1, 1}},
		{time.Second, [3]int{1, 1, 2}}, // the A record's TTL of 60 s is up
		{59 * time.Second, [3]int{1, 1, 2}},
		{time.Second, [3]int{1, 1, 3}},
		{179 * time.Second, [3]int{1, 1, 4}},
		{time.Second, [3]int{2, 2, 4}}, // the others' 300 s are up
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		lookup()
		if got := counts(); got != s.want {
			t.Errorf("step %d: NAPTR, SRV, A queries %v, want %v", i, got, s.want)
		}
	}

	// A domain without NAPTR and SRV records: the negative answers are
	// cached for the 60 s minimum of the SOA.
	uri := URI{Scheme: "sip", Host: "a.test"}
	for i, advance := range []time.Duration{0, 59 * time.Second, time.Second} {
		clock.Advance(advance)
		if _, err := r.Lookup(ctx, uri); err != nil {
			t.Fatal(err)
		}
		want := 1 + i/2
		if got := z.count("a.test.", dns.TypeNAPTR); got != want {
			t.Errorf("lookup %d: %d NAPTR queries, want %d", i, got, want)
		}
		if got := z.count("_sip._udp.a.test.", dns.TypeSRV); got != want {
			t.Errorf("lookup %d: %d SRV queries, want %d", i, got, want)
		}
	}
}

// A TTL of 0 is not cached, and neither is a negative answer without SOA.
func TestCacheNothing(t *testing.T) {
	z := newZone(t, "zero.test. 0 IN A 192.0.2.1")
	z.soa = nil
	r, _ := testResolver(serve(t, z))
	for range 3 {
		if _, err := r.Lookup(context.Background(), URI{Scheme: "sip", Host: "zero.test", Port: 5060}); err != nil {
			t.Fatal(err)
		}
	}
	if a, aaaa := z.count("zero.test.", dns.TypeA), z.count("zero.test.", dns.TypeAAAA); a != 3 || aaaa != 3 {
		t.Errorf("%d A and %d AAAA queries for 3 lookups, want 3 each", a, aaaa)
	}
}

// The cache drops expired answers once it holds many.
func TestCacheSweep(t *testing.T) {
	r, clock := testResolver(serve(t, newZone(t, testZone...)))
	ctx := context.Background()
	for i := range cacheSweep {
		host := fmt.Sprintf("h%d.test", i)
		if _, err := r.Lookup(ctx, URI{Scheme: "sip", Host: host, Port: 5060}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("%s: %v", host, err)
		}
	}
	if n := len(r.cache); n < cacheSweep {
		t.Fatalf("cache holds %d answers, want at least %d", n, cacheSweep)
	}
	clock.Advance(time.Minute)
	if _, err := r.Lookup(ctx, URI{Scheme: "sip", Host: "a.test", Port: 5060}); err != nil {
		t.Fatal(err)
	}
	if n := len(r.cache); n > 2 {
		t.Errorf("cache holds %d answers after expiry, want the 2 of a.test", n)
	}
}

// Over UDP the answer is cut short; the query is repeated over TCP.
func TestTruncated(t *testing.T) {
	z := newZone(t, testZone...)
	z.truncate = true
	r, _ := testResolver(serve(t, z))
	ts, err := r.Lookup(context.Background(), URI{Scheme: "sip", Host: "example.com", Transport: "tcp"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"tcp:192.0.2.1:5060 s1.example.com", "tcp:[2001:db8::1]:5060 s1.example.com"}; !slices.Equal(targetStrings(ts), want) {
		t.Errorf("got %v, want %v", targetStrings(ts), want)
	}
	if z.askedTCP == 0 {
		t.Error("no query over TCP")
	}
}

// A server that never answers: the lookup fails with a timeout after the
// first query, since the others would wait as long.
func TestTimeout(t *testing.T) {
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()

	tests := []struct {
		name    string
		timeout time.Duration
		ctx     func() (context.Context, context.CancelFunc)
		is      error
	}{
		{"Timeout", 50 * time.Millisecond, func() (context.Context, context.CancelFunc) {
			return context.WithCancel(context.Background())
		}, os.ErrDeadlineExceeded},
		{"context", time.Minute, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 50*time.Millisecond)
		}, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := testResolver(silent.LocalAddr().String())
			r.Timeout = tt.timeout
			ctx, cancel := tt.ctx()
			defer cancel()
			ts, err := r.Lookup(ctx, URI{Scheme: "sip", Host: "example.com"})
			if err == nil {
				t.Fatalf("no error; targets %v", ts)
			}
			if !errors.Is(err, tt.is) || errors.Is(err, ErrNotFound) {
				t.Errorf("error %q is not %v", err, tt.is)
			}
			// The query is in the socket's buffer by now.
			if n := datagrams(t, silent); n != 1 {
				t.Errorf("%d queries sent, want 1", n)
			}
		})
	}
}

// datagrams reads what waits in c and says how many datagrams it was.
func datagrams(t *testing.T, c net.PacketConn) int {
	buf := make([]byte, 2048)
	for n := 0; ; n++ {
		c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if _, _, err := c.ReadFrom(buf); err != nil {
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatal(err)
			}
			return n
		}
	}
}

// Without Server, the nameservers of resolv.conf are asked, or the local
// machine's when it names none.
func TestServers(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "resolv.conf")
	if err := os.WriteFile(conf, []byte("search example.com\nnameserver 192.0.2.53\nnameserver 2001:db8::53\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.conf")
	if err := os.WriteFile(empty, []byte("# no servers\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	defer func(p string) { resolvConf = p }(resolvConf)

	tests := []struct {
		server, conf string
		want         []string
	}{
		{"", conf, []string{"192.0.2.53:53", "[2001:db8::53]:53"}},
		{"", empty, localServers},
		{"", filepath.Join(dir, "missing"), localServers},
		{"127.0.0.1:5353", conf, []string{"127.0.0.1:5353"}},
	}
	for _, tt := range tests {
		resolvConf = tt.conf
		r := &Resolver{Server: tt.server}
		if got := r.servers(); !slices.Equal(got, tt.want) {
			t.Errorf("Server %q, %s: got %v, want %v", tt.server, filepath.Base(tt.conf), got, tt.want)
		}
	}
}
