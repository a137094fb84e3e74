// Package echo is a line echo canceller after ITU-T G.168: it removes from
// the signal coming back from a two-wire line (Sin) the echo that the
// line's hybrid makes of the signal sent to it (Rin).
//
// The echo path, up to 128 ms long, is modelled by a partitioned-block
// frequency-domain adaptive filter: 10 ms blocks, partitions of 160 taps,
// 256-point real FFTs written here, the step normalised by the far-end power
// in each frequency bin and shared among the partitions after their share of
// the weights (proportionate steps: the echo sits in a few of them). Two
// filters run side by side. The background filter adapts on every block,
// its step the share of residual echo in its error, so that near-end speech
// shrinks it; the foreground filter makes the output and takes the
// background's weights only when they cancel clearly more than its own and
// the near end is silent, so double talk that drags the background astray
// does not reach the output; a background that falls far behind is
// restarted from the foreground. Near-end speech is told by the Geigel test
// until the foreground cancels 10 dB, then by an error larger than the
// foreground's usual leakage.
//
// After the linear filter, a non-linear processor replaces the residual echo
// with comfort noise at the level and spectral tilt of the line's background
// noise, only while the far end talks and the near end is silent. A 2100 Hz
// answer tone with phase reversals (fax, modems) turns the canceller off
// until both directions have been quiet for 250 ms. Reset starts again for
// a new far end.
//
// A Canceller works on 10 ms blocks (BlockLen samples at 8 kHz) and does not
// allocate after New.
//
// References:
//   - ITU-T G.168 (04/2015), Digital network echo cancellers: Annex C (the
//     composite source signal) and Annex D (the hybrid echo path models the
//     tests use), 6.4.2.10 (tone disabling).
//   - ITU-T G.164 (11/88), Echo suppressors: tone disabler levels and
//     release time.
//   - J.-S. Soo and K. K. Pang, Multidelay block frequency domain adaptive
//     filter, IEEE Trans. ASSP 38(2), 1990.
package echo
