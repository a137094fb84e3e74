// Package ringdetect validates the ringing an exchange puts on an FXO port
// and tells the line what it means: a call is ringing, each burst of its
// ringing begins and ends, a ring-pulse alert announces caller ID, or the
// caller gave up.
//
// The port reports only that ringing voltage appeared or ceased. The
// Detector first merges gaps shorter than MinPause into the burst around
// them (a ring detector can drop out for a moment), then judges each burst
// by its length:
//
//	shorter than MinBurst       a spike: ignored
//	MinBurst to MaxBurst        a ring
//	longer than MaxBurst        not ringing (a line test, a fault): starts no call
//
// Once a call rings, every burst that is no spike counts, however long.
//
// A call starts with its first burst, reported as CallStart when that burst
// ends, once it is known not to be too long. That is also when caller ID
// begins on lines that send it after the first ring (Telcordia GR-30-CORE,
// ETSI EN 300 659-1 "data associated with ringing"); lines that send it
// before the first ring (a line reversal and DT-AS in the UK, BT SIN 227)
// announce it with polarity and tones, which this package does not see.
//
// EN 300 659-1 has one more way: a ring-pulse alerting signal (RP-AS) of 200
// to 300 ms, then 500 to 800 ms of silence, the data, and at least 200 ms
// later the ringing. A pulse that long is also a short first ring of some
// cadences, where the next ring follows within a few hundred milliseconds. So a first burst no
// longer than AlertMax that the silence of AlertGap follows is reported as an
// Alert, and the call starts with the burst after it, however short.
//
// Ringing that stops for longer than MaxPause ends the call: the caller gave
// up, or a phone in parallel answered. The line cannot tell which.
//
// Limits from the ring cadences of dsp/tone's national plans (ITU-T E.180
// Supplement 2 and the national specifications it summarises): bursts last
// 400 ms (the UK's double ring, BT SIN 351) to 2 s (North America, GR-506),
// pauses 200 ms to 5 s (Austria, Sweden).
//
// The detector is meant for the 20 ms frame loop: Event, Tick and Next never
// allocate, and its results do not depend on how often Tick is called, as
// long as every event up to a time is given before Tick of that time.
package ringdetect
