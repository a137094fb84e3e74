package telephony

import (
	"context"
	"testing"
	"time"

	"tipring/board/sim"
	"tipring/hal"
)

func newSim(t testing.TB, paced bool) (*sim.Board, []Port) {
	t.Helper()
	b, err := sim.New(sim.Opts{Ports: []hal.Kind{hal.KindFXS, hal.KindFXO}, Country: "US", Paced: paced})
	if err != nil {
		t.Fatal(err)
	}
	return b, []Port{{ID: 1, Number: "1001", FXS: b.FXS(1)}, {ID: 2, FXO: b.FXO(2)}}
}

func TestNewChecksPorts(t *testing.T) {
	b, ports := newSim(t, false)
	for _, bad := range [][]Port{
		{{ID: 1}},
		{{ID: 1, FXS: b.FXS(1), FXO: b.FXO(2)}},
		{{ID: 1, FXS: b.FXS(1)}, {ID: 2, FXS: b.FXS(1)}},
	} {
		if _, err := New(b.PCM(), bad, Options{Country: "US"}); err == nil {
			t.Errorf("New accepted %+v", bad)
		}
	}
	if _, err := New(b.PCM(), ports, Options{Country: "XX"}); err == nil {
		t.Error("New accepted country XX")
	}
	if _, err := New(b.PCM(), ports, Options{Country: "US", Inbound: []Inbound{{Match: mustParse("x.T"), Lines: []int{3}}}}); err == nil {
		t.Error("New accepted a route to line 3 of 2")
	}
	if _, err := New(b.PCM(), ports, Options{Country: "US"}); err != nil {
		t.Fatal(err)
	}
}

func TestRunTracksLinesAndStops(t *testing.T) {
	b, ports := newSim(t, true)
	e, err := New(b.PCM(), ports, Options{Country: "US"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.Run(ctx) }()

	b.FXS(1).OffHook()
	b.FXO(2).Ring(nil)
	time.Sleep(200 * time.Millisecond)
	lines, bus := e.Status()
	if lines[0].State() != "off-hook" || lines[1].State() != "ringing" {
		t.Fatalf("states %q %q", lines[0].State(), lines[1].State())
	}
	if lines[0].Activity != "dial-tone" {
		t.Fatalf("line 1 %s, want dial-tone", lines[0].Activity)
	}
	if lines[0].LastEvent.Kind != hal.EventHookOff || lines[1].LastEvent.Kind != hal.EventRingStart {
		t.Fatalf("last events %v %v", lines[0].LastEvent, lines[1].LastEvent)
	}
	if bus.Frames < 5 {
		t.Fatalf("%d frames in 200 ms", bus.Frames)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Second):
		t.Fatal("Run did not stop")
	}
}
