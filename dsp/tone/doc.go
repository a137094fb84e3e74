// Package tone holds the call-progress tones of national telephone networks
// and the two things a gateway does with them: generate them towards a phone
// (dial, ringback, busy, ... and the ringing cadence of the FXS port), and
// recognise them on a line (busy, congestion, ringback and dial tone heard
// on an FXO trunk).
//
// A Plan is one country's set of tones. Each Tone is a repeating sequence of
// segments: sums of sines (350+440 Hz), a sine amplitude-modulated by a low
// frequency (Japan's 400 Hz × 16 Hz ringback), or silence. A Generator plays
// a Tone into caller buffers with continuous phase; a Detector follows the
// energy at a plan's frequencies against the total energy, cuts it into
// on/off segments and matches them against the plan's cadences.
//
// Levels are in dBm0 with the G.711 µ-law convention: a full-scale sine is
// +3.17 dBm0 (see Amplitude).
//
// References:
//   - ITU-T E.180 (03/1998), Technical characteristics of tones for the
//     telephone service, and its Supplement 2, Various tones used in national
//     networks (the per-country tables).
//   - ITU-T G.711 (11/88), for the level convention.
//   - Country data cross-checked against the tone tables of Asterisk's
//     indications.conf and BT SIN 350 (United Kingdom).
package tone
