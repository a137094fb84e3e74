package telephony

import (
	"fmt"
	"time"

	"tipring/hal"
)

// Dialing is how an FXO line sends a number to the exchange.
type Dialing uint8

const (
	// DialDTMF sends the number as DTMF tones.
	DialDTMF Dialing = iota
	// DialPulse sends it by loop disconnect, as a rotary dial does: the
	// line is opened once per pulse, 10 pulses a second, with the break,
	// make and digit coding of the country's exchanges. Only 0-9 can be
	// sent so.
	DialPulse
)

// pulseCoding is how many pulses stand for each digit.
type pulseCoding uint8

const (
	codingDecadic    pulseCoding = iota // n pulses for n, ten for 0: nearly everywhere
	codingSweden                        // n+1 for n: one for 0, ten for 9
	codingNewZealand                    // 10-n for n: ten for 0, one for 9
)

// pulses returns the pulses that stand for digit d, 0-9.
func (c pulseCoding) pulses(d byte) int {
	n := int(d - '0')
	switch {
	case c == codingSweden:
		return n + 1
	case c == codingNewZealand:
		return 10 - n
	case n == 0:
		return 10
	}
	return n
}

// pulseTiming is how a country's exchanges take loop-disconnect digits.
type pulseTiming struct {
	brk, mk time.Duration // one pulse: the loop open, then closed; 100 ms in all
	pause   time.Duration // the loop closed between digits
	coding  pulseCoding
}

// interDigitPause is the loop held closed between digits. Exchanges take a
// digit as ended after a few hundred ms; dials and modems leave 700 to
// 800 ms.
const interDigitPause = 800 * time.Millisecond

// pulseTimingFor returns the pulse timing of country's exchanges, all at 10
// pulses a second. The break is 60 % of the pulse where the Bell System's
// rule holds (TIA-968: 58 to 64 %) and in continental Europe (the German
// dial's 1.6:1 is 62 %); two thirds where the British Post Office's does
// (66 %, 63 to 72 %) and in France and Japan.
func pulseTimingFor(country string) pulseTiming {
	t := pulseTiming{brk: 60 * time.Millisecond, mk: 40 * time.Millisecond, pause: interDigitPause}
	switch country {
	case "GB", "AU", "NZ", "FR", "JP":
		t.brk, t.mk = 67*time.Millisecond, 33*time.Millisecond
	}
	switch country {
	case "SE":
		t.coding = codingSweden
	case "NZ":
		t.coding = codingNewZealand
	}
	return t
}

// pulseDialable says why number cannot be pulsed, if it cannot.
func pulseDialable(number string) error {
	for i := 0; i < len(number); i++ {
		if c := number[i]; c < '0' || c > '9' {
			return fmt.Errorf("%q cannot be pulsed: loop disconnect sends only 0-9", c)
		}
	}
	return nil
}

// pulseLead is how far past a frame's bus time the hook changes handed to
// the port in that frame go. The board is already transferring the next
// frame while this one is handled, so the changes are planned a frame
// beyond that, and never arrive after they are due.
const pulseLead = 3 * hal.FrameDuration

// pulser dials a number by loop disconnect. It plans the line's breaks and
// makes in bus time and hands each to the port shortly before it is due
// (hal.FXO.SetHookAt), so that pulses keep their lengths although they do
// not fall on frame boundaries. It does not allocate.
type pulser struct {
	t        pulseTiming
	rest     string        // digits not begun
	left     int           // pulses of the digit under way not yet handed over whole
	open     bool          // the next change closes the loop
	at       time.Duration // bus time of the next change
	from, to time.Duration // the first break and the last make of the number
}

// start plans number, all of whose digits are 0-9, from bus time at on.
func (p *pulser) start(number string, at time.Duration) {
	*p = pulser{t: p.t, rest: number, at: at, from: at, to: at}
	for i := 0; i < len(number); i++ {
		if i > 0 {
			p.to += p.t.pause
		}
		p.to += time.Duration(p.t.coding.pulses(number[i]))*(p.t.brk+p.t.mk) - p.t.mk
	}
	p.nextDigit()
}

func (p *pulser) nextDigit() {
	if p.rest != "" {
		p.left = p.t.coding.pulses(p.rest[0])
		p.rest = p.rest[1:]
	}
}

// handOver gives port the hook changes due before now+pulseLead.
func (p *pulser) handOver(now time.Duration, port hal.FXO) error {
	for p.left > 0 && p.at < now+pulseLead {
		h := hal.OnHook
		if p.open {
			h = hal.OffHook
		}
		if err := port.SetHookAt(h, p.at); err != nil {
			return err
		}
		if !p.open {
			p.open = true
			p.at += p.t.brk
			continue
		}
		p.open = false
		if p.left--; p.left > 0 {
			p.at += p.t.mk
		} else if p.rest != "" {
			p.at += p.t.pause
			p.nextDigit()
		}
	}
	return nil
}

// done reports whether the number has been dialled by bus time now.
func (p *pulser) done(now time.Duration) bool { return p.left == 0 && now >= p.to }

// ours reports whether bus time at falls within the number's pulses, where
// the loop current comes and goes because the line breaks it.
func (p *pulser) ours(at time.Duration) bool { return at >= p.from && at < p.to }

// stop forgets the number.
func (p *pulser) stop() { *p = pulser{t: p.t} }
