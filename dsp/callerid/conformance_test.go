package callerid

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// fskSuccess returns how many of trials noisy transmissions of m at level
// (dBm0) and S/N (dB) the receiver decodes exactly, with a random start
// offset (so a random bit phase against the sample clock), random block
// sizes and a random twist-free carrier.
func fskSuccess(std Standard, m Message, level, snr float64, trials int, seed uint64) int {
	rng := rand.New(rand.NewPCG(seed, uint64(std)))
	s, err := Generator{Standard: std, Level: level}.Encode(m)
	if err != nil {
		panic(err)
	}
	want := m
	want.Standard = std
	ok := 0
	for range trials {
		x := addNoise(s, level, snr, rng.IntN(400), rng)
		got := receive(std, x, 1+rng.IntN(320), 160, 1+rng.IntN(50))
		if len(got) == 1 && got[0] == want {
			ok++
		}
	}
	return ok
}

// TestConformanceFSK decodes Bell 202 and V.23 caller ID over the level and
// S/N grid and prints the success rates. Every cell at 15 dB S/N or better
// must decode every trial; the worse cells have floors set a little under
// what the receiver achieves, so a regression fails.
func TestConformanceFSK(t *testing.T) {
	// −14 to −34 dBm0 is the range a phone must handle; −39 and −44 show
	// the margin below it.
	levels := []float64{-14, -19, -24, -29, -34, -39, -44}
	snrs := []struct {
		db    float64
		floor float64 // minimum success rate
	}{{30, 1}, {20, 1}, {15, 1}, {12, 0.98}, {10, 0.95}, {8, 0.8}, {6, 0.4}}
	const trials = 100
	m := Message{Time: Time{12, 24, 18, 30}, Number: "5551234567", Name: "ALICE SMITH"}
	frame, _ := m.Frame()
	for _, std := range []Standard{Bell202, V23} {
		var tab strings.Builder
		fmt.Fprintf(&tab, "%v caller ID decoded of %d (MDMF, %d bytes), by level (dBm0) and white-noise S/N:\n%8s", std, trials, len(frame), "S/N")
		for _, l := range levels {
			fmt.Fprintf(&tab, "%8.0f", l)
		}
		tab.WriteString("\n")
		for _, snr := range snrs {
			fmt.Fprintf(&tab, "%6.0fdB", snr.db)
			for li, l := range levels {
				ok := fskSuccess(std, m, l, snr.db, trials, uint64(li*100+int(snr.db)))
				fmt.Fprintf(&tab, "%8d", ok)
				if float64(ok) < snr.floor*trials {
					t.Errorf("%v at %v dBm0, S/N %v dB: %d of %d decoded, want at least %.0f", std, l, snr.db, ok, trials, snr.floor*trials)
				}
			}
			tab.WriteString("\n")
		}
		t.Log("\n" + tab.String())
	}
}

// TestConformanceDetect runs the standard-recognising Detector over the
// level grid: it must decode each message and name its standard. DTMF
// levels are per tone.
func TestConformanceDetect(t *testing.T) {
	levels := []float64{-14, -19, -24, -29, -34}
	const trials = 40
	tests := []struct {
		std   Standard
		m     Message
		snr   float64
		floor float64
	}{
		{Bell202, Message{Time: Time{12, 24, 18, 30}, Number: "5551234567", Name: "ALICE SMITH"}, 15, 1},
		{Bell202, Message{Format: SDMF, Time: Time{12, 24, 18, 30}, Number: "5551234567"}, 10, 0.9},
		{V23, Message{Time: Time{12, 24, 18, 30}, NumberReason: ReasonPrivate, NameReason: ReasonPrivate}, 15, 1},
		{V23, Message{VMWI: VMWIOn}, 10, 0.9},
		{DTMF, Message{Number: "0301234567"}, 15, 1},
		{DTMFDenmark, Message{NumberReason: ReasonPrivate}, 15, 1},
	}
	var tab strings.Builder
	fmt.Fprintf(&tab, "Detector: messages decoded with the right standard, of %d:\n%-28s%6s", trials, "signal", "S/N")
	for _, l := range levels {
		fmt.Fprintf(&tab, "%8.0f", l)
	}
	tab.WriteString("\n")
	for ti, tt := range tests {
		kind := "call"
		if tt.m.VMWI != VMWINone {
			kind = "vmwi"
		} else if tt.m.NumberReason != ReasonNone {
			kind = "withheld"
		}
		fmt.Fprintf(&tab, "%-28s%4.0fdB", label(tt.std, tt.m.Format, kind), tt.snr)
		want := tt.m
		want.Standard = tt.std
		for li, l := range levels {
			rng := rand.New(rand.NewPCG(uint64(ti), uint64(li)))
			s, err := Generator{Standard: tt.std, Level: l}.Encode(tt.m)
			if err != nil {
				t.Fatal(err)
			}
			ok := 0
			for range trials {
				got := Decode(addNoise(s, l, tt.snr, rng.IntN(400), rng))
				if len(got) == 1 && got[0] == want {
					ok++
				}
			}
			fmt.Fprintf(&tab, "%8d", ok)
			if float64(ok) < tt.floor*trials {
				t.Errorf("%v %+v at %v dBm0, S/N %v dB: %d of %d, want at least %.0f", tt.std, tt.m, l, tt.snr, ok, trials, tt.floor*trials)
			}
		}
		tab.WriteString("\n")
	}
	t.Log("\n" + tab.String())
}

func label(std Standard, f Format, kind string) string {
	if std.isFSK() {
		return fmt.Sprintf("%v %v %s", std, f, kind)
	}
	return fmt.Sprintf("%v %s", std, kind)
}
