package telephony

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"tipring/board/sim"
	"tipring/dsp/g711"
	"tipring/dsp/tone"
	"tipring/hal"
	"tipring/sipua"
	"tipring/sipua/rtpstream"
)

// consultRig is line 1 in a consultation: talking to far end 2000
// (first), then a flash, 3000 dialled, and the second call reaching the
// far end (second), not answered yet.
func newConsultRig(t testing.TB, setup func(p *Port)) *waitingRig {
	t.Helper()
	w := newTalkingRig(t, "US", func(b *sim.Board, p []Port) []Port {
		p[0].Transfer, p[0].Conference = true, true
		if setup != nil {
			setup(&p[0])
		}
		return p
	})
	w.phone.Flash()
	w.until("first call held", 3*time.Second, heldBy(w.first))
	if a := w.activity(1); a != "dial-tone" {
		t.Fatalf("line %s after the flash, want dial-tone", a)
	}
	wantTone(t, "after the flash", tonesIn("US", w.record(1, 2*time.Second)), tone.Dial)
	w.phone.Dial("3000#", false)
	w.second = w.farCall()
	if w.second.To.Number != "3000" {
		t.Fatalf("second call to %q", w.second.To.Number)
	}
	w.second.Ringing()
	w.until("ringback", 2*time.Second, func() bool { return w.activity(1) == "calling" })
	return w
}

func TestConsultAbandoned(t *testing.T) {
	w := newConsultRig(t, nil)
	lines, _ := w.e.Status()
	if o := lines[0].Other; o == nil || !o.Held || o.Peer != "2000" {
		t.Fatalf("status: other call %+v, want 2000 held", o)
	}
	w.phone.Flash()
	w.until("second call cancelled", 3*time.Second, func() bool { return w.second.State() == sipua.CallEnded })
	w.until("first call resumed", 3*time.Second, resumed(w.first))
	if a := w.activity(1); a != "talking" {
		t.Fatalf("line %s", a)
	}
	w.carries(w.first, w.second)
}

// farTalker plays a tone into far call c and keeps what it hears.
type farTalker struct {
	mu    sync.Mutex
	heard []int16
}

func talk(t *testing.T, c *sipua.Call, freq float64) *farTalker {
	return play(t, c, func(i int) int16 { return int16(6000 * math.Sin(2*math.Pi*freq*float64(i)/8000)) })
}

// play sends far call c the samples of sample, in real time, and keeps
// what it hears.
func play(t *testing.T, c *sipua.Call, sample func(i int) int16) *farTalker {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	f := new(farTalker)
	wg.Go(func() {
		tick := time.NewTicker(hal.FrameDuration)
		defer tick.Stop()
		var out, in [rtpstream.FrameSize]byte
		var pcm hal.Frame
		s := c.Stream()
		for n := 0; ; n++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			for i := range pcm {
				pcm[i] = sample(n*len(pcm) + i)
			}
			g711.EncodeUlaw(out[:], pcm[:])
			s.Send(&out)
			if s.Receive(&in) == rtpstream.Audio {
				g711.DecodeUlaw(pcm[:], in[:])
				f.mu.Lock()
				f.heard = append(f.heard, pcm[:]...)
				f.mu.Unlock()
			}
		}
	})
	return f
}

// since returns what the talker heard after the first n samples.
func (f *farTalker) since(n int) []int16 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int16(nil), f.heard[min(n, len(f.heard)):]...)
}

func (f *farTalker) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.heard)
}

// share is the part of the power of s at frequency f (Goertzel).
func share(s []int16, f float64) float64 {
	if len(s) == 0 {
		return 0
	}
	w := 2 * math.Cos(2*math.Pi*f/8000)
	var s1, s2, total float64
	for _, v := range s {
		x := float64(v)
		s1, s2 = x+w*s1-s2, s1
		total += x * x
	}
	p := s1*s1 + s2*s2 - w*s1*s2
	return p / (total * float64(len(s)) / 2)
}

// newConferenceRig is line 1 in a three-way conference with first and
// second.
func newConferenceRig(t testing.TB) *waitingRig {
	w := newConsultRig(t, nil)
	w.second.Answer()
	w.until("second answered", 2*time.Second, func() bool { return w.activity(1) == "talking" })
	w.phone.Flash()
	w.until("conference", 2*time.Second, func() bool { return w.activity(1) == "conference" })
	w.until("first call resumed", 3*time.Second, resumed(w.first))
	return w
}

