package g711

import "math/bits"

// Both encoders see only the top bits of a sample, so their tables are
// indexed by those bits: µ-law by uint16(x)>>2, A-law by uint16(x)>>4.
// Arithmetic shifts commute with the one's complement G.191 uses for
// negative samples (^x>>n == ^(x>>n)), so the dropped bits never matter.
var (
	ulawEnc [1 << 14]byte
	alawEnc [1 << 12]byte
	ulawDec [256]int16
	alawDec [256]int16
)

func init() {
	for i := range ulawEnc {
		ulawEnc[i] = ulawEncode(int16(i << 2))
	}
	for i := range alawEnc {
		alawEnc[i] = alawEncode(int16(i << 4))
	}
	for c := range 256 {
		ulawDec[c] = ulawDecode(byte(c))
		alawDec[c] = alawDecode(byte(c))
	}
}

// ulawEncode is G.191's ulaw_compress for one sample.
func ulawEncode(x int16) byte {
	sign := byte(0xFF) // positive codes have the sign bit set; all bits are inverted
	if x < 0 {
		x = ^x
		sign = 0x7F
	}
	// 14-bit magnitude plus the µ-law bias of 33, which puts every segment
	// boundary on a power of two.
	m := int(x>>2) + 33
	m = min(m, 0x1FFF)
	exp := bits.Len(uint(m >> 6)) // 0..7
	mant := (m >> (exp + 1)) & 0xF
	return byte(exp<<4|mant) ^ sign
}

// ulawDecode is G.191's ulaw_expand for one code.
func ulawDecode(c byte) int16 {
	v := ^c
	exp := int(v>>4) & 7
	mant := int(v & 0xF)
	step := 8 << exp
	m := 128<<exp + step*mant + step/2 - 4*33
	if c&0x80 == 0 {
		return int16(-m)
	}
	return int16(m)
}

// alawEncode is G.191's alaw_compress for one sample.
func alawEncode(x int16) byte {
	var sign byte = 0x80
	if x < 0 {
		x = ^x
		sign = 0
	}
	m := int(x >> 4) // 0..2047
	code := m
	if m > 15 {
		exp := bits.Len(uint(m)) - 4 // 1..7
		code = exp<<4 | (m>>(exp-1))&0xF
	}
	// G.711 inverts the even bits of A-law codes on the line.
	return (byte(code) | sign) ^ 0x55
}

// alawDecode is G.191's alaw_expand for one code.
func alawDecode(c byte) int16 {
	v := c ^ 0x55
	exp := int(v>>4) & 7
	m := int(v & 0xF)
	if exp > 0 {
		m += 16
	}
	m = m<<4 + 8
	if exp > 1 {
		m <<= exp - 1
	}
	if c&0x80 == 0 {
		return int16(-m)
	}
	return int16(m)
}

// EncodeUlawSample returns the µ-law code of one 16-bit linear sample.
func EncodeUlawSample(x int16) byte { return ulawEnc[uint16(x)>>2] }

// DecodeUlawSample returns the 16-bit linear value of one µ-law code.
func DecodeUlawSample(c byte) int16 { return ulawDec[c] }

// EncodeAlawSample returns the A-law code of one 16-bit linear sample.
func EncodeAlawSample(x int16) byte { return alawEnc[uint16(x)>>4] }

// DecodeAlawSample returns the 16-bit linear value of one A-law code.
func DecodeAlawSample(c byte) int16 { return alawDec[c] }

// EncodeUlaw writes the µ-law codes of src to dst, which must be at least as
// long as src.
func EncodeUlaw(dst []byte, src []int16) {
	dst = dst[:len(src)]
	for i, x := range src {
		dst[i] = ulawEnc[uint16(x)>>2]
	}
}

// DecodeUlaw writes the linear samples of the µ-law codes in src to dst,
// which must be at least as long as src.
func DecodeUlaw(dst []int16, src []byte) {
	dst = dst[:len(src)]
	for i, c := range src {
		dst[i] = ulawDec[c]
	}
}

// EncodeAlaw writes the A-law codes of src to dst, which must be at least as
// long as src.
func EncodeAlaw(dst []byte, src []int16) {
	dst = dst[:len(src)]
	for i, x := range src {
		dst[i] = alawEnc[uint16(x)>>4]
	}
}

// DecodeAlaw writes the linear samples of the A-law codes in src to dst,
// which must be at least as long as src.
func DecodeAlaw(dst []int16, src []byte) {
	dst = dst[:len(src)]
	for i, c := range src {
		dst[i] = alawDec[c]
	}
}
