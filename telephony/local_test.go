package telephony

import (
	"context"
	"testing"
	"time"

	"tipring/board/sim"
	"tipring/dsp/callerid"
	"tipring/hal"
)

// A phone dialling another line's number rings it directly, with caller
// ID, and the two talk: audio measured from one phone to the other.
func TestLocalCall(t *testing.T) {
	r := newRig(t, sim.Opts{Country: "US", Ports: []hal.Kind{hal.KindFXS, hal.KindFXS}}, func(b *sim.Board, p []Port) []Port {
		p[0].Name = "Alice"
		for i := range p {
			p[i].CallerID = CallerID{Standard: callerid.Bell202, Alerting: callerid.AfterFirstRing}
		}
		return p
	}, Options{LocalCalls: true})
	a, b := r.b.FXS(1), r.b.FXS(2)
	a.OffHook()
	r.step(5)
	a.Dial("1002#", false)
	r.until("line 2 rings", 5*time.Second, func() bool { return r.activity(2) == "ringing" })
	r.until("caller ID", 10*time.Second, func() bool { return b.State().CallerID != nil })
	if cid := b.State().CallerID; cid.Number != "1001" || cid.Name != "Alice" {
		t.Fatalf("caller ID %+v", cid)
	}
	b.OffHook()
	r.until("both talking", 3*time.Second, func() bool { return r.activity(1) == "talking" && r.activity(2) == "talking" })
	select {
	case c := <-r.calls:
		t.Fatalf("the far end got a call to %s", c.To.Number)
	default:
	}

	if err := r.b.Play(1, tone1(700, 2*time.Second)); err != nil {
		t.Fatal(err)
	}
	realTime(r, 10) // the tone is on its way
	rec, err := r.b.Record(2, 4000)
	if err != nil {
		t.Fatal(err)
	}
	realTime(r, 30)
	heard, err := rec.Wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s := share(heard, 700); s < 0.9 {
		t.Fatalf("line 2 hears line 1's 700 Hz at %.2f of the power", s)
	}
	a.OnHook()
	r.until("line 2 cleared", 3*time.Second, func() bool { return r.activity(2) == "cleared" })
}
