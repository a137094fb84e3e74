package telephony

import (
	"slices"
	"testing"
	"time"

	"tipring/board/sim"
	"tipring/dsp/callerid"
	"tipring/dsp/tone"
	"tipring/hal"
	"tipring/sipua"
)

// mwiRig is a gateway whose line 1 has message waiting and the caller ID
// of country, and whose line 2 (no message waiting) takes the same
// account's calls.
func mwiRig(t *testing.T, country string) *rig {
	t.Helper()
	return newRig(t, sim.Opts{Country: country, Ports: []hal.Kind{hal.KindFXS, hal.KindFXS}}, func(b *sim.Board, p []Port) []Port {
		std, alert := callerid.ForCountry(country)
		for i := range p {
			p[i].CallerID = CallerID{std, alert}
		}
		p[0].MWI = true
		return p
	}, Options{})
}

// bursts splits samples into 20 ms frames and reports which carry sound.
func bursts(samples []int16) []bool {
	var on []bool
	for i := 0; i+hal.FrameSamples <= len(samples); i += hal.FrameSamples {
		var e float64
		for _, s := range samples[i : i+hal.FrameSamples] {
			e += float64(s) * float64(s)
		}
		on = append(on, e/hal.FrameSamples > 100*100) // well above silence, well below a tone at -13 dBm0
	}
	return on
}

// stutter reports how many bursts of tone the phone heard before the tone
// went steady, and whether it went steady for the rest of samples, the
// last second at least.
func stutter(samples []int16) (n int, steady bool) {
	on := bursts(samples)
	start := 0
	for start < len(on) && !on[start] {
		start++
	}
	last := start
	for i := start; i < len(on); i++ {
		if on[i] && (i == start || !on[i-1]) {
			n, last = n+1, i
		}
	}
	for _, o := range on[last:] {
		if !o {
			return n, false
		}
	}
	return n, len(on)-last >= int(time.Second/hal.FrameDuration)
}

// playsTone checks that samples hold, from the first frame with sound to
// the end, tone k of the country's plan, sample for sample.
func playsTone(t *testing.T, what, country string, k tone.Kind, samples []int16) {
	t.Helper()
	start := 0
	for start < len(samples) && samples[start] == 0 {
		start++
	}
	start -= start % hal.FrameSamples // tones start with a frame
	p, _ := tone.Lookup(country)
	want := make([]int16, len(samples)-start)
	tone.NewGenerator(p.Tone(k)).Generate(want)
	if !slices.Equal(samples[start:], want) {
		t.Errorf("%s: the phone does not hear %v tone", what, k)
	}
}

// offHookTone takes the phone of line n off hook and returns what it hears
// for five seconds; then it hangs up.
func offHookTone(r *rig, n int) []int16 {
	r.t.Helper()
	phone := r.b.FXS(n)
	phone.OffHook()
	heard := r.record(n, 5*time.Second)
	phone.OnHook()
	r.until("line idle", 2*time.Second, func() bool { return r.activity(n) == "idle" })
	return heard
}

func TestMessageWaitingLampAndStutter(t *testing.T) {
	for _, country := range []string{"US", "GB", "DE"} {
		t.Run(country, func(t *testing.T) {
			r := mwiRig(t, country)
			phone := r.b.FXS(1)
			r.step(5)
			r.e.MessageWaiting("trunk", sipua.MessageSummary{Waiting: true, New: 2})
			r.until("lamp lit", 10*time.Second, func() bool { return phone.State().MessageWaiting })
			r.step(50) // whatever follows the message: the polarity restored
			if st := phone.State(); st.Ringing || len(st.Cadence) > 0 || st.Linefeed != hal.LinefeedForward || st.CallerID != nil {
				t.Errorf("after the lamp message the phone shows %+v", st)
			}
			if r.b.FXS(2).State().MessageWaiting {
				t.Error("line 2, without message waiting, lit its lamp")
			}

			playsTone(t, "off hook with messages", country, tone.StutterDial, offHookTone(r, 1))
			playsTone(t, "line 2 off hook", country, tone.Dial, offHookTone(r, 2))

			r.e.MessageWaiting("trunk", sipua.MessageSummary{})
			r.until("lamp out", 10*time.Second, func() bool { return !phone.State().MessageWaiting })
			playsTone(t, "off hook without messages", country, tone.Dial, offHookTone(r, 1))
		})
	}
}

