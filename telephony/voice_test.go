package telephony

import (
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/pion/rtp"

	"tipring/board/sim"
	"tipring/dsp/g711"
	"tipring/hal"
	"tipring/internal/testtool"
	"tipring/sipua"
)

// A SIP caller talks to the PSTN through an FXO line whose hybrid returns
// its voice 6 dB down (the worst G.168 tests for). With the line's echo
// canceller, what comes back to the caller is the echo gone; without it,
// the caller hears itself.
func TestEchoCancelledEndToEnd(t *testing.T) {
	speech, err := testtool.Speak(t, "The quick brown fox jumps over the lazy dog. Pack my box with five dozen liquor jugs. How vexingly quick daft zebras jump.", "-s", "150")
	if err != nil {
		t.Fatal(err)
	}
	// G.168's targets: 20 dB within the first second, 30 dB steady. The
	// caller's first second of speech comes back in the second second:
	// that is the first window; the steady one starts a second later.
	windows := []struct {
		name     string
		from, to time.Duration
		want     float64
		off, on  float64 // the power heard without and with the canceller
	}{
		{"converging", time.Second, 2 * time.Second, 20, 0, 0},
		{"steady", 3 * time.Second, 5 * time.Second, 30, 0, 0},
	}
	for _, on := range []bool{false, true} {
		r := newRig(t, sim.Opts{Country: "US", Ports: fxoOnly, EchoReturnLoss: 6}, func(b *sim.Board, p []Port) []Port {
			if on {
				p[0].Voice.EchoTail = 64 * time.Millisecond
			}
			return p
		}, Options{Inbound: []Inbound{{Match: mustParse("x.T"), Lines: []int{1}}}})
		x := r.b.FXO(1)
		c := r.dial("5551234", sipua.Party{Number: "2000"})
		r.until("exchange rings the called party", 10*time.Second, func() bool { return x.State().State == sim.LineRingback })
		x.Answer(false)
		r.until("answered", 2*time.Second, func() bool { return c.State() == sipua.CallActive })
		far := play(t, c, func(i int) int16 { return speech[i%len(speech)] })
		realTime(r, int(5*time.Second/hal.FrameDuration))
		heard := far.since(0)
		if len(heard) < 4*hal.SampleRate {
			t.Fatalf("the caller heard %d samples", len(heard))
		}
		for i := range windows {
			w := &windows[i]
			p := power(heard[int(w.from/time.Second*hal.SampleRate):min(len(heard), int(w.to/time.Second*hal.SampleRate))])
			if on {
				w.on = p
			} else {
				w.off = p
			}
		}
		if on {
			lines, _ := r.e.Status()
			if erle := lines[0].Call.ERLE; erle < 10 {
				t.Errorf("the line's status shows ERLE %.1f dB; want 10 or more", erle)
			}
		}
		c.Hangup(context.Background(), 16)
	}
	for _, w := range windows {
		if w.off < 1e4 {
			t.Fatalf("%s: without the canceller the caller hears too little echo (%.0f) to measure", w.name, w.off)
		}
		erle := 10 * math.Log10(w.off/max(w.on, 1e-3))
		t.Logf("%s, %v to %v: echo %.1f dB without the canceller, %.1f dB with it: %.1f dB less",
			w.name, w.from, w.to, 10*math.Log10(w.off), 10*math.Log10(max(w.on, 1e-3)), erle)
		if erle < w.want {
			t.Errorf("%s: the canceller takes %.1f dB off the echo; want %.0f or more", w.name, erle, w.want)
		}
	}
}

// power is the mean square of s.
func power(s []int16) float64 {
	var p float64
	for _, v := range s {
		p += float64(v) * float64(v)
	}
	return p / float64(len(s))
}

