package sim

import (
	"errors"
	"math"
	"testing"
	"time"

	"tipring/dsp/callerid"
	"tipring/dsp/dtmf"
	"tipring/hal"
)

// rig is an unpaced board and the gateway's side of its bus.
type rig struct {
	t      *testing.T
	b      *Board
	rx, tx []hal.Frame
}

func newRig(t *testing.T, country string, kinds ...hal.Kind) *rig {
	t.Helper()
	b, err := New(Opts{Ports: kinds, Country: country})
	if err != nil {
		t.Fatal(err)
	}
	return &rig{t: t, b: b, rx: make([]hal.Frame, len(kinds)), tx: make([]hal.Frame, len(kinds))}
}

// run transfers frames for d of bus time. send, if not nil, fills what the
// gateway sends each frame; the samples each line sent are returned.
func (r *rig) run(d time.Duration, send func(tx []hal.Frame)) [][]int16 {
	r.t.Helper()
	got := make([][]int16, len(r.rx))
	for range d / hal.FrameDuration {
		clear(r.tx)
		if send != nil {
			send(r.tx)
		}
		if err := r.b.PCM().Transfer(r.rx, r.tx); err != nil {
			r.t.Fatal(err)
		}
		for i := range r.rx {
			got[i] = append(got[i], r.rx[i][:]...)
		}
	}
	return got
}

func events(ch <-chan hal.Event) []hal.Event {
	var out []hal.Event
	for {
		select {
		case e := <-ch:
			out = append(out, e)
		default:
			return out
		}
	}
}

// power returns the mean power of x at freq (Goertzel), relative to full scale.
func power(x []int16, freq float64) float64 {
	w := 2 * math.Pi * freq / hal.SampleRate
	var s1, s2 float64
	for _, v := range x {
		s := float64(v)/32768 + 2*math.Cos(w)*s1 - s2
		s2, s1 = s1, s
	}
	p := s1*s1 + s2*s2 - 2*math.Cos(w)*s1*s2
	return p / float64(len(x)*len(x))
}

func detectDigits(x []int16) string {
	d := dtmf.NewDetector(dtmf.ATT)
	d.Process(x)
	var s []byte
	for {
		e, ok := d.Next()
		if !ok {
			return string(s)
		}
		if e.Kind == dtmf.DigitStart {
			s = append(s, e.Digit)
		}
	}
}

func TestPhoneHookAndErrors(t *testing.T) {
	r := newRig(t, "US", hal.KindFXS)
	p := r.b.FXS(1)
	if err := p.OnHook(); !errors.Is(err, ErrState) {
		t.Fatalf("OnHook on hook: %v", err)
	}
	if err := p.Dial("1", false); !errors.Is(err, ErrState) {
		t.Fatalf("Dial on hook: %v", err)
	}
	if err := p.Flash(); !errors.Is(err, ErrState) {
		t.Fatalf("Flash on hook: %v", err)
	}
	r.run(40*time.Millisecond, nil)
	if err := p.OffHook(); err != nil {
		t.Fatal(err)
	}
	if err := p.OffHook(); !errors.Is(err, ErrState) || err.Error() != "line 1 is already off hook" {
		t.Fatalf("OffHook twice: %v", err)
	}
	if p.Hook() != hal.OffHook {
		t.Fatal("not off hook")
	}
	for _, bad := range []struct {
		digits string
		pulse  bool
	}{{"", false}, {"12x", false}, {"1*", true}, {"A", true}} {
		if err := p.Dial(bad.digits, bad.pulse); err == nil {
			t.Errorf("Dial(%q, pulse %v) accepted", bad.digits, bad.pulse)
		}
	}
	ev := events(p.Events())
	if len(ev) != 1 || ev[0].Kind != hal.EventHookOff || ev[0].At != 40*time.Millisecond {
		t.Fatalf("events %v", ev)
	}
	if _, err := r.b.Record(9, 10); !errors.Is(err, ErrNoLine) {
		t.Fatalf("Record on line 9: %v", err)
	}
}

