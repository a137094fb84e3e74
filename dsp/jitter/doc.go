// Package jitter is an adaptive jitter buffer for 20 ms G.711 RTP audio.
//
// The receiver hands each packet to Put as it arrives, with its sequence
// number, timestamp, SSRC, marker bit and arrival time; the media loop
// calls Get once per 20 ms tick of the playout clock (the PCM bus) and gets
// the frame due, or is told to conceal a missing one or to play silence.
//
// The buffer holds frames in a fixed ring of slots indexed by timestamp, so
// reordered packets fall into place, duplicates and packets whose turn has
// passed are counted and discarded, and nothing is allocated after New.
//
// The delay adapts to the jitter measured over the last two and a half
// seconds of packets: the spread between the fastest and the 98th
// percentile of their transit times (arrival time minus RTP timestamp, as
// in RFC 3550 section 6.4.1, but as a percentile rather than the smoothed
// mean deviation, which says nothing about how late the latest packets
// are). The target delay is that spread clamped to [Min, Max]. The buffer
// grows at once when it falls more than half a frame short of the target
// and shrinks by at most one frame a second, by skipping a silent frame;
// only if no silence comes for ten seconds does a frame of sound go. The
// same two moves absorb a sender clock that runs fast or slow against the
// playout clock.
//
// A new SSRC starts the buffer afresh; so does a timestamp jump, when the
// packet carries the marker bit or the next packet in sequence confirms it.
// So does a lasting step up in the network's delay (a path that changed,
// a sender that stalled and carried on at its pace): when five frames in
// sequence have come too late to play, over 80 ms or more with none in
// time between, the timeline starts again on the last of them, at the
// delay the jitter called for before the step. That costs four frames,
// where waiting for the delay estimate to forget the packets before the
// step would cost two and a half seconds. A lone straggler, or a burst of
// packets held up and then delivered at once, is no step.
//
// A Buffer is pure computation: no goroutines, no I/O, no locks. Put and
// Get are called from different goroutines in a gateway, so the caller
// serialises them.
package jitter
