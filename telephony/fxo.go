package telephony

import (
	"time"

	"tipring/dsp/callerid"
	"tipring/dsp/dtmf"
	"tipring/dsp/tone"
	"tipring/hal"
	"tipring/sipua"
	"tipring/sipua/q850"
	"tipring/telephony/digitmap"
	"tipring/telephony/ringdetect"
)

// fxoState is what a PSTN line is doing.
type fxoState uint8

const (
	fxoIdle      fxoState = iota // on hook, quiet
	fxoRinging                   // the PSTN rings us; caller ID comes, then the SIP call goes out
	fxoCollect                   // two-stage: line seized, dial tone to the caller, digits come in
	fxoCalling                   // the SIP call is placed; the PSTN caller hears ringback or early media
	fxoSeizing                   // a SIP call for the PSTN: line seized, waiting for dial tone
	fxoDialling                  // the number goes out as DTMF or pulses
	fxoProgress                  // dialled: the SIP caller hears the line until it answers
	fxoTalking                   // answered
	fxoReleasing                 // on hook again, waiting out the guard time
)

var fxoStateNames = [...]string{"idle", "ringing", "collecting", "calling", "seizing", "dialling", "progress", "talking", "releasing"}

func (s fxoState) String() string { return fxoStateNames[s] }

// Timing of the FXO line.
const (
	dialToneWait    = 3 * time.Second        // no dial tone by then: dial anyway
	releaseGuard    = time.Second            // on hook at least this long between calls
	loopDropMin     = 100 * time.Millisecond // a shorter loop-current drop is a glitch
	cidWaitAfterEnd = 5 * time.Second        // after the first ring, how long caller ID may take
)

// Answer says when an FXO line's outgoing call counts as answered.
type Answer uint8

const (
	// AnswerImmediate answers the SIP call once the number is dialled:
	// most PSTN lines give no sign of the called party answering.
	AnswerImmediate Answer = iota
	// AnswerPolarity waits for the line's polarity reversal.
	AnswerPolarity
)

// Disconnect chooses the signs of the far end hanging up that an FXO line
// heeds.
type Disconnect struct {
	LoopDrop bool          // loop current drops (an open switch interval)
	Polarity bool          // the polarity reverses after the answer
	Tone     bool          // the country's busy or congestion tone
	Silence  time.Duration // nothing heard from the line this long; 0: not used
}

// DefaultDisconnect heeds every sign but silence.
var DefaultDisconnect = Disconnect{LoopDrop: true, Polarity: true, Tone: true}

// fxoLine is the state machine of a PSTN line.
type fxoLine struct {
	e    *Engine
	port *Port
	sig  *signaller
	ring *ringdetect.Detector
	cid  *callerid.Detector
	tdet *tone.Detector
	media

	state fxoState
	since time.Duration
	now   time.Duration

	call      *sipua.Call
	callState sipua.CallState
	dialSeq   uint32
	caller    sipua.Party // from the caller ID
	gotCID    bool
	ringEnd   time.Duration // when the first ring ended
	number    string        // to dial on the PSTN
	pulses    pulser        // dials number by loop disconnect
	digits    string        // two-stage: collected from the caller

	placed    bool // the SIP call for a PSTN caller was asked for
	seized    bool
	seizePol  int           // the line's polarity when we seized it
	polarity  int           // the line's polarity since the answer
	loopDrop  time.Duration // when the loop current dropped; -1: it has not
	quietFrom time.Duration // when the line last had sound on it
}

func newFXOLine(e *Engine, p *Port, sig *signaller) *fxoLine {
	ring, err := ringdetect.New(ringdetect.DefaultOpts)
	if err != nil {
		panic(err) // the default options are valid
	}
	return &fxoLine{e: e, port: p, sig: sig, media: newMedia(e.tones, p.Voice), ring: ring,
		cid: callerid.NewDetector(), tdet: tone.NewDetector(e.tones), loopDrop: -1,
		pulses: pulser{t: pulseTimingFor(e.tones.Country)}}
}

func (l *fxoLine) status() string       { return l.state.String() }
func (l *fxoLine) current() *sipua.Call { return l.call }

func (l *fxoLine) enter(s fxoState) {
	l.state, l.since = s, l.now
	if s == fxoTalking {
		l.quietFrom = l.now // silence counts from the answer
	}
	l.e.setBusy(l.port.ID, s != fxoIdle)
	l.e.setAlerting(l.port.ID, s == fxoCalling)
}

