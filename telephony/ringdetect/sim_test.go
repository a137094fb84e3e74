package ringdetect_test

import (
	"testing"
	"time"

	"tipring/board/sim"
	"tipring/dsp/tone"
	"tipring/hal"
	"tipring/telephony/ringdetect"
)

// line is an exchange line of an unpaced simulated board with a Detector
// on it; run drives frames and collects the detector's signals with the bus
// time each was taken.
type line struct {
	t      *testing.T
	b      *sim.Board
	x      *sim.Exchange
	d      *ringdetect.Detector
	rx, tx []hal.Frame
	got    []ringdetect.Signal
	taken  []time.Duration
}

func newLine(t *testing.T, country string) *line {
	b, err := sim.New(sim.Opts{Ports: []hal.Kind{hal.KindFXO}, Country: country})
	if err != nil {
		t.Fatal(err)
	}
	d, err := ringdetect.New(ringdetect.DefaultOpts)
	if err != nil {
		t.Fatal(err)
	}
	return &line{t: t, b: b, x: b.FXO(1), d: d, rx: make([]hal.Frame, 1), tx: make([]hal.Frame, 1)}
}

// run drives frames until done says stop, or for at most d.
func (l *line) run(d time.Duration, done func() bool) {
	l.t.Helper()
	for range d / hal.FrameDuration {
		if err := l.b.PCM().Transfer(l.rx, l.tx); err != nil {
			l.t.Fatal(err)
		}
		for len(l.x.Events()) > 0 {
			l.d.Event(<-l.x.Events())
		}
		now := l.b.Now()
		l.d.Tick(now)
		for s, ok := l.d.Next(); ok; s, ok = l.d.Next() {
			l.got, l.taken = append(l.got, s), append(l.taken, now)
		}
		if done != nil && done() {
			return
		}
	}
}

// TestSimulatedExchange rings the gateway from the simulated exchange of
// every country, with and without caller ID, and has the caller give up
// between two bursts. The signals must follow the country's cadence.
func TestSimulatedExchange(t *testing.T) {
	for _, cc := range tone.Countries() {
		for _, cid := range []*sim.CallerID{nil, {Number: "01632960123", Name: "A Caller"}} {
			name := cc
			if cid != nil {
				name += "/callerid"
			}
			t.Run(name, func(t *testing.T) {
				l := newLine(t, cc)
				if err := l.x.Ring(cid); err != nil {
					t.Fatal(err)
				}
				l.run(20*time.Second, nil)
				l.run(10*time.Second, func() bool { return !l.x.State().Ringing })
				if err := l.x.Hangup(sim.HangupLoop); err != nil {
					t.Fatal(err)
				}
				l.run(10*time.Second, nil)
				p, _ := tone.Lookup(cc)
				l.check(p.Ring, cid != nil)
			})
		}
	}
}

// check checks the signals of one call rung in cadence c (on, off, on,
// off... ms) and abandoned. Every burst must be one of the cadence's, counted
// from the first; after the first, some may be missing while caller ID is
// sent.
func (l *line) check(c []int, cid bool) {
	l.t.Helper()
	got := l.got
	if len(got) < 4 || got[0].Kind != ringdetect.CallStart || got[len(got)-1].Kind != ringdetect.Abandoned {
		l.t.Fatalf("got %v", got)
	}
	bursts := got[1 : len(got)-1]
	if len(bursts)%2 != 0 {
		l.t.Fatalf("got %v", got)
	}
	at, k := got[0].At, 0 // the next burst of the cadence, and its index in c
	for i := 0; i < len(bursts); i += 2 {
		start, end := bursts[i], bursts[i+1]
		if start.Kind != ringdetect.RingStart || end.Kind != ringdetect.RingEnd {
			l.t.Fatalf("burst %d: %v %v", i/2, start, end)
		}
		for cid && i == 2 && at < start.At {
			at += time.Duration(c[k]+c[k+1]) * time.Millisecond
			k = (k + 2) % len(c)
		}
		on := time.Duration(c[k]) * time.Millisecond
		if start.At != at || end.At != at+on {
			l.t.Fatalf("burst %d rang from %v to %v, want %v to %v by cadence %v", i/2, start.At, end.At, at, at+on, c)
		}
		at += on + time.Duration(c[k+1])*time.Millisecond
		k = (k + 2) % len(c)
	}
	lastEnd := bursts[len(bursts)-1].At
	abandoned := got[len(got)-1]
	taken := l.taken[len(l.taken)-1]
	if abandoned.At != lastEnd || taken <= lastEnd+ringdetect.DefaultOpts.MaxPause || taken > lastEnd+ringdetect.DefaultOpts.MaxPause+hal.FrameDuration {
		l.t.Errorf("last ring ended at %v; abandoned at %v, reported at %v", lastEnd, abandoned.At, taken)
	}
}

// TestSimulatedHangupWhileRinging has the caller give up in the middle of a
// burst: that burst ends early, and the call is abandoned after it.
func TestSimulatedHangupWhileRinging(t *testing.T) {
	for _, cc := range []string{"US", "GB"} {
		t.Run(cc, func(t *testing.T) {
			l := newLine(t, cc)
			if err := l.x.Ring(nil); err != nil {
				t.Fatal(err)
			}
			l.run(20*time.Second, nil)
			l.run(10*time.Second, func() bool { return l.x.State().Ringing })
			l.run(300*time.Millisecond, nil) // GB's bursts last 400 ms
			gaveUp := l.b.Now()
			if err := l.x.Hangup(sim.HangupLoop); err != nil {
				t.Fatal(err)
			}
			l.run(10*time.Second, nil)
			n := len(l.got)
			if n < 3 || l.got[n-2] != (ringdetect.Signal{Kind: ringdetect.RingEnd, At: gaveUp}) ||
				l.got[n-1] != (ringdetect.Signal{Kind: ringdetect.Abandoned, At: gaveUp}) {
				t.Fatalf("gave up at %v; got %v", gaveUp, l.got)
			}
		})
	}
}

// TestSimulatedAnswer answers a call on the simulated line and resets the
// detector; the next call is a new call.
func TestSimulatedAnswer(t *testing.T) {
	l := newLine(t, "GB")
	if err := l.x.Ring(nil); err != nil {
		t.Fatal(err)
	}
	l.run(5*time.Second, nil)
	if err := l.x.SetHook(hal.OffHook); err != nil {
		t.Fatal(err)
	}
	l.d.Reset()
	l.run(time.Second, nil)
	if err := l.x.Hangup(sim.HangupLoop); err != nil {
		t.Fatal(err)
	}
	if err := l.x.SetHook(hal.OnHook); err != nil {
		t.Fatal(err)
	}
	l.run(time.Second, nil)
	l.got = l.got[:0]
	second := l.b.Now()
	if err := l.x.Ring(nil); err != nil {
		t.Fatal(err)
	}
	l.run(2*time.Second, nil)
	if len(l.got) == 0 || l.got[0] != (ringdetect.Signal{Kind: ringdetect.CallStart, At: second}) {
		t.Fatalf("second call rang at %v; got %v", second, l.got)
	}
}