// A lamp change for a line in use waits until it is idle again.
// North America's stutter dial tone, measured: ten bursts, then steady
// dial tone.
func TestMessageWaitingStutterMeasured(t *testing.T) {
	r := mwiRig(t, "US")
	r.e.MessageWaiting("trunk", sipua.MessageSummary{Waiting: true})
	heard := offHookTone(r, 1)
	if n, steady := stutter(heard); n != 11 || !steady {
		t.Errorf("%d bursts, the last steady %v; want 10 and steady dial tone", n-1, steady)
	}
	for i, on := range bursts(heard[:2*hal.SampleRate])[1:] {
		if want := i/5%2 == 0; on != want { // 100 ms on, 100 ms off: 5 frames each
			t.Fatalf("frame %d of the stutter: tone %v", i, on)
		}
	}
	wantTone(t, "after the stutter", tonesIn("US", heard[2*hal.SampleRate+hal.FrameSamples:]), tone.Dial)
}

func TestMessageWaitingDeferredWhileBusy(t *testing.T) {
	r := mwiRig(t, "US")
	phone := r.b.FXS(1)
	phone.OffHook()
	r.step(5)
	r.e.MessageWaiting("trunk", sipua.MessageSummary{Waiting: true})
	r.step(int(5 * time.Second / hal.FrameDuration))
	if phone.State().MessageWaiting {
		t.Fatal("the lamp message went out to a phone off hook")
	}
	phone.OnHook()
	r.until("lamp lit", 10*time.Second, func() bool { return phone.State().MessageWaiting })

	// Taken off hook during the message, the phone gets dial tone at once,
	// and the message again when the line is idle.
	r.e.MessageWaiting("trunk", sipua.MessageSummary{})
	r.until("message going out", 10*time.Second, func() bool { return phone.Linefeed() == hal.LinefeedForwardOHT })
	phone.OffHook()
	r.until("dial tone", time.Second, func() bool { return r.activity(1) == "dial-tone" })
	if f := phone.Linefeed(); f != hal.LinefeedForward {
		t.Errorf("linefeed %v off hook, want forward", f)
	}
	phone.OnHook()
	r.until("lamp out", 10*time.Second, func() bool { return !phone.State().MessageWaiting })
}

// Other accounts' mailboxes, and repeated states, leave the line alone.
func TestMessageWaitingOtherAccount(t *testing.T) {
	r := mwiRig(t, "US")
	r.e.MessageWaiting("other", sipua.MessageSummary{Waiting: true})
	r.step(int(5 * time.Second / hal.FrameDuration))
	if r.b.FXS(1).State().MessageWaiting {
		t.Fatal("another account's messages lit the lamp")
	}
	wantTone(t, "off hook", tonesIn("US", offHookTone(r, 1)), tone.Dial)
}

// The frame loop allocates nothing with the lamp and stutter tone on.
func TestMessageWaitingFrameAllocs(t *testing.T) {
	r := mwiRig(t, "US")
	r.e.MessageWaiting("trunk", sipua.MessageSummary{Waiting: true})
	r.until("lamp lit", 10*time.Second, func() bool { return r.b.FXS(1).State().MessageWaiting })
	if n := testing.AllocsPerRun(200, func() { r.step(1) }); n != 0 {
		t.Errorf("%v allocations a frame on hook", n)
	}
	r.b.FXS(1).OffHook()
	r.step(5)
	if n := testing.AllocsPerRun(200, func() { r.step(1) }); n != 0 {
		t.Errorf("%v allocations a frame with stutter dial tone", n)
	}
}

// BenchmarkMessageWaitingIdle is the frame loop's added work on an idle
// line whose lamp is set: checking it still is.
func BenchmarkMessageWaitingIdle(b *testing.B) {
	r := newRig(b, sim.Opts{Country: "US", Ports: fxsOnly}, func(_ *sim.Board, p []Port) []Port {
		p[0].MWI, p[0].CallerID = true, CallerID{callerid.Bell202, callerid.AfterFirstRing}
		return p
	}, Options{})
	r.e.MessageWaiting("trunk", sipua.MessageSummary{Waiting: true})
	r.until("lamp lit", 10*time.Second, func() bool { return r.b.FXS(1).State().MessageWaiting })
	l := r.e.lines[0].(*fxsLine)
	var tx hal.Frame
	b.ReportAllocs()
	for b.Loop() {
		if l.sendMWI(l.now, &tx) {
			b.Fatal("a lamp message went out again")
		}
	}
}