func TestConference(t *testing.T) {
	w := newConferenceRig(t)

	const phoneHz, firstHz, secondHz = 500.0, 800.0, 1300.0
	first, second := talk(t, w.first, firstHz), talk(t, w.second, secondHz)
	if err := w.b.Play(1, tone1(phoneHz, 3*time.Second)); err != nil {
		t.Fatal(err)
	}
	// The streams fill, and the far ends' jitter buffers play out what
	// the rig sent them in haste while it set the calls up.
	realTime(w.rig, 25)
	n1, n2 := first.count(), second.count()
	rec, err := w.b.Record(1, 8000)
	if err != nil {
		t.Fatal(err)
	}
	realTime(w.rig, 60)
	line, err := rec.Wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		who        string
		heard      []int16
		want, self float64
		other      float64
	}{
		{"phone", line, firstHz, 0, secondHz},
		{"first", first.since(n1), phoneHz, firstHz, secondHz},
		{"second", second.since(n2), phoneHz, secondHz, firstHz},
	} {
		if len(c.heard) < 4000 {
			t.Fatalf("%s heard %d samples", c.who, len(c.heard))
		}
		a, b := share(c.heard, c.want), share(c.heard, c.other)
		if a < 0.2 || b < 0.2 || a+b < 0.85 {
			t.Errorf("%s hears %.0f Hz at %.2f and %.0f Hz at %.2f of the power; want both", c.who, c.want, a, c.other, b)
		}
		if c.self != 0 {
			if s := share(c.heard, c.self); s > 0.02 {
				t.Errorf("%s hears itself: %.2f of the power at %.0f Hz", c.who, s, c.self)
			}
		}
	}

	if n := testing.AllocsPerRun(20, func() { w.step(1) }); n != 0 {
		t.Errorf("%v allocations a frame in a conference", n)
	}

	w.phone.Flash() // drops the party added last
	w.until("second call hung up", 3*time.Second, func() bool { return w.second.State() == sipua.CallEnded })
	if a := w.activity(1); a != "talking" || w.first.State() != sipua.CallActive {
		t.Fatalf("line %s, first call %v after the flash", a, w.first.State())
	}
}

// realTime runs n frames at the pace of the far talkers' clock.
func realTime(r *rig, n int) {
	tick := time.NewTicker(hal.FrameDuration)
	defer tick.Stop()
	for range n {
		<-tick.C
		r.step(1)
	}
}

// tone1 is d of a sine at f Hz.
func tone1(f float64, d time.Duration) []int16 {
	s := make([]int16, int(d.Seconds()*8000))
	for i := range s {
		s[i] = int16(6000 * math.Sin(2*math.Pi*f*float64(i)/8000))
	}
	return s
}

func TestConferencePartyHangsUp(t *testing.T) {
	w := newConferenceRig(t)
	w.second.Hangup(context.Background(), 16)
	w.until("back to the first", 2*time.Second, func() bool { return w.activity(1) == "talking" })
	w.carries(w.first, w.second)
	w.phone.OnHook()
	w.until("first call hung up", 3*time.Second, func() bool { return w.first.State() == sipua.CallEnded })
}

func TestTransferAttended(t *testing.T) {
	w := newConsultRig(t, nil)
	w.second.Answer()
	w.until("second answered", 2*time.Second, func() bool { return w.activity(1) == "talking" })
	w.phone.OnHook()
	// The far end takes the REFER on the first call: it calls the second
	// call's party (itself) with Replaces, which ends the second call.
	w.until("first call transferred", 5*time.Second, func() bool {
		return w.first.State() == sipua.CallEnded && w.first.Successor() != nil
	})
	w.until("second call replaced", 5*time.Second, func() bool { return w.second.State() == sipua.CallEnded })
	if a := w.activity(1); a != "idle" {
		t.Fatalf("line %s after the transfer", a)
	}
}

func TestTransferBlind(t *testing.T) {
	w := newConsultRig(t, nil)
	w.phone.OnHook() // the second call still rings
	w.until("second call cancelled", 3*time.Second, func() bool { return w.second.State() == sipua.CallEnded })
	// The far end takes the REFER and calls 3000 at its own address.
	target := w.farCall()
	if target.To.Number != "3000" {
		t.Fatalf("transfer target %q", target.To.Number)
	}
	target.Answer()
	w.until("first call handed over", 5*time.Second, func() bool { return w.first.State() == sipua.CallEnded })
	if a := w.activity(1); a != "idle" {
		t.Fatalf("line %s after the transfer", a)
	}
}

// A transfer the target does not answer rings the phone for the held call.
func TestTransferFailsRecall(t *testing.T) {
	w := newConsultRig(t, nil)
	w.phone.OnHook()
	target := w.farCall()
	target.Reject(17) // user busy
	w.until("phone rings again", 5*time.Second, func() bool { return w.activity(1) == "ringing" })
	w.phone.OffHook()
	w.until("held call resumed", 3*time.Second, resumed(w.first))
	w.carries(w.first, target)
}

// Without transfer, hanging up in a consultation rings the phone for the
// held call.
func TestConsultNoTransfer(t *testing.T) {
	w := newConsultRig(t, func(p *Port) { p.Transfer = false })
	w.phone.OnHook()
	w.until("second call cancelled", 3*time.Second, func() bool { return w.second.State() == sipua.CallEnded })
	w.until("phone rings for the held call", 3*time.Second, func() bool { return w.activity(1) == "ringing" })
	w.phone.OffHook()
	w.until("held call resumed", 3*time.Second, resumed(w.first))
}

// BenchmarkConferenceFrame is one frame of the engine for a line in a
// three-way conference: both calls' audio decoded, mixed three ways and
// encoded, besides the simulated board's transfer.
func BenchmarkConferenceFrame(b *testing.B) {
	w := newConferenceRig(b)
	b.ReportAllocs()
	for b.Loop() {
		w.step(1)
	}
}