func (l *fxoLine) event(ev hal.Event) {
	switch ev.Kind {
	case hal.EventRingStart, hal.EventRingStop:
		l.ring.Event(ev)
	case hal.EventLoopCurrent:
		if !l.seized || l.pulses.ours(ev.At) {
			return // the current comes and goes with our own dial pulses
		}
		if ev.Value == 0 && l.loopDrop < 0 {
			l.loopDrop = ev.At
		} else if ev.Value > 0 {
			l.loopDrop = -1
		}
	case hal.EventPolarity:
		if l.seized && l.state == fxoProgress && l.port.Answer == AnswerPolarity {
			l.answered()
			return
		}
		if !l.seized || l.state != fxoTalking || ev.Value == l.polarity {
			return
		}
		// A PSTN line called out on, not waited on for its answer
		// reversal, may still give one: only a reversal back is the far
		// end hanging up. On a call from the PSTN every reversal is.
		if l.port.Answer == AnswerImmediate && l.number != "" && ev.Value != l.seizePol {
			l.polarity = ev.Value
			return
		}
		if l.port.Disconnect.Polarity {
			l.farHangup("polarity reversal")
		}
	}
}

func (l *fxoLine) frame(now time.Duration, rx, tx *hal.Frame) {
	l.now = now
	l.ring.Tick(now)
	for {
		s, ok := l.ring.Next()
		if !ok {
			break
		}
		l.ringSignal(s)
	}
	for {
		ev, ok := l.sig.next()
		if !ok {
			break
		}
		l.sipEvent(ev)
	}
	l.supervise()

	if !l.seized {
		if l.state == fxoIdle || l.state == fxoRinging || l.state == fxoCalling {
			l.listenCID(rx)
		}
		*tx = hal.Frame{}
		return
	}
	rx = l.fromLine(rx)
	for i := range l.nheard {
		if ev := l.heard[i]; ev.Kind == dtmf.DigitStart && l.state == fxoCollect {
			l.collect(ev.Digit)
		}
	}
	l.listenTones(rx)
	l.toLine(tx)
	l.sentToLine(tx)
	if l.state == fxoDialling && l.port.Dialing == DialPulse {
		if err := l.pulses.handOver(now, l.port.FXO); err != nil {
			l.cannotDial(err, q850.TemporaryFailure)
		}
	}
}

// listenCID decodes caller ID sent while the line is on hook.
func (l *fxoLine) listenCID(rx *hal.Frame) {
	s := rx[:]
	for len(s) > 0 {
		n, done := l.cid.Process(s)
		s = s[n:]
		if done {
			m := l.cid.Message()
			if m.VMWI != callerid.VMWINone {
				continue // a message-waiting signal, not a caller
			}
			l.caller = sipua.Party{Number: m.Number, Name: m.Name,
				Private: m.NumberReason == callerid.ReasonPrivate}
			l.gotCID = true
			l.e.log.Info("caller ID", "line", l.port.ID, "number", m.Number, "name", m.Name)
			if l.state == fxoRinging {
				l.answerPSTN()
			}
		}
	}
}

// listenTones watches the seized line for dial tone before dialling, and
// for the busy or congestion tone that tells the far end hung up.
func (l *fxoLine) listenTones(rx *hal.Frame) {
	for _, ev := range l.tdet.Process(rx[:]) {
		if ev.End != 0 {
			continue
		}
		switch {
		case ev.Tone == tone.Dial && l.state == fxoSeizing:
			l.startDialling()
		case (ev.Tone == tone.Busy || ev.Tone == tone.Congestion) && l.port.Disconnect.Tone &&
			l.state != fxoSeizing && l.state != fxoDialling:
			l.farHangup(ev.Tone.String() + " tone")
		}
	}
	if l.port.Disconnect.Silence > 0 && l.state == fxoTalking {
		if frameLoud(rx) {
			l.quietFrom = l.now
		} else if l.now-l.quietFrom >= l.port.Disconnect.Silence {
			l.farHangup("silence")
		}
	}
}

// frameLoud reports sound above -50 dBm0 or so: more than line noise.
func frameLoud(f *hal.Frame) bool {
	var sum int64
	for _, s := range f {
		sum += int64(s) * int64(s)
	}
	return sum/int64(len(f)) > 100*100/10
}

func (l *fxoLine) ringSignal(s ringdetect.Signal) {
	switch s.Kind {
	case ringdetect.CallStart:
		if l.state != fxoIdle {
			return
		}
		l.enter(fxoRinging)
		l.ringEnd = l.now // the first burst has just ended
		l.e.log.Info("PSTN call ringing", "line", l.port.ID)
		if l.gotCID {
			l.answerPSTN()
		}
	case ringdetect.RingStart:
		if l.state == fxoRinging && s.At > l.ringEnd {
			l.answerPSTN() // the second ring: no caller ID is coming
		}
	case ringdetect.Abandoned:
		if l.state == fxoRinging || l.state == fxoCalling && !l.seized {
			l.e.log.Info("PSTN caller gave up", "line", l.port.ID)
			if l.call != nil {
				l.sig.send(sigCmd{kind: sigHangup, call: l.call, cause: q850.NormalClearing})
			}
			l.release()
		}
	}
}

