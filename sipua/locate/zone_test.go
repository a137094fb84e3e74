package locate

import (
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// zone is a DNS server for tests, answering from records given as lines of
// a zone file. Names it has no record for do not exist; names ending in one
// of fail get SERVFAIL.
type zone struct {
	mu       sync.Mutex
	rrs      map[question][]dns.RR
	owners   map[string]bool
	soa      dns.RR // in negative answers; nil for none
	fail     []string
	truncate bool // answer records over UDP with the TC bit only
	asked    map[question]int
	askedTCP int
}

// The SOA of every negative answer: cached for its minimum, 60 s.
const testSOA = "test. 3600 IN SOA ns.test. admin.test. 1 3600 600 86400 60"

func newZone(t testing.TB, lines ...string) *zone {
	t.Helper()
	z := &zone{
		rrs:    make(map[question][]dns.RR),
		owners: make(map[string]bool),
		asked:  make(map[question]int),
	}
	var err error
	if z.soa, err = dns.NewRR(testSOA); err != nil {
		t.Fatal(err)
	}
	for _, line := range lines {
		rr, err := dns.NewRR(line)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		h := rr.Header()
		q := question{strings.ToLower(h.Name), h.Rrtype}
		z.rrs[q] = append(z.rrs[q], rr)
		z.owners[q.name] = true
	}
	return z
}

func (z *zone) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	q := question{strings.ToLower(req.Question[0].Name), req.Question[0].Qtype}
	udp := w.LocalAddr().Network() == "udp"

	z.mu.Lock()
	z.asked[q]++
	if !udp {
		z.askedTCP++
	}
	name := q.name
	for range maxCNAMEs {
		if rrs := z.rrs[question{name, q.qtype}]; len(rrs) > 0 {
			m.Answer = append(m.Answer, rrs...)
			break
		}
		if c := z.rrs[question{name, dns.TypeCNAME}]; len(c) > 0 {
			m.Answer = append(m.Answer, c[0])
			name = strings.ToLower(c[0].(*dns.CNAME).Target)
			continue
		}
		if !z.owners[name] {
			m.Rcode = dns.RcodeNameError
		}
		if z.soa != nil {
			m.Ns = []dns.RR{z.soa}
		}
		break
	}
	for _, f := range z.fail {
		if strings.HasSuffix(q.name, f) {
			m.Rcode, m.Answer, m.Ns = dns.RcodeServerFailure, nil, nil
		}
	}
	if z.truncate && udp && len(m.Answer) > 0 {
		m.Answer, m.Truncated = nil, true
	}
	z.mu.Unlock()
	w.WriteMsg(m)
}

// count says how often name's records of type qtype were asked for.
func (z *zone) count(name string, qtype uint16) int {
	z.mu.Lock()
	defer z.mu.Unlock()
	return z.asked[question{name, qtype}]
}

// total says how many queries the zone answered.
func (z *zone) total() int {
	z.mu.Lock()
	defer z.mu.Unlock()
	n := 0
	for _, c := range z.asked {
		n += c
	}
	return n
}

// serve runs h on UDP and TCP at one loopback port until the test ends,
// and returns the address.
func serve(t testing.TB, h dns.Handler) string {
	t.Helper()
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		l, err := net.Listen("tcp", pc.LocalAddr().String())
		if err != nil { // the port is taken for TCP; try another
			pc.Close()
			continue
		}
		start(t, &dns.Server{PacketConn: pc, Handler: h})
		start(t, &dns.Server{Listener: l, Handler: h})
		return pc.LocalAddr().String()
	}
	t.Fatal("no loopback port free for both UDP and TCP")
	return ""
}

func start(t testing.TB, s *dns.Server) {
	started := make(chan struct{})
	failed := make(chan error, 1)
	s.NotifyStartedFunc = func() { close(started) }
	go func() { failed <- s.ActivateAndServe() }()
	select {
	case <-started:
	case err := <-failed:
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown() })
}

// fakeClock is a clock that moves only when told.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testResolver returns a Resolver that asks the server at addr, with a
// fake clock and a random source of fixed seed.
func testResolver(addr string) (*Resolver, *fakeClock) {
	clock := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	r := &Resolver{
		Server:  addr,
		Timeout: 10 * time.Second, // generous: loopback answers at once
		now:     clock.Now,
		rnd:     rand.New(rand.NewPCG(1, 2)),
	}
	return r, clock
}