func TestPhonePulseDialAndFlash(t *testing.T) {
	r := newRig(t, "US", hal.KindFXS)
	p := r.b.FXS(1)
	p.OffHook()
	events(p.Events())
	if err := p.Dial("20", true); err != nil {
		t.Fatal(err)
	}
	if err := p.Flash(); err != nil {
		t.Fatal(err)
	}
	r.run(5*time.Second, nil)
	ev := events(p.Events())
	// Decode as a line card would: count breaks, split digits on long makes.
	var digits []int
	var flashes, pulses int
	for i := 0; i+1 < len(ev); i += 2 {
		brk, mk := ev[i], ev[i+1]
		if brk.Kind != hal.EventHookOn || mk.Kind != hal.EventHookOff {
			t.Fatalf("event %d: %v %v", i, brk, mk)
		}
		switch d := mk.At - brk.At; {
		case d == pulseBreak:
			pulses++
			if i+2 < len(ev) && ev[i+2].At-mk.At == pulseMake {
				continue
			}
			digits = append(digits, pulses%10)
			pulses = 0
		case d == flashTime:
			flashes++
		default:
			t.Fatalf("break of %v", d)
		}
	}
	if len(digits) != 2 || digits[0] != 2 || digits[1] != 0 || flashes != 1 {
		t.Fatalf("digits %v flashes %d from %v", digits, flashes, ev)
	}
	if st := p.State(); p.Hook() != hal.OffHook || st.Dialling || st.Flashing {
		t.Fatalf("after dialling: %+v", p.State())
	}
}

func TestPhoneDialsDTMF(t *testing.T) {
	r := newRig(t, "US", hal.KindFXS)
	p := r.b.FXS(1)
	p.OffHook()
	p.Dial("159*#0D", false)
	got := r.run(2*time.Second, nil)
	if d := detectDigits(got[0]); d != "159*#0D" {
		t.Fatalf("the gateway heard %q", d)
	}
	p.OnHook()
	if got := r.run(200*time.Millisecond, nil); power(got[0], 697) != 0 {
		t.Fatal("a phone on hook still sends audio")
	}
}

func TestPhoneRingingHearingAndCallerID(t *testing.T) {
	r := newRig(t, "US", hal.KindFXS)
	p := r.b.FXS(1)
	ring := func(on bool) {
		l := hal.LinefeedForwardOHT
		if on {
			l = hal.LinefeedRinging
		}
		if err := p.SetLinefeed(l); err != nil {
			t.Fatal(err)
		}
	}
	ring(true)
	r.run(2*time.Second, nil)
	ring(false)
	// Caller ID between the rings, as the gateway will send it.
	cid, err := callerid.Bell202.Encode(callerid.Message{Number: "5551234", Name: "ALICE"})
	if err != nil {
		t.Fatal(err)
	}
	r.run(500*time.Millisecond, nil)
	rec, _ := r.b.Record(1, len(cid))
	r.run(time.Duration(len(cid)+hal.FrameSamples)*time.Second/hal.SampleRate, func(tx []hal.Frame) {
		cid = cid[copy(tx[0][:], cid):]
	})
	r.run(4*time.Second-500*time.Millisecond-time.Duration(len(cid))*time.Second/hal.SampleRate, nil)
	st := p.State()
	if st.CallerID == nil || st.CallerID.Number != "5551234" || st.CallerID.Name != "ALICE" {
		t.Fatalf("the phone shows caller ID %+v", st.CallerID)
	}
	if heard, _ := rec.Wait(t.Context()); power(heard, 1200) < 1e-4 {
		t.Fatal("the recording of an on-hook line in OHT has no FSK")
	}
	ring(true)
	r.run(time.Second, nil)
	if !p.State().Ringing {
		t.Fatal("not ringing")
	}
	p.OffHook() // ring trip
	st = p.State()
	if st.Linefeed != hal.LinefeedForward || st.Ringing {
		t.Fatalf("after ring trip: %+v", st)
	}
	if len(st.Cadence) < 3 || st.Cadence[0] != 2*time.Second || st.Cadence[1] < 4*time.Second-40*time.Millisecond {
		t.Fatalf("cadence %v", st.Cadence)
	}
	// An open line carries nothing to the phone.
	p.SetLinefeed(hal.LinefeedOpen)
	rec, _ = r.b.Record(1, 800)
	r.run(100*time.Millisecond, func(tx []hal.Frame) { tx[0][5] = 1000 })
	if heard, _ := rec.Wait(t.Context()); heard[5] != 0 {
		t.Fatal("an open line carried audio")
	}
}

