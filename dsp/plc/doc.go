// Package plc conceals lost packets in 8 kHz 16-bit linear PCM by pitch
// waveform substitution, the algorithm of ITU-T G.711 Appendix I.
//
// A Concealer sits between the jitter buffer's decoder and the line. Each
// received frame goes through Good, each missing one is made by Lost. When a
// loss starts, the Concealer finds the pitch period of the last 20 ms by
// normalised cross-correlation against lags of 40 to 120 samples (200 Hz
// down to 66.7 Hz), and repeats the last period. After 10 ms of loss it
// repeats the last two periods, after 20 ms the last three, so a long gap
// does not buzz on one period. From 10 ms into the loss the output fades by
// 20 % every 10 ms, and from 60 ms on it is silence. Every change of source
// is a linear cross-fade (overlap-add) a quarter of a pitch period long,
// and the first good frame after a loss fades in over that quarter period
// plus 4 ms for each further 10 ms lost, at most 10 ms.
//
// The output lags the input by Delay samples (3.75 ms), as in Appendix I.
// That lookahead is what lets the start of a loss be concealed without a
// click: the last quarter period before the loss has not been played yet,
// so it can be cross-faded into the period that is about to repeat. A
// no-delay variant would have to join the repeated period straight onto
// samples already played, a discontinuity at every loss, and 3.75 ms is
// small beside the 20 ms packets and the jitter buffer in front of it.
//
// Frames are any whole number of 10 ms blocks (80 samples): 10 ms, 20 ms
// (the usual 160 samples) and so on, and may change length between calls.
// The Concealer works in place, is pure computation, and does not allocate
// once declared, so it can run in the 20 ms media loop.
//
// Reference: ITU-T G.711 (09/99) Appendix I, A high quality low-complexity
// algorithm for packet loss concealment with G.711.
package plc
