package hookswitch_test

import (
	"testing"
	"time"

	"tipring/board/sim"
	"tipring/hal"
	"tipring/telephony/hookswitch"
)

// TestSimulatedPhone decodes what a phone on the simulated board does.
func TestSimulatedPhone(t *testing.T) {
	b, err := sim.New(sim.Opts{Ports: []hal.Kind{hal.KindFXS}, Country: "US"})
	if err != nil {
		t.Fatal(err)
	}
	p := b.FXS(1)
	d, err := hookswitch.New(hookswitch.DefaultTiming, p.Hook())
	if err != nil {
		t.Fatal(err)
	}
	rx, tx := make([]hal.Frame, 1), make([]hal.Frame, 1)
	var got []hookswitch.Action
	run := func(dur time.Duration) {
		t.Helper()
		for range dur / hal.FrameDuration {
			if err := b.PCM().Transfer(rx, tx); err != nil {
				t.Fatal(err)
			}
			for len(p.Events()) > 0 {
				d.Event(<-p.Events())
			}
			d.Tick(b.Now())
			for a, ok := d.Next(); ok; a, ok = d.Next() {
				got = append(got, a)
			}
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	run(time.Second)
	lifted := b.Now()
	must(p.OffHook())
	run(time.Second)
	must(p.Dial("4096", true))
	must(p.Flash())
	must(p.Dial("1", true))
	must(p.Dial("#5", false)) // DTMF: no hook changes
	run(10 * time.Second)
	if st := p.State(); st.Dialling || st.Flashing {
		t.Fatal("still dialling after 10 s")
	}
	hung := b.Now()
	must(p.OnHook())
	run(2 * time.Second)

	want := []hookswitch.Kind{hookswitch.OffHook, hookswitch.Digit, hookswitch.Digit, hookswitch.Digit, hookswitch.Digit,
		hookswitch.Flash, hookswitch.Digit, hookswitch.HangUp}
	digits := ""
	for i, a := range got {
		if i >= len(want) || a.Kind != want[i] {
			t.Fatalf("got %v", got)
		}
		if a.Kind == hookswitch.Digit {
			digits += string(a.Digit)
		}
		if i > 0 && a.At < got[i-1].At {
			t.Errorf("%v comes before %v", a, got[i-1])
		}
	}
	if len(got) != len(want) || digits != "40961" {
		t.Fatalf("got %v", got)
	}
	if got[0].At != lifted || got[len(got)-1].At != hung {
		t.Errorf("lifted at %v, hung up at %v; got %v", lifted, hung, got)
	}
}
