// Package hookswitch tells what the user of a phone did from the hook
// changes its FXS port reports: went off hook, dialled a digit on a rotary
// dial, flashed the hook switch, or hung up.
//
// A SLIC reports only that the loop opened (on hook) or closed (off hook).
// The Decoder judges each on-hook period, the break, by how long it lasted:
//
//	shorter than PulseBreakMin          contact bounce: ignored
//	PulseBreakMin to PulseBreakMax      one dial pulse
//	between PulseBreakMax and FlashMin  neither: ignored
//	FlashMin to FlashMax                a flash (register recall)
//	longer than FlashMax                a hang-up
//
// A rotary dial sends a digit as a train of breaks, one per unit, ten for 0,
// at about 10 pulses a second: a break of about 60 ms and a make of about
// 40 ms. An off-hook period longer than DigitGap after a pulse ends the
// digit; a flash or a hang-up ends it too. A train of more than ten pulses is
// no digit and is dropped.
//
// The decoder knows nothing of calls: it reports digits whenever pulses
// come, and leaves it to the line to ignore those it does not want.
//
// Some phones flash by a timed break as short as a dial pulse (the European
// "R" key, 80 to 100 ms). Such a break cannot be told from the digit 1; with
// DefaultTiming it is one. A line that wants those flashes lowers FlashMin to
// the phones' break and PulseBreakMax below that, which gives up rotary dials.
//
// The decoder is meant for the 20 ms frame loop: Event, Tick and Next never
// allocate, and its results do not depend on how often Tick is called, as
// long as every event up to a time is given before Tick of that time.
package hookswitch