// answerPSTN goes on with a ringing PSTN call once its caller ID is in (or
// will not come): one-stage, the SIP call to the hotline goes out while the
// line rings on; two-stage, the line is seized and the caller hears dial
// tone.
func (l *fxoLine) answerPSTN() {
	if l.state != fxoRinging || l.placed {
		return
	}
	if l.port.Hotline != "" {
		l.dial(l.port.Hotline)
		return
	}
	l.seize()
	l.digits = ""
	l.setTone(tone.Dial)
	l.enter(fxoCollect)
}

// collect takes a digit of a two-stage call.
func (l *fxoLine) collect(d byte) {
	l.stopTone()
	l.since = l.now // the inter-digit timer starts again
	if d == '#' && l.digits != "" && l.plan().Match(l.digits+"#", false) == digitmap.NoMatch {
		l.dial(l.digits)
		return
	}
	l.digits += string(d)
	l.decide(false)
}

func (l *fxoLine) plan() *digitmap.Map {
	if l.port.DialPlan != nil {
		return l.port.DialPlan
	}
	return defaultDialPlan
}

// decide dials the collected digits when they make a number; the caller
// hears congestion tone when they cannot.
func (l *fxoLine) decide(timedOut bool) {
	switch l.plan().Match(l.digits, timedOut) {
	case digitmap.Complete:
		l.dial(l.digits)
	case digitmap.Ambiguous:
		if timedOut {
			l.dial(l.digits)
		}
	case digitmap.NoMatch:
		l.e.log.Info("number not in the dial plan", "line", l.port.ID, "digits", l.digits)
		l.setTone(tone.Congestion)
		l.digits = "" // the line is released when the dial tone time is up
	case digitmap.Partial:
		if timedOut {
			l.setTone(tone.Congestion)
			l.digits = ""
		}
	}
}

func (l *fxoLine) dial(number string) {
	l.placed = true
	l.dialSeq++
	l.e.log.Info("PSTN call to SIP", "line", l.port.ID, "number", number, "caller", l.caller.Number)
	from := l.caller
	from.Private = from.Private || l.port.Anonymous
	if from.Number == "" && !from.Private {
		from.Number = l.port.Number
	}
	l.sig.send(sigCmd{kind: sigDial, number: number, from: from, seq: l.dialSeq})
	l.enter(fxoCalling)
}

func (l *fxoLine) seize() {
	l.port.FXO.SetHook(hal.OffHook)
	l.seized = true
	l.loopDrop, l.quietFrom = -1, l.now
	l.seizePol = l.port.FXO.Polarity()
	l.polarity = l.seizePol
	l.tdet = tone.NewDetector(l.e.tones)
}

// release puts the line on hook and forgets the call.
func (l *fxoLine) release() {
	if l.seized {
		l.port.FXO.SetHook(hal.OnHook)
		l.seized = false
	}
	l.pulses.stop()
	l.detach()
	l.stopTone()
	l.keys = newMedia(l.e.tones, Voice{}).keys
	l.call, l.caller, l.gotCID, l.ringEnd, l.digits, l.number = nil, sipua.Party{}, false, 0, "", ""
	l.placed = false
	l.dialSeq++
	l.ring.Reset()
	l.cid = callerid.NewDetector()
	l.enter(fxoReleasing)
}

func (l *fxoLine) sipEvent(ev sigEvent) {
	switch {
	case ev.offered:
		l.offered(ev.call, ev.number)
	case ev.seq != l.dialSeq || l.state != fxoCalling || l.call != nil:
		if ev.call != nil {
			l.sig.send(sigCmd{kind: sigHangup, call: ev.call, cause: q850.NormalClearing})
		}
	case ev.err != nil:
		l.e.log.Warn("call not placed", "line", l.port.ID, "err", ev.err)
		if l.seized {
			l.setTone(tone.Congestion)
		} else {
			l.enter(fxoRinging) // rings on unanswered, as above
		}
	default:
		// Followed from dialing, so that an answer that came before this
		// frame is still seen as one.
		l.call, l.callState = ev.call, sipua.CallDialing
		if l.seized {
			l.attach(ev.call)
		}
	}
}

