package g711

import (
	"math"
	"testing"
)

// The oracles below restate G.711's tables as G.191 applies them: find the
// segment the magnitude falls in, then the step within it. They share no
// code or tables with the encoder.

// ulawSegEnd[k] is the first biased 14-bit magnitude above segment k.
var ulawSegEnd = [8]int{64, 128, 256, 512, 1024, 2048, 4096, 8192}

func oracleUlawEncode(x int16) byte {
	v := int(x)
	positive := v >= 0
	if !positive {
		v = -v - 1 // one's complement magnitude, as G.191 does
	}
	m := v/4 + 33
	if m > 8191 {
		m = 8191
	}
	seg := 0
	for m >= ulawSegEnd[seg] {
		seg++
	}
	start := ulawSegEnd[seg] / 2
	step := 2 << seg
	q := (m - start) / step
	code := 0x7F - (seg*16 + q)
	if positive {
		code += 0x80
	}
	return byte(code)
}

// oracleUlawDecode returns the middle of the code's decision interval.
func oracleUlawDecode(c byte) int16 {
	v := 0x7F - int(c&0x7F)
	seg, q := v/16, v%16
	lo := ulawSegEnd[seg]/2 + q*(2<<seg)
	mid4 := 4*lo + 2*(2<<seg) - 4*33 // 4 × (lo + step/2 − bias)
	if c < 0x80 {
		return int16(-mid4)
	}
	return int16(mid4)
}

// alawSegEnd[k] is the first 12-bit magnitude above segment k.
var alawSegEnd = [8]int{16, 32, 64, 128, 256, 512, 1024, 2048}

func oracleAlawEncode(x int16) byte {
	v := int(x)
	positive := v >= 0
	if !positive {
		v = -v - 1
	}
	m := v / 16
	seg := 0
	for m >= alawSegEnd[seg] {
		seg++
	}
	q := m
	if seg > 0 {
		q = (m - alawSegEnd[seg-1]) / (1 << (seg - 1))
	}
	code := seg*16 + q
	if positive {
		code += 0x80
	}
	return byte(code) ^ 0x55
}

func oracleAlawDecode(c byte) int16 {
	v := int(c^0x55) & 0x7F
	seg, q := v/16, v%16
	lo, step := q, 1
	if seg > 0 {
		step = 1 << (seg - 1)
		lo = alawSegEnd[seg-1] + q*step
	}
	mid16 := 16*lo + 8*step
	if c^0x55 < 0x80 {
		return int16(-mid16)
	}
	return int16(mid16)
}

func TestEncodeAllInputs(t *testing.T) {
	for _, tc := range []struct {
		law    string
		got    func(int16) byte
		oracle func(int16) byte
	}{
		{"ulaw", EncodeUlawSample, oracleUlawEncode},
		{"alaw", EncodeAlawSample, oracleAlawEncode},
	} {
		bad := 0
		for i := math.MinInt16; i <= math.MaxInt16; i++ {
			x := int16(i)
			if got, want := tc.got(x), tc.oracle(x); got != want {
				if bad++; bad <= 5 {
					t.Errorf("%s encode %d = %#02x; want %#02x", tc.law, x, got, want)
				}
			}
		}
		if bad > 5 {
			t.Errorf("%s: %d inputs wrong in all", tc.law, bad)
		}
	}
}

func TestDecodeAllCodes(t *testing.T) {
	for c := range 256 {
		if got, want := DecodeUlawSample(byte(c)), oracleUlawDecode(byte(c)); got != want {
			t.Errorf("ulaw decode %#02x = %d; want %d", c, got, want)
		}
		if got, want := DecodeAlawSample(byte(c)), oracleAlawDecode(byte(c)); got != want {
			t.Errorf("alaw decode %#02x = %d; want %d", c, got, want)
		}
	}
}

// Values fixed by G.191 itself, including the negative inputs where
// implementations that negate (two's complement) disagree with it.
func TestKnownValues(t *testing.T) {
	for _, tc := range []struct {
		x          int16
		ulaw, alaw byte
	}{
		{0, 0xFF, 0xD5},
		{-1, 0x7F, 0x55},
		{-4, 0x7F, 0x55}, // ^-4 = 3 drops out with the low two bits
		{-5, 0x7E, 0x55},
		{-16, 0x7D, 0x55},
		{-17, 0x7D, 0x54},
		{32767, 0x80, 0xAA},
		{-32768, 0x00, 0x2A},
		{1000, 0xCE, 0xFA},
		{-1000, 0x4E, 0x7A},
	} {
		if got := EncodeUlawSample(tc.x); got != tc.ulaw {
			t.Errorf("ulaw(%d) = %#02x; want %#02x", tc.x, got, tc.ulaw)
		}
		if got := EncodeAlawSample(tc.x); got != tc.alaw {
			t.Errorf("alaw(%d) = %#02x; want %#02x", tc.x, got, tc.alaw)
		}
	}
	for _, tc := range []struct {
		c          byte
		ulaw, alaw int16
	}{
		{0x80, 32124, 5504},
		{0x00, -32124, -5504},
		{0xFF, 0, 848},
		{0x7F, 0, -848},
		{0xD5, 716, 8},
		{0x55, -716, -8},
		{0xAA, 5372, 32256},
		{0x2A, -5372, -32256},
	} {
		if got := DecodeUlawSample(tc.c); got != tc.ulaw {
			t.Errorf("ulaw⁻¹(%#02x) = %d; want %d", tc.c, got, tc.ulaw)
		}
		if got := DecodeAlawSample(tc.c); got != tc.alaw {
			t.Errorf("alaw⁻¹(%#02x) = %d; want %d", tc.c, got, tc.alaw)
		}
	}
}