// A call's audio crosses a network that loses 5 % of the packets at random
// and delays each by up to 40 ms, so that they also come out of order. The
// jitter buffer puts them back in order and the concealer fills the
// losses: the phone hears the tone without a gap.
func TestLossAndJitterPlayWithoutGaps(t *testing.T) {
	r := newRig(t, sim.Opts{Country: "US", Ports: fxsOnly}, nil, Options{})
	phone := r.b.FXS(1)
	c := r.dial("1001", sipua.Party{Number: "2000"})
	r.until("the phone rings", 3*time.Second, func() bool { return r.activity(1) == "ringing" })
	phone.OffHook()
	r.until("answered", 2*time.Second, func() bool { return c.State() == sipua.CallActive })

	// The far end's own stream stays quiet; its packets go out through a
	// network of their own.
	const (
		frames = 250 // 5 s
		loss   = 0.05
		jitter = 40 * time.Millisecond
	)
	net := newLossyNet(t, c.Media().Remote, 7)
	go net.send(frames, loss, jitter, 1000)
	rec, err := r.b.Record(1, 4*hal.SampleRate)
	if err != nil {
		t.Fatal(err)
	}
	realTime(r, 50) // the first second: the buffer learns the jitter
	realTime(r, 200)
	heard, err := rec.Wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	heard = heard[hal.SampleRate:] // what the phone heard from the second second on
	full := math.Sqrt(power(heard))
	gaps := 0
	for i := 0; i+80 <= len(heard); i += 80 {
		if math.Sqrt(power(heard[i:i+80])) < full/2 {
			gaps++
		}
	}
	lines, _ := r.e.Status()
	<-net.done
	t.Logf("sent %d packets, %d lost; the gateway concealed %d frames, its buffer holds %v; %d of %d 10 ms blocks below half the level",
		net.sent, net.lost, lines[0].Call.Concealed, lines[0].Call.Delay, gaps, len(heard)/80)
	if full < 1000 {
		t.Fatalf("the phone heard the tone at RMS %.0f", full)
	}
	if gaps > 0 {
		t.Errorf("%d gaps of 10 ms in 3 s of tone", gaps)
	}
	if net.lost == 0 || lines[0].Call.Concealed == 0 {
		t.Errorf("%d packets lost, %d frames concealed: the test tested nothing", net.lost, lines[0].Call.Concealed)
	}
}

// lossyNet sends RTP to the gateway as a network that loses and delays
// packets would deliver it.
type lossyNet struct {
	t          *testing.T
	conn       *net.UDPConn
	to         netip.AddrPort
	rnd        *rand.Rand
	sent, lost int
	done       chan struct{}
}

func newLossyNet(t *testing.T, to netip.AddrPort, seed uint64) *lossyNet {
	conn, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	n := &lossyNet{t: t, conn: conn, to: to, rnd: rand.New(rand.NewPCG(seed, seed)), done: make(chan struct{})}
	t.Cleanup(func() { <-n.done; conn.Close() })
	return n
}

// send sends frames 20 ms frames of a tone at hz, each packet lost with
// probability loss or else delayed by up to jitter.
func (n *lossyNet) send(frames int, loss float64, jitter time.Duration, hz float64) {
	defer close(n.done)
	type packet struct {
		at time.Duration
		b  []byte
	}
	var pkts []packet
	var pcm hal.Frame
	for i := range frames {
		for k := range pcm {
			pcm[k] = int16(8000 * math.Sin(2*math.Pi*hz*float64(i*hal.FrameSamples+k)/hal.SampleRate))
		}
		payload := make([]byte, hal.FrameSamples)
		g711.EncodeUlaw(payload, pcm[:])
		b, err := (&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: uint16(i), Timestamp: uint32(i * hal.FrameSamples), SSRC: 0x5eed}, Payload: payload}).Marshal()
		if err != nil {
			panic(err)
		}
		// The first packets go through, so the gateway latches on to the
		// sender (RFC 7362 wants two in sequence from a new address).
		if i >= 2 && n.rnd.Float64() < loss {
			n.lost++
			continue
		}
		pkts = append(pkts, packet{at: time.Duration(i)*hal.FrameDuration + time.Duration(n.rnd.Int64N(int64(jitter))), b: b})
	}
	slices.SortFunc(pkts, func(a, b packet) int { return cmp.Compare(a.at, b.at) })
	start := time.Now()
	for _, p := range pkts {
		time.Sleep(time.Until(start.Add(p.at)))
		if _, err := n.conn.WriteToUDPAddrPort(p.b, n.to); err == nil {
			n.sent++
		}
	}
}
