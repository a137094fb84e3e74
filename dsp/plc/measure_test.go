package plc

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"strings"
	"testing"

	"tipring/internal/testtool"
)

// The concealer is judged by log-spectral distance (LSD): for each 20 ms
// window (Hann, overlapping by half, so a click on a packet boundary lands
// in the middle of some window), the root mean square over 0-4 kHz of the
// difference in dB between the spectrum of the original and that of the
// concealed signal, averaged over the windows that touch a lost packet or
// the packet after it. Power below 50 dB under the original's long-term
// level per bin is floored there, as inaudible next to the speech.
//
// Not waveform SNR, because the ear hears short-time magnitude spectra on
// a roughly logarithmic scale and is all but deaf to phase: a repeated
// pitch period that sounds right but drifts a few samples out of phase
// scores worse on SNR than the silence it replaces, which sounds far
// worse. LSD scores the right things: a gap is tens of dB down across the
// band, a click smears energy over all of it, a stale frame puts formants
// in the wrong place. It has no frequency weighting or masking, so it is a
// ranking of methods, not a MOS.

const (
	pktLen  = 160 // 20 ms packets
	winLen  = 160
	hop     = 80
	floorDB = 50
)

// lossPattern marks which of n packets are lost.
type lossPattern func(r *rand.Rand, n int) []bool

// random loses each packet on its own with probability p.
func random(p float64) lossPattern {
	return func(r *rand.Rand, n int) []bool {
		lost := make([]bool, n)
		for i := range lost {
			lost[i] = r.Float64() < p
		}
		return lost
	}
}

// bursts loses runs of l packets, 5 to 24 packets apart.
func bursts(l int) lossPattern {
	return func(r *rand.Rand, n int) []bool {
		lost := make([]bool, n)
		for i := 5 + r.IntN(20); i+l <= n; i += l + 5 + r.IntN(20) {
			for j := range l {
				lost[i+j] = true
			}
		}
		return lost
	}
}

// A method plays x with the packets marked in lost missing, returning the
// output aligned with x.
type method func(x []int16, lost []bool) []int16

func silence(x []int16, lost []bool) []int16 {
	y := make([]int16, len(x))
	for p, l := range lost {
		if !l {
			copy(y[p*pktLen:], x[p*pktLen:(p+1)*pktLen])
		}
	}
	return y
}

// repetition plays the last packet received again in place of a lost one.
func repetition(x []int16, lost []bool) []int16 {
	y := make([]int16, len(x))
	var last []int16
	for p, l := range lost {
		switch {
		case !l:
			last = x[p*pktLen : (p+1)*pktLen]
			fallthrough
		case last != nil:
			copy(y[p*pktLen:], last)
		}
	}
	return y
}

func conceal(x []int16, lost []bool) []int16 {
	var c Concealer
	y := make([]int16, len(x)+Delay)
	frame := make([]int16, pktLen)
	for p, l := range lost {
		var err error
		if l {
			err = c.Lost(frame)
		} else {
			copy(frame, x[p*pktLen:])
			err = c.Good(frame)
		}
		if err != nil {
			panic(err)
		}
		copy(y[p*pktLen:], frame)
	}
	return y[Delay:]
}

// spectra returns the power spectrum, 0 to 4 kHz, of each Hann window of x.
func spectra(x []int16) [][]float64 {
	var s [][]float64
	var buf [fftLen]complex128
	for at := 0; at+winLen <= len(x); at += hop {
		for i := range buf {
			buf[i] = 0
			if i < winLen {
				buf[i] = complex(hann[i]*float64(x[at+i]), 0)
			}
		}
		fft(&buf)
		p := make([]float64, fftLen/2+1)
		for k := range p {
			p[k] = real(buf[k])*real(buf[k]) + imag(buf[k])*imag(buf[k])
		}
		s = append(s, p)
	}
	return s
}

var hann = func() (w [winLen]float64) {
	for i := range w {
		w[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/winLen)
	}
	return w
}()

const fftLen = 256 // a window zero-padded to a power of two

// fft is an in-place radix-2 decimation-in-time transform.
func fft(a *[fftLen]complex128) {
	for i, j := 1, 0; i < fftLen; i++ {
		bit := fftLen >> 1
		for ; j&bit != 0; bit >>= 1 {
			j ^= bit
		}
		j ^= bit
		if i < j {
			a[i], a[j] = a[j], a[i]
		}
	}
	for n := 2; n <= fftLen; n <<= 1 {
		step := cmplx.Rect(1, -2*math.Pi/float64(n))
		for start := 0; start < fftLen; start += n {
			w := complex(1, 0)
			for k := range n / 2 {
				u, v := a[start+k], w*a[start+k+n/2]
				a[start+k], a[start+k+n/2] = u+v, u-v
				w *= step
			}
		}
	}
}