func TestExchangeRingsWithCallerID(t *testing.T) {
	for _, tc := range []struct {
		country  string
		std      callerid.Standard
		reversal bool
	}{
		{"US", callerid.Bell202, false},
		{"DE", callerid.V23, false},
		{"GB", callerid.V23, true},
		{"SE", callerid.DTMF, true},
	} {
		t.Run(tc.country, func(t *testing.T) {
			r := newRig(t, tc.country, hal.KindFXO)
			x := r.b.FXO(1)
			if err := x.Ring(&CallerID{Number: "5551234", Name: "Bob"}); err != nil {
				t.Fatal(err)
			}
			if err := x.Ring(nil); !errors.Is(err, ErrState) {
				t.Fatalf("second Ring: %v", err)
			}
			got := r.run(8*time.Second, nil)
			msgs := callerid.Decode(got[0])
			if len(msgs) != 1 || msgs[0].Number != "5551234" || msgs[0].Standard != tc.std {
				t.Fatalf("decoded %+v", msgs)
			}
			var starts, reversals int
			var firstRing, firstReversal time.Duration = -1, -1
			for _, e := range events(x.Events()) {
				switch e.Kind {
				case hal.EventRingStart:
					if starts++; firstRing < 0 {
						firstRing = e.At
					}
				case hal.EventPolarity:
					if reversals++; firstReversal < 0 {
						firstReversal = e.At
					}
				}
			}
			if starts < 2 || (reversals > 0) != tc.reversal {
				t.Fatalf("%d rings, %d reversals", starts, reversals)
			}
			if tc.reversal && firstReversal > firstRing {
				t.Fatalf("reversal at %v after the first ring at %v", firstReversal, firstRing)
			}
			x.SetHook(hal.OffHook) // answer
			r.run(100*time.Millisecond, nil)
			if st := x.State(); st.State != LineConnected || st.Ringing || st.LoopCurrent == 0 {
				t.Fatalf("after answering: %+v", st)
			}
		})
	}
}

func TestExchangeOutgoingCall(t *testing.T) {
	r := newRig(t, "US", hal.KindFXO)
	x := r.b.FXO(1)
	if err := x.Answer(false); !errors.Is(err, ErrState) {
		t.Fatalf("Answer on idle: %v", err)
	}
	x.SetHook(hal.OffHook)
	got := r.run(500*time.Millisecond, nil)
	if st := x.State(); st.State != LineDialTone || st.LoopCurrent != loopMilliamp || st.LineVoltage != seizedVolts {
		t.Fatalf("after seizing: %+v", st)
	}
	if p350, p440 := power(got[0], 350), power(got[0], 440); p350 < 1e-4 || p440 < 1e-4 {
		t.Fatalf("no US dial tone: %g %g", p350, p440)
	}
	// The gateway dials by DTMF, then by pulses.
	digits, _ := dtmf.Render("555", dtmf.DefaultGenOpts)
	r.run(time.Second, func(tx []hal.Frame) { digits = digits[copy(tx[0][:], digits):] })
	for range 2 { // the digit 2: two breaks of 60 ms
		x.SetHook(hal.OnHook)
		r.run(60*time.Millisecond, nil)
		x.SetHook(hal.OffHook)
		r.run(40*time.Millisecond, nil)
	}
	r.run(time.Second, nil)
	if st := x.State(); st.Dialed != "5552" || st.State != LineDialling {
		t.Fatalf("after dialling: %+v", st)
	}
	got = r.run(3*time.Second, nil)
	if st := x.State(); st.State != LineRingback {
		t.Fatalf("no ringback: %+v", st)
	}
	if power(got[0][len(got[0])-8000:], 440) < 1e-4 {
		t.Fatal("no ringback tone")
	}
	events(x.Events())
	if err := x.Answer(true); err != nil {
		t.Fatal(err)
	}
	if err := r.b.Play(1, []int16{1000, 1000, 1000}); err != nil {
		t.Fatal(err)
	}
	got = r.run(20*time.Millisecond, nil)
	if got[0][0] != 1000 || got[0][3] != 0 {
		t.Fatalf("the far party's audio: %v", got[0][:4])
	}
	ev := events(x.Events())
	if len(ev) != 1 || ev[0].Kind != hal.EventPolarity || ev[0].Value != -1 {
		t.Fatalf("answer events %v", ev)
	}
}

