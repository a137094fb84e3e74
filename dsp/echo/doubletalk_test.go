package echo

import (
	"math"
	"testing"
)

// TestConformanceDoubleTalk converges on far speech alone for 3 s, then
// lets a near talker speak over it for 5 s, NLP on as in a call. It prints
// and checks, per hybrid model: the ERLE of the linear canceller after the
// double talk and the near talker's distortion during it: the output
// against the near talker alone (no muting, no clipping). It fails if the
// filter diverged (ERLE after the double talk more than 6 dB below its ERLE
// before) or the near talker is less than 20 dB above its distortion.
func TestConformanceDoubleTalk(t *testing.T) {
	const n, start = 10 * 8000, 3 * 8000
	const end = start + 5*8000
	far, talker := speech(t, n, -15)
	near := make([]float64, n)
	copy(near[start:end], talker[start:end])
	t.Logf("%-5s %4s %12s %12s %14s", "model", "ERL", "ERLE before", "ERLE after", "near SNR dB")
	for m := range hybridModels {
		for _, erl := range []float64{6, 12} {
			h := echoPath(m, erl, bulkDelay)
			// The same line with the near talker, through a canceller
			// with NLP, and without it, through a linear one.
			l := newLine(far, h, near, -70)
			c, err := New(Config{})
			if err != nil {
				t.Fatal(err)
			}
			out := run(t, c, l)
			lin, err := New(Config{NoNLP: true})
			if err != nil {
				t.Fatal(err)
			}
			linOut := run(t, lin, l)

			before, _ := steady(l.sin[:start], linOut[:start], 20)
			after, _ := steady(l.sin[end:], linOut[end:], 5)
			var ps, pd float64
			for i := start; i < end; i++ {
				if math.Abs(near[i]) < 100 {
					continue // the talker's pauses measure nothing
				}
				d := float64(out[i]) - near[i]
				ps += near[i] * near[i]
				pd += d * d
			}
			snr := 10 * math.Log10(ps/pd)
			verdict := ""
			if after < before-6 {
				verdict = "DIVERGED"
			}
			t.Logf("D.%-3d %4.0f %12.1f %12.1f %14.1f  %s", m+2, erl, before, after, snr, verdict)
			if after < before-6 {
				t.Errorf("D.%d ERL %v: ERLE %.1f dB after double talk, %.1f dB before: diverged", m+2, erl, after, before)
			}
			if snr < 20 {
				t.Errorf("D.%d ERL %v: near talker %.1f dB above its distortion; want ≥ 20 dB", m+2, erl, snr)
			}
		}
	}
}