// lsd is the mean log-spectral distance, in dB, between the reference
// spectra and y's over the windows that touch a lost packet or the one
// after it.
func lsd(ref [][]float64, y []int16, lost []bool) float64 {
	var mean float64
	for _, p := range ref {
		for _, v := range p {
			mean += v
		}
	}
	floor := mean / float64(len(ref)*len(ref[0])) * math.Pow(10, -floorDB/10.0)
	got := spectra(y)
	var sum float64
	var n int
	for w := range ref {
		if !touched(w, lost) {
			continue
		}
		var d2 float64
		for k := range ref[w] {
			d := 10 * math.Log10((ref[w][k]+floor)/(got[w][k]+floor))
			d2 += d * d
		}
		sum += math.Sqrt(d2 / float64(len(ref[w])))
		n++
	}
	return sum / float64(n)
}

// touched is whether window w overlaps a lost packet or the one after it.
func touched(w int, lost []bool) bool {
	first, last := w*hop/pktLen, (w*hop+winLen-1)/pktLen
	for p := max(0, first-1); p <= last && p < len(lost); p++ {
		if lost[p] {
			return true
		}
	}
	return false
}

// segSNR is the mean waveform SNR, in dB and held within -10 to 35 dB, of
// y against x over the windows that lsd looks at, leaving out silent ones.
// It is logged beside LSD to show how it misjudges concealment.
func segSNR(x, y []int16, lost []bool) float64 {
	var sum float64
	var n int
	for w := 0; w*hop+winLen <= len(x); w++ {
		if !touched(w, lost) {
			continue
		}
		var sig, noise float64
		for i := w * hop; i < w*hop+winLen; i++ {
			d := float64(x[i]) - float64(y[i])
			sig += float64(x[i]) * float64(x[i])
			noise += d * d
		}
		if sig == 0 {
			continue
		}
		sum += max(-10, min(35, 10*math.Log10(sig/max(noise, 1))))
		n++
	}
	return sum / float64(n)
}

type condition struct {
	name    string
	pattern lossPattern
	// short is whether the gaps are mostly within the 60 ms the concealer
	// fills before it falls silent. Over longer gaps, silence by design,
	// LSD prefers a repeated frame, whose spectrum is at least speech-like
	// (the buzz of one 20 ms frame played over and over is not something
	// a spectral distance sees), so there the concealer need only beat
	// silence.
	short bool
}

var conditions = []condition{
	{"random 5%", random(0.05), true},
	{"random 10%", random(0.10), true},
	{"random 20%", random(0.20), true},
	{"bursts of 2", bursts(2), true},
	{"bursts of 3", bursts(3), true},
	{"bursts of 4", bursts(4), false},
	{"bursts of 5", bursts(5), false},
	{"bursts of 6", bursts(6), false},
}

// compare conceals x under every condition, logs a table of the three
// methods' LSD, and fails where the concealer does not beat both silence
// and repetition.
func compare(t *testing.T, x []int16) {
	x = x[:len(x)/pktLen*pktLen]
	ref := spectra(x)
	var tab strings.Builder
	fmt.Fprintf(&tab, "%-12s %25s   %25s\n", "", "mean LSD, dB", "mean segmental SNR, dB")
	fmt.Fprintf(&tab, "%-12s %8s %8s %8s   %8s %8s %8s\n", "loss", "silence", "repeat", "plc", "silence", "repeat", "plc")
	for _, cond := range conditions {
		lost := cond.pattern(rand.New(rand.NewPCG(1, 2)), len(x)/pktLen)
		ys, yr, yc := silence(x, lost), repetition(x, lost), conceal(x, lost)
		s, r, c := lsd(ref, ys, lost), lsd(ref, yr, lost), lsd(ref, yc, lost)
		fmt.Fprintf(&tab, "%-12s %8.2f %8.2f %8.2f   %8.2f %8.2f %8.2f\n", cond.name, s, r, c,
			segSNR(x, ys, lost), segSNR(x, yr, lost), segSNR(x, yc, lost))
		if c >= s {
			t.Errorf("%s: concealer %.2f dB, not below silence %.2f dB", cond.name, c, s)
		}
		if cond.short && c >= r {
			t.Errorf("%s: concealer %.2f dB, not below repetition %.2f dB", cond.name, c, r)
		}
	}
	t.Logf("\n%s", tab.String())
}

func TestCompareVoiced(t *testing.T) {
	compare(t, voiced(20))
}

func TestCompareSpeech(t *testing.T) {
	text := "The quick brown fox jumps over the lazy dog. " +
		"A gateway must keep talking when packets go missing. " +
		"Please call me back on the other line after lunch."
	for _, voice := range []string{"en", "en+f3", "de", "fr"} {
		t.Run(voice, func(t *testing.T) {
			x, err := testtool.Speak(t, text, "-v", voice)
			if err != nil {
				t.Fatal(err)
			}
			compare(t, x)
		})
	}
}

func TestFFT(t *testing.T) {
	// A cosine on bin 10 has all its power there and in its mirror.
	var a [fftLen]complex128
	for i := range a {
		a[i] = complex(math.Cos(2*math.Pi*10*float64(i)/fftLen), 0)
	}
	fft(&a)
	for k, v := range a {
		want := 0.0
		if k == 10 || k == fftLen-10 {
			want = fftLen / 2
		}
		if cmplx.Abs(v-complex(want, 0)) > 1e-9 {
			t.Fatalf("bin %d = %v, want %v", k, v, want)
		}
	}
}
