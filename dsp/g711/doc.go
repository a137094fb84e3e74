// Package g711 converts between 16-bit linear PCM and the two G.711
// companding laws, µ-law (North America, Japan) and A-law (everywhere else).
//
// The conversion is bit-exact with the ITU-T G.191 Software Tool Library
// (module g711), which is the reference the standard's test vectors come
// from. Where implementations disagree it follows the STL: the encoders take
// the magnitude of a negative sample as its one's complement (^x, not -x),
// µ-law looks at the top 14 bits of the sample and A-law at the top 13
// (sign included), and the decoders return the middle of the decision
// interval scaled back to 16 bits.
//
// Encoding and decoding are table lookups (16 KiB and 4 KiB for the
// encoders, 512 bytes each for the decoders) and never allocate.
//
// References:
//   - ITU-T G.711 (11/88), Pulse code modulation (PCM) of voice frequencies.
//   - ITU-T G.191 (01/2019), Software tools for speech and audio coding
//     standardization, module G.711.
package g711