// Every code survives decode then encode, except µ-law's negative zero,
// which decodes to the same 0 as positive zero.
func TestCodeRoundTrip(t *testing.T) {
	for c := range 256 {
		b := byte(c)
		if got := EncodeUlawSample(DecodeUlawSample(b)); got != b && b != 0x7F {
			t.Errorf("ulaw %#02x → %d → %#02x", b, DecodeUlawSample(b), got)
		}
		if got := EncodeAlawSample(DecodeAlawSample(b)); got != b {
			t.Errorf("alaw %#02x → %d → %#02x", b, DecodeAlawSample(b), got)
		}
	}
}

func TestFrames(t *testing.T) {
	for _, n := range []int{0, 1, 80, 160, 161, 240} {
		src := make([]int16, n)
		for i := range src {
			src[i] = int16(i*409 - 32768)
		}
		u, a := make([]byte, n), make([]byte, n)
		EncodeUlaw(u, src)
		EncodeAlaw(a, src)
		du, da := make([]int16, n), make([]int16, n)
		DecodeUlaw(du, u)
		DecodeAlaw(da, a)
		for i, x := range src {
			if u[i] != oracleUlawEncode(x) || a[i] != oracleAlawEncode(x) ||
				du[i] != oracleUlawDecode(u[i]) || da[i] != oracleAlawDecode(a[i]) {
				t.Fatalf("n=%d sample %d (%d): frame and sample forms disagree", n, i, x)
			}
		}
	}
}

func TestShortDestinationPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("EncodeUlaw into a short dst did not panic")
		}
	}()
	EncodeUlaw(make([]byte, 1), make([]int16, 2))
}

func FuzzFrames(f *testing.F) {
	f.Add([]byte{0, 0, 0xFF, 0xFF, 0x00, 0x80})
	f.Fuzz(func(t *testing.T, raw []byte) {
		src := make([]int16, len(raw)/2)
		for i := range src {
			src[i] = int16(uint16(raw[2*i]) | uint16(raw[2*i+1])<<8)
		}
		u, a := make([]byte, len(src)), make([]byte, len(src))
		EncodeUlaw(u, src)
		EncodeAlaw(a, src)
		for i, x := range src {
			if u[i] != oracleUlawEncode(x) || a[i] != oracleAlawEncode(x) {
				t.Fatalf("sample %d: got %#02x %#02x; want %#02x %#02x", x, u[i], a[i], oracleUlawEncode(x), oracleAlawEncode(x))
			}
		}
		d := make([]int16, len(raw))
		DecodeUlaw(d, raw)
		for i, c := range raw {
			if d[i] != oracleUlawDecode(c) {
				t.Fatalf("ulaw code %#02x: got %d; want %d", c, d[i], oracleUlawDecode(c))
			}
		}
		DecodeAlaw(d, raw)
		for i, c := range raw {
			if d[i] != oracleAlawDecode(c) {
				t.Fatalf("alaw code %#02x: got %d; want %d", c, d[i], oracleAlawDecode(c))
			}
		}
	})
}

// frame is one 20 ms frame of a 1 kHz tone at a moderate level.
func frame() []int16 {
	s := make([]int16, 160)
	for i := range s {
		s[i] = int16(10000 * math.Sin(2*math.Pi*1000*float64(i)/8000))
	}
	return s
}

func BenchmarkUlawFrame(b *testing.B) {
	src, enc, dec := frame(), make([]byte, 160), make([]int16, 160)
	b.ReportAllocs()
	for b.Loop() {
		EncodeUlaw(enc, src)
		DecodeUlaw(dec, enc)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/frame")
}

func BenchmarkAlawFrame(b *testing.B) {
	src, enc, dec := frame(), make([]byte, 160), make([]int16, 160)
	b.ReportAllocs()
	for b.Loop() {
		EncodeAlaw(enc, src)
		DecodeAlaw(dec, enc)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/frame")
}
