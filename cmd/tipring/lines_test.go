package main

import (
	"testing"

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