// offered takes a SIP call for the PSTN: the line is seized to dial number.
func (l *fxoLine) offered(c *sipua.Call, number string) {
	if l.state != fxoIdle {
		l.sig.send(sigCmd{kind: sigReject, call: c, cause: q850.UserBusy})
		return
	}
	if l.port.Dialing == DialPulse {
		if err := pulseDialable(number); err != nil {
			l.e.log.Warn("cannot dial", "line", l.port.ID, "number", number, "err", err)
			l.sig.send(sigCmd{kind: sigReject, call: c, cause: q850.InvalidNumberFormat})
			return
		}
	}
	l.call, l.callState, l.number = c, c.State(), number
	l.seize()
	l.enter(fxoSeizing)
	l.e.log.Info("SIP call to the PSTN", "line", l.port.ID, "number", number)
}

// startDialling sends the number as DTMF, or plans its pulses from the
// frame after the next on (see pulseLead).
func (l *fxoLine) startDialling() {
	if l.port.Dialing == DialPulse {
		l.pulses.start(l.number, l.now+2*hal.FrameDuration)
	} else if err := l.keys.Queue(l.number); err != nil {
		l.cannotDial(err, q850.InvalidNumberFormat)
		return
	}
	l.enter(fxoDialling)
}

// cannotDial refuses the SIP call for the PSTN with cause and releases the
// line.
func (l *fxoLine) cannotDial(err error, cause q850.Cause) {
	l.e.log.Warn("cannot dial", "line", l.port.ID, "number", l.number, "err", err)
	l.sig.send(sigCmd{kind: sigReject, call: l.call, cause: cause})
	l.release()
}

// dialled reports whether the whole number has gone to the line.
func (l *fxoLine) dialled() bool {
	if l.port.Dialing == DialPulse {
		return l.pulses.done(l.now)
	}
	return !l.keys.Busy()
}

// answered connects the SIP caller to the answered line.
func (l *fxoLine) answered() {
	l.polarity = l.port.FXO.Polarity()
	l.sig.send(sigCmd{kind: sigAnswer, call: l.call})
	l.enter(fxoTalking)
	l.e.log.Info("PSTN call answered", "line", l.port.ID)
}

// farHangup ends the call because the PSTN side hung up.
func (l *fxoLine) farHangup(why string) {
	l.e.log.Info("PSTN far end hung up", "line", l.port.ID, "sign", why)
	if l.call != nil {
		l.sig.send(sigCmd{kind: sigHangup, call: l.call, cause: q850.NormalClearing})
	}
	l.release()
}

func (l *fxoLine) supervise() {
	if c := l.call; c != nil {
		select {
		case <-c.Done():
			l.e.log.Info("call ended", "line", l.port.ID, "state", l.state.String(), "cause", int(c.Cause()))
			if l.state == fxoRinging || l.state == fxoCalling && !l.seized {
				// The SIP side refused; the PSTN caller rings on until
				// giving up, as with nobody home. The line is no longer
				// alerting anyone.
				l.call = nil
				l.enter(fxoRinging)
			} else {
				l.release()
			}
		default:
			if st := c.State(); st != l.callState {
				l.callState = st
				l.progress(st)
			}
		}
	}
	elapsed := l.now - l.since
	switch l.state {
	case fxoRinging:
		if l.ringEnd != 0 && l.now-l.ringEnd >= cidWaitAfterEnd {
			l.answerPSTN()
		}
	case fxoSeizing:
		if elapsed >= dialToneWait {
			l.e.log.Info("no dial tone: dialling anyway", "line", l.port.ID)
			l.startDialling()
		}
	case fxoDialling:
		if l.dialled() {
			l.attach(l.call)
			l.sig.send(sigCmd{kind: sigProgress, call: l.call})
			l.enter(fxoProgress)
			if l.port.Answer == AnswerImmediate {
				l.answered()
			}
		}
	case fxoCollect:
		switch {
		case l.digits == "" && elapsed >= l.port.Digits.first():
			l.farHangup("no number dialled")
		case l.digits != "" && elapsed >= l.port.Digits.after(l.plan(), l.digits):
			l.decide(true)
		}
	case fxoReleasing:
		if elapsed >= releaseGuard {
			l.enter(fxoIdle)
		}
	}
	if l.seized && l.loopDrop >= 0 && l.port.Disconnect.LoopDrop && l.now-l.loopDrop >= loopDropMin {
		l.farHangup("loop current drop")
	}
}

// progress follows a SIP call placed for a PSTN caller.
func (l *fxoLine) progress(st sipua.CallState) {
	if l.state != fxoCalling {
		return
	}
	switch st {
	case sipua.CallRinging:
		if l.seized {
			l.setTone(tone.Ringback)
		}
	case sipua.CallEarlyMedia:
		if l.seized {
			l.ringbackUntilAudio()
		}
	case sipua.CallActive:
		if !l.seized {
			l.seize() // one-stage: answer the PSTN call now
		}
		l.stopTone()
		l.attach(l.call)
		l.enter(fxoTalking)
		l.e.log.Info("SIP side answered", "line", l.port.ID)
	}
}
