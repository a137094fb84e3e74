package echo

import "testing"

// Echo path bulk delay in the conformance runs, inside the 64 ms tail.
const bulkDelay = 20 * 8 // 20 ms

// TestConformanceConvergence runs every Annex D hybrid model at ERL 6 and
// 12 dB, µ-law in the path, on the composite source signal and on speech,
// and prints the time to 20 dB ERLE, the steady ERLE (from 2 s on) and the
// worst 100 ms after the first second. The targets (20 dB within
// 1 s, 30 dB steady, never less cancellation than none after 1 s) are not
// all met yet: the table marks each row, and the test fails only when a row
// falls below what the canceller does today (32 dB steady on the composite
// source signal, 29 dB on speech, no window 6 dB worse than no canceller).
func TestConformanceConvergence(t *testing.T) {
	const n = 10 * 8000
	signals := []struct {
		name  string
		far   func(t *testing.T) []float64
		floor float64 // steady ERLE the test insists on
	}{
		{"css", func(*testing.T) []float64 { return css(n, -15, 1) }, 32},
		{"speech", func(t *testing.T) []float64 { f, _ := speech(t, n, -15); return f }, 29},
	}
	t.Logf("%-6s %-5s %4s %10s %10s %10s  %s", "signal", "model", "ERL", "t(20 dB)", "steady dB", "worst dB", "G.168 targets")
	for _, sig := range signals {
		t.Run(sig.name, func(t *testing.T) {
			far := sig.far(t)
			for m := range hybridModels {
				for _, erl := range []float64{6, 12} {
					c, err := New(Config{NoNLP: true})
					if err != nil {
						t.Fatal(err)
					}
					l := newLine(far, echoPath(m, erl, bulkDelay), nil, -70)
					out := run(t, c, l)
					e := erle(l.sin, out)
					conv := convergence(e)
					mean, _ := steady(l.sin, out, 20)
					_, worst := steady(l.sin, out, 10)
					verdict := "met"
					if conv > 1 || mean < 30 || worst < 0 {
						verdict = "MISSED"
					}
					t.Logf("%-6s D.%-3d %4.0f %9.1fs %10.1f %10.1f  %s", sig.name, m+2, erl, conv, mean, worst, verdict)
					if !(mean >= sig.floor && worst >= -6) {
						t.Errorf("%s D.%d ERL %v dB: steady %.1f dB, worst %.1f dB; want ≥ %v dB and ≥ -6 dB",
							sig.name, m+2, erl, mean, worst, sig.floor)
					}
				}
			}
		})
	}
}