func TestExchangeHangups(t *testing.T) {
	for _, how := range []Hangup{HangupLoop, HangupPolarity, HangupBusy} {
		r := newRig(t, "US", hal.KindFXO)
		x := r.b.FXO(1)
		if err := x.Hangup(how); !errors.Is(err, ErrState) {
			t.Fatalf("Hangup on idle: %v", err)
		}
		x.Ring(nil)
		r.run(time.Second, nil)
		x.SetHook(hal.OffHook)
		r.run(time.Second, nil)
		events(x.Events())
		if err := x.Hangup(how); err != nil {
			t.Fatal(err)
		}
		got := r.run(2*time.Second, nil)
		ev := events(x.Events())
		switch how {
		case HangupLoop:
			if ev[0].Kind != hal.EventLoopCurrent || ev[0].Value != 0 {
				t.Fatalf("loop drop events %v", ev)
			}
			if last := ev[len(ev)-1]; last.Kind != hal.EventLineVoltage || last.At-ev[0].At != openLoopTime {
				t.Fatalf("battery not restored after %v: %v", openLoopTime, ev)
			}
		case HangupPolarity:
			if len(ev) != 1 || ev[0].Kind != hal.EventPolarity || ev[0].Value != -1 {
				t.Fatalf("polarity events %v", ev)
			}
		case HangupBusy:
			if p := power(got[0], 480) + power(got[0], 620); p < 1e-4 {
				t.Fatal("no US busy tone")
			}
		}
		x.SetHook(hal.OnHook)
		r.run(time.Second, nil)
		if st := x.State(); st.State != LineIdle || st.Polarity != 1 || st.LineVoltage != idleVolts {
			t.Fatalf("%v: after release: %+v", how, st)
		}
	}
}

func TestTransferChecksFrames(t *testing.T) {
	r := newRig(t, "US", hal.KindFXS, hal.KindFXO)
	if err := r.b.PCM().Transfer(r.rx[:1], r.tx); err == nil {
		t.Fatal("Transfer with too few frames")
	}
	if _, err := New(Opts{Country: "XX"}); err == nil {
		t.Fatal("unknown country accepted")
	}
}

func TestPacedBusKeepsTimeAndCloses(t *testing.T) {
	b, err := New(Opts{Ports: []hal.Kind{hal.KindFXS}, Country: "US", Paced: true})
	if err != nil {
		t.Fatal(err)
	}
	rx, tx := make([]hal.Frame, 1), make([]hal.Frame, 1)
	start := time.Now()
	for range 10 {
		if err := b.PCM().Transfer(rx, tx); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el < 9*hal.FrameDuration {
		t.Fatalf("10 paced frames took %v", el)
	}
	go func() {
		time.Sleep(5 * time.Millisecond)
		b.Close()
	}()
	for {
		if err := b.PCM().Transfer(rx, tx); err != nil {
			if !errors.Is(err, hal.ErrClosed) {
				t.Fatal(err)
			}
			break
		}
	}
}

func BenchmarkBoardFrame(b *testing.B) {
	board, err := New(Opts{Ports: []hal.Kind{hal.KindFXS, hal.KindFXS, hal.KindFXO, hal.KindFXO}, Country: "US"})
	if err != nil {
		b.Fatal(err)
	}
	board.FXS(1).OffHook()
	board.FXO(3).SetHook(hal.OffHook)
	rx, tx := make([]hal.Frame, 4), make([]hal.Frame, 4)
	b.ReportAllocs()
	for b.Loop() {
		board.PCM().Transfer(rx, tx)
	}
}
