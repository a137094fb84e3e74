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
		if _, err := New(b.PCM(), bad); err == nil {
			t.Errorf("New accepted %+v", bad)
		}
	}
	if _, err := New(b.PCM(), ports); err != nil {
		t.Fatal(err)
	}
}

func TestRunTracksLinesAndStops(t *testing.T) {
	b, ports := newSim(t, true)
	e, err := New(b.PCM(), ports)
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

func BenchmarkFrame(b *testing.B) {
	board, ports := newSim(b, false)
	e, _ := New(board.PCM(), ports)
	start := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		e.pcm.Transfer(e.rx, e.tx)
		e.frame(start, start)
	}
}
