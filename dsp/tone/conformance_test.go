package tone

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// render returns ms of t played by a fresh Generator.
func render(t *Tone, ms int) []int16 {
	x := make([]int16, ms*8)
	NewGenerator(t).Generate(x)
	return x
}

// period returns the length in samples of one cycle of t's repeating part,
// or 0 for a tone that never stops.
func period(t *Tone) int64 {
	var n int64
	for _, s := range t.Segments[t.Loop:] {
		if s.Ms == 0 {
			return 0
		}
		n += int64(s.Ms) * 8
	}
	return n
}

// lastBurstEnd returns the end of the last sounding sample of t played for
// n samples.
func lastBurstEnd(t *Tone, n int64) int64 {
	var pos, end int64
	for i := 0; pos < n; i++ {
		if i == len(t.Segments) {
			i = t.Loop
		}
		s := t.Segments[i]
		d := int64(s.Ms) * 8
		if s.Ms == 0 {
			d = n - pos
		}
		d = min(d, n-pos)
		if len(s.Freqs) > 0 {
			end = pos + d
		}
		pos += d
	}
	return end
}

// withNoise returns x with white Gaussian noise at snr dB below the tone
// level (per component) added, from a fixed seed.
func withNoise(x []int16, levelDBm0, snr float64, seed uint64) []int16 {
	r := rand.New(rand.NewPCG(seed, 1))
	sigma := math.Sqrt(zeroDBm0 * math.Pow(10, (levelDBm0-snr)/10))
	y := make([]int16, len(x))
	for i, v := range x {
		y[i] = int16(max(-32768, min(32767, math.Round(float64(v)+sigma*r.NormFloat64()))))
	}
	return y
}

// expected returns the kind a Detector for p reports for p's tone k: the
// tone itself, or busy where the plan's congestion tone cannot be told
// from it.
func expected(p *Plan, k Kind) Kind {
	if k == Congestion {
		bf, bp := cadenceOf(&p.Busy)
		cf, cp := cadenceOf(&p.Congestion)
		if len(bf) == len(cf) && hasFreq(bf, cf[0]) && samePattern(bp, cp) {
			return Busy
		}
	}
	return k
}

// slowToConfirm lists tones that only differ from another tone of their
// plan after more than two cycles: Spanish busy is the first three bursts
// of Spanish congestion.
var slowToConfirm = map[string]int64{"ES/busy": 3}

type trial struct {
	plan  *Plan
	kind  Kind
	level float64 // dBm0 per component
	snr   float64 // dB; 0 for no noise
}

// result is what run measured.
type result struct {
	latency int64 // samples from the tone's start to its recognition; -1 missed
	err     string
}

const lead = 4000 // samples of silence (or noise) before the tone

func (tr trial) run() result {
	t := *tr.plan.Tone(tr.kind)
	t.Level = tr.level
	// At least three cycles and three seconds.
	n := period(&t) * max(3, (3*8000+period(&t)-1)/max(period(&t), 1))
	if n == 0 {
		n = 4 * 8000
	}
	x := make([]int16, lead+n+8000)
	copy(x[lead:], render(&t, int(n/8)))
	if tr.snr > 0 {
		x = withNoise(x, tr.level, tr.snr, uint64(tr.kind)+1)
	}
	want := expected(tr.plan, tr.kind)
	d := NewDetector(tr.plan)
	var evs []Event
	res := result{latency: -1}
	for i := 0; i < len(x); i += 160 {
		for _, e := range d.Process(x[i:min(i+160, len(x))]) {
			if e.End == 0 && e.Tone == want && res.latency < 0 {
				res.latency = int64(i+160) - lead
			}
			evs = append(evs, e)
		}
	}
	evs = append(evs, d.Flush()...)
	var msgs []string
	began := 0
	for _, e := range evs {
		if e.Tone != want {
			msgs = append(msgs, fmt.Sprintf("reported %v %d–%d", e.Tone, e.Start, e.End))
			continue
		}
		if e.End != 0 {
			continue
		}
		began++
		if dev := e.Start - lead; dev < -240 || dev > 240 {
			msgs = append(msgs, fmt.Sprintf("start %+d ms off", dev/8))
		}
	}
	if began != 1 {
		msgs = append(msgs, fmt.Sprintf("recognised %d times", began))
	}
	for _, e := range evs {
		if e.Tone == want && e.End != 0 {
			if dev := e.End - (lead + lastBurstEnd(&t, n)); dev < -240 || dev > 240 {
				msgs = append(msgs, fmt.Sprintf("end %+d ms off", dev/8))
			}
		}
	}
	limit := 2 * period(&t)
	if c, ok := slowToConfirm[tr.plan.Country+"/"+tr.kind.String()]; ok {
		limit = c * period(&t)
	}
	if limit == 0 {
		limit = 2 * 8000
	}
	limit += blockLen // recognition waits for the block that ends a segment
	if res.latency > limit {
		msgs = append(msgs, fmt.Sprintf("took %d ms, limit %d", res.latency/8, limit/8))
	}
	res.err = strings.Join(msgs, "; ")
	return res
}

// TestConformanceCallProgress generates every country's busy, congestion,
// ringback and dial tone, clean and in noise, and checks that the
// Detector recognises each as the right tone, in time, with its start and
// end. With -v it prints the table.
func TestConformanceCallProgress(t *testing.T) {
	kinds := []Kind{Dial, Ringback, Busy, Congestion}
	conds := []struct {
		name       string
		level, snr float64
	}{
		{"-10", -10, 0},
		{"-30", -30, 0},
		{"-10/20dB", -10, 20},
		{"-30/20dB", -30, 20},
	}
	var tab strings.Builder
	fmt.Fprintf(&tab, "%-4s %-16s", "", "tone")
	for _, c := range conds {
		fmt.Fprintf(&tab, " %10s", c.name)
	}
	tab.WriteString("   (ms from tone start to recognition)\n")
	for _, cc := range Countries() {
		p, _ := Lookup(cc)
		for _, k := range kinds {
			label := k.String()
			if w := expected(p, k); w != k {
				label += "→" + w.String()
			}
			fmt.Fprintf(&tab, "%-4s %-16s", cc, label)
			for _, c := range conds {
				r := trial{p, k, c.level, c.snr}.run()
				cell := "missed"
				if r.latency >= 0 {
					cell = fmt.Sprintf("%d", r.latency/8)
				}
				if r.err != "" {
					cell += "!"
					t.Errorf("%s %v at %s: %s", cc, k, c.name, r.err)
				}
				fmt.Fprintf(&tab, " %10s", cell)
			}
			tab.WriteString("\n")
		}
	}
	t.Log("\n" + tab.String())
}
