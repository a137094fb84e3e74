package sim

import (
	"math"
	"testing"
	"time"

	"tipring/dsp/callerid"
	"tipring/hal"
)

func TestPhoneTypeII(t *testing.T) {
	for _, tt := range []struct {
		country string
		std     callerid.Standard
		typeII  bool
		ack     string
	}{
		{"US", callerid.Bell202, true, "D"},
		{"GB", callerid.V23, true, "A"},
		{"US", callerid.Bell202, false, ""},
	} {
		t.Run(tt.country, func(t *testing.T) {
			r := newRig(t, tt.country, hal.KindFXS)
			p := r.b.FXS(1)
			p.SetTypeII(tt.typeII)
			p.OffHook()
			plan, err := callerid.Generator{Standard: tt.std}.Plan(callerid.CallWaiting, callerid.Message{Number: "3000", Name: "Carol"})
			if err != nil {
				t.Fatal(err)
			}
			cas, fsk := plan[0].Audio, plan[len(plan)-1].Audio
			r.run(100*time.Millisecond, nil)
			heard := r.run(200*time.Millisecond, func(tx []hal.Frame) { cas = cas[copy(tx[0][:], cas):] })
			if got := detectDigits(heard[0]); got != tt.ack {
				t.Fatalf("the phone answered the CAS with %q, want %q", got, tt.ack)
			}
			r.run(time.Second, func(tx []hal.Frame) { fsk = fsk[copy(tx[0][:], fsk):] })
			cid := p.State().CallerID
			if tt.typeII != (cid != nil) || cid != nil && (cid.Number != "3000" || cid.Name != "Carol") {
				t.Fatalf("the phone shows caller ID %+v", cid)
			}
		})
	}
}

func TestIsCAS(t *testing.T) {
	tone := func(amp float64, freqs ...float64) []int16 {
		x := make([]int16, hal.FrameSamples)
		for i := range x {
			var v float64
			for _, f := range freqs {
				v += amp * math.Sin(2*math.Pi*f*float64(i)/hal.SampleRate)
			}
			x[i] = int16(v)
		}
		return x
	}
	for _, tt := range []struct {
		name string
		x    []int16
		want bool
	}{
		{"CAS", tone(3000, 2130, 2750), true},
		{"quiet CAS", tone(50, 2130, 2750), false},
		{"one tone of it", tone(3000, 2130), false},
		{"DTMF D", tone(3000, 941, 1633), false},
		{"CAS under speech", tone(3000, 2130, 2750, 300, 500, 700), false},
		{"silence", make([]int16, hal.FrameSamples), false},
	} {
		if got := isCAS(tt.x); got != tt.want {
			t.Errorf("%s: isCAS %v", tt.name, got)
		}
	}
}
