package main

import (
	"testing"
	"time"

	"tipring/board/sim"
	"tipring/config"
	"tipring/hal"
	"tipring/telephony"
)

func TestLinePortsDialing(t *testing.T) {
	cfg := config.Default() // FXS lines 1 and 2, FXO lines 3 and 4
	cfg.Lines[3].Dialing = "pulse"
	b, err := sim.New(sim.Opts{Country: "US", Ports: []hal.Kind{hal.KindFXS, hal.KindFXS, hal.KindFXO, hal.KindFXO}})
	if err != nil {
		t.Fatal(err)
	}
	ports, err := linePorts(cfg, b)
	if err != nil {
		t.Fatal(err)
	}
	if ports[2].Dialing != telephony.DialDTMF || ports[3].Dialing != telephony.DialPulse {
		t.Fatalf("dialing %v and %v, want DTMF and pulse", ports[2].Dialing, ports[3].Dialing)
	}
}

func TestLinePortsAnonymous(t *testing.T) {
	cfg := config.Default() // FXS lines 1 and 2, FXO lines 3 and 4
	cfg.Lines[1].SendAnonymous, cfg.Lines[3].SendAnonymous = true, true
	b, err := sim.New(sim.Opts{Country: "US", Ports: []hal.Kind{hal.KindFXS, hal.KindFXS, hal.KindFXO, hal.KindFXO}})
	if err != nil {
		t.Fatal(err)
	}
	ports, err := linePorts(cfg, b)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{false, true, false, true} {
		if ports[i].Anonymous != want {
			t.Errorf("line %d: Anonymous %v, want %v", ports[i].ID, ports[i].Anonymous, want)
		}
	}
}

func TestLinesVoice(t *testing.T) {
	cfg := config.Default() // FXS lines 1 and 2, FXO lines 3 and 4, voice processing on
	cfg.Lines[1].EchoCanceller, cfg.Lines[1].EchoTail = false, 128
	cfg.Lines[2].EchoTail, cfg.Lines[2].PLC = 128, false
	cfg.Lines[3].JitterMin, cfg.Lines[3].JitterMax = 0, 1000
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	b, err := sim.New(sim.Opts{Country: "US", Ports: []hal.Kind{hal.KindFXS, hal.KindFXS, hal.KindFXO, hal.KindFXO}})
	if err != nil {
		t.Fatal(err)
	}
	ports, err := linePorts(cfg, b)
	if err != nil {
		t.Fatal(err)
	}
	const ms = time.Millisecond
	want := []telephony.Voice{
		{EchoTail: 64 * ms, JitterMin: 40 * ms, JitterMax: 300 * ms},
		{EchoTail: 0, JitterMin: 40 * ms, JitterMax: 300 * ms},
		{EchoTail: 128 * ms, NoPLC: true, JitterMin: 40 * ms, JitterMax: 300 * ms},
		{EchoTail: 64 * ms, JitterMin: 0, JitterMax: 1000 * ms},
	}
	for i, p := range ports {
		if p.Voice != want[i] {
			t.Errorf("line %d: voice %+v, want %+v", p.ID, p.Voice, want[i])
		}
	}
	// The engine takes what the keys allow.
	if _, err := telephony.New(b.PCM(), ports, telephony.Options{Country: "US"}); err != nil {
		t.Errorf("telephony.New refuses the ports: %v", err)
	}
}
