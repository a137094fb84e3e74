package sim

import (
	"math"
	"math/rand/v2"
	"testing"

	"tipring/hal"
)

func TestHybridEchoReturnLoss(t *testing.T) {
	for _, erl := range []float64{6, 12, 20} {
		y := newHybrid(erl)
		r := rand.New(rand.NewPCG(1, 2))
		var pin, pout float64
		for f := range 200 {
			var in, out hal.Frame
			for i := range in {
				in[i] = int16(r.NormFloat64() * 3000)
			}
			y.add(&out, &in)
			if f < 2 {
				continue // the echo of what came before the first frame is missing
			}
			for i := range in {
				pin += float64(in[i]) * float64(in[i])
				pout += float64(out[i]) * float64(out[i])
			}
		}
		if got := 10 * math.Log10(pin/pout); math.Abs(got-erl) > 0.5 {
			t.Errorf("ERL %v dB: the echo of white noise is %.2f dB down", erl, got)
		}
	}
}

func TestHybridDelay(t *testing.T) {
	y := newHybrid(6)
	var in, out hal.Frame
	in[0] = 10000
	y.add(&out, &in)
	for i := range hybridDelay {
		if out[i] != 0 {
			t.Fatalf("echo at sample %d, before the %d-sample bulk delay", i, hybridDelay)
		}
	}
	if out[hybridDelay] == 0 {
		t.Errorf("no echo right after the bulk delay")
	}
}

func TestEchoReturnLossOption(t *testing.T) {
	if _, err := New(Opts{Country: "US", Ports: []hal.Kind{hal.KindFXO}, EchoReturnLoss: -3}); err == nil {
		t.Error("a negative echo return loss was accepted")
	}
	b, err := New(Opts{Country: "US", Ports: []hal.Kind{hal.KindFXO, hal.KindFXS}, EchoReturnLoss: 12})
	if err != nil {
		t.Fatal(err)
	}
	if b.FXO(1).echo == nil {
		t.Error("the FXO line returns no echo")
	}
}
