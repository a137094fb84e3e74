package telephony

import (
	"context"
	"log/slog"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"tipring/board/sim"
	"tipring/hal"
	"tipring/sipua"
)

// rig is a gateway on a simulated board, with its SIP user agent, and a SIP
// peer out on loopback that takes the gateway's calls and places its own.
// A test steps the frame loop itself, so that bus time is in its hands.
type rig struct {
	t     testing.TB
	b     *sim.Board
	e     *Engine
	ua    *sipua.UA // the gateway's
	peer  *sipua.UA // the far end's
	calls chan *sipua.Call
	start time.Time
	ctx   context.Context
}

// testLog shows the gateway's log with -v.
func testLog() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// newRig starts a gateway on the board so describes, its lines configured
// by setup, and the far end.
func newRig(t testing.TB, so sim.Opts, setup func(b *sim.Board, ports []Port) []Port, o Options) *rig {
	t.Helper()
	country, kinds := so.Country, so.Ports
	b, err := sim.New(so)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &rig{t: t, b: b, calls: make(chan *sipua.Call, 8), start: time.Now(), ctx: ctx}
	loop := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	r.peer, err = sipua.New(sipua.Config{UserAgent: "far", Listen: []sipua.Listen{{Transport: "udp", Addr: netip.MustParseAddrPort("127.0.0.1:0")}},
		TrustedPeers: loop, Accounts: []sipua.Account{{Name: "out", User: "far", Domain: "127.0.0.1"}},
		Incoming: func(c *sipua.Call) { r.calls <- c }, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() { r.peer.Run(ctx) })
	farAddr := waitAddr(t, r.peer)

	var ports []Port
	for i, k := range kinds {
		p := Port{ID: i + 1, Account: "trunk"}
		if k == hal.KindFXS {
			p.FXS, p.Number = b.FXS(i+1), "100"+string(rune('1'+i))
		} else {
			p.FXO = b.FXO(i + 1)
		}
		ports = append(ports, p)
	}
	if setup != nil {
		ports = setup(b, ports)
	}
	o.Country, o.Log = country, testLog()
	var eng *Engine
	r.ua, err = sipua.New(sipua.Config{UserAgent: "tipring-test", Listen: []sipua.Listen{{Transport: "udp", Addr: netip.MustParseAddrPort("127.0.0.1:0")}},
		TrustedPeers: loop,
		// The domain is the far end, where a blind transfer sends its target.
		Accounts: []sipua.Account{{Name: "trunk", User: "gw", Domain: farAddr.String(), Proxy: "sip:" + farAddr.String()}},
		Incoming: func(c *sipua.Call) { eng.Incoming(c) }, Log: o.Log})
	if err != nil {
		t.Fatal(err)
	}
	o.SIP = r.ua
	if eng, err = New(b.PCM(), ports, o); err != nil {
		t.Fatal(err)
	}
	r.e = eng
	wg.Go(func() { r.ua.Run(ctx) })
	waitAddr(t, r.ua)
	for _, s := range eng.sigs {
		wg.Go(func() { s.run(ctx) })
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
	return r
}

func waitAddr(t testing.TB, u *sipua.UA) netip.AddrPort {
	for range 400 {
		if a, ok := u.Addr("udp"); ok && a.Port() != 0 {
			return a
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("SIP UA not listening")
	return netip.AddrPort{}
}

// step runs n frames at once, as fast as they go.
func (r *rig) step(n int) {
	for range n {
		if err := r.e.pcm.Transfer(r.e.rx, r.e.tx); err != nil {
			r.t.Fatal(err)
		}
		r.e.frame(r.start, r.start)
	}
}

// until runs frames until cond holds, a millisecond apart so that the SIP
// side keeps up (bus time runs about 20 times faster than wall time), for
// at most limit of bus time.
func (r *rig) until(what string, limit time.Duration, cond func() bool) {
	r.t.Helper()
	for n := limit / hal.FrameDuration; n > 0; n-- {
		if cond() {
			return
		}
		r.step(1)
		time.Sleep(time.Millisecond)
	}
	if !cond() {
		r.t.Fatalf("%s: not within %v of bus time", what, limit)
	}
}

// activity is what line id is doing.
func (r *rig) activity(id int) string {
	lines, _ := r.e.Status()
	return lines[id-1].Activity
}

// farCall waits for the gateway's next call to the far end.
func (r *rig) farCall() *sipua.Call {
	r.t.Helper()
	var c *sipua.Call
	r.until("a call reaches the far end", 10*time.Second, func() bool {
		select {
		case c = <-r.calls:
			return true
		default:
			return false
		}
	})
	return c
}

// dial has the far end call number at the gateway.
func (r *rig) dial(number string, from sipua.Party) *sipua.Call {
	r.t.Helper()
	gw, _ := r.ua.Addr("udp")
	c, err := r.peer.Dial("out", "sip:"+number+"@"+gw.String(), from)
	if err != nil {
		r.t.Fatal(err)
	}
	return c
}
