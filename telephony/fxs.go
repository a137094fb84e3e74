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
	"tipring/telephony/hookswitch"
)

// fxsState is what a phone's line is doing.
type fxsState uint8

const (
	fxsIdle     fxsState = iota // on hook, nothing going on
	fxsDialTone                 // off hook, waiting for the first digit
	fxsDigits                   // collecting digits against the dial plan
	fxsCalling                  // the call is placed: silence, ringback or early media
	fxsTalking                  // answered
	fxsRinging                  // an incoming call rings the phone
	fxsCleared                  // the call is over, the phone still off hook
)

var fxsStateNames = [...]string{"idle", "dial-tone", "dialling", "calling", "talking", "ringing", "cleared"}

func (s fxsState) String() string { return fxsStateNames[s] }

// Timing of the FXS line's dialling and clearing. AudioCodes and Cisco SPA
// boxes use much the same figures.
const (
	clearedTone    = 30 * time.Second // busy or reorder after a call ends
	clearedSilence = 30 * time.Second // then silence, then the howler
	waitingTimeout = 30 * time.Second // a waiting call not taken is refused, 480
)

// defaultDialPlan takes any number, sent after the critical timeout or
// at once with # (which is not sent).
var defaultDialPlan = mustParse("x.T|*x.T")

func mustParse(s string) *digitmap.Map {
	m, err := digitmap.Parse(s)
	if err != nil {
		panic(err)
	}
	return m
}

// fxsLine is the state machine of a phone's line.
//
// With call waiting (Port.CallWaiting), a call for a line talking in one
// call is not refused: the far end hears ringing (180) and the phone the
// country's call-waiting tone, mixed into the call's audio, then, with FSK
// caller ID, the waiting caller's ID (type II: a CAS alert the phone
// acknowledges with a digit, then FSK; cwcid.go). A call waiting is
//   - taken by a hook flash: the call in hand goes on hold and the waiting
//     one is answered; each flash after that swaps the two, holding the
//     call in hand and resuming the other;
//   - refused 480 (no answer) after 30 s, and forgotten, tone and all, if
//     its caller gives up first;
//   - the last one: a third call for the line is refused busy (486).
//
// Hanging up with another call left, held or waiting, ends the call in
// hand and rings the phone for the other, with caller ID for a waiting
// one; taking the phone off hook resumes or answers it. When the far end
// of the call in hand hangs up, the line clears as usual (reorder tone) and
// the other call stays: a flash takes it, hanging up rings for it.
type fxsLine struct {
	e    *Engine
	port *Port
	sig  *signaller
	hook *hookswitch.Decoder
	media

	offHook bool // as the decoder judged: a flash or dial pulse is no hang-up
	state   fxsState
	since   time.Duration // when state began
	now     time.Duration
	digits  string
	lastKey time.Duration // when the last digit came
	keyWait time.Duration // how long after it to wait for the next

	call      *sipua.Call
	callState sipua.CallState
	dialSeq   uint32
	answered  bool // the call in hand was answered
	held      bool // we put the call on hold by a flash
	ring      *ringer
	reversed  bool // the linefeed is reversed for answer supervision

	// The line's second call, while talking or cleared: at most one of
	// waiting, offered and not answered yet, and onHold, the call not in
	// hand of two answered ones.
	waiting   *sipua.Call
	waitSince time.Duration
	onHold    *sipua.Call

	// A consultation (consult.go): onHold was held by a flash for a call
	// the phone dials, to the number dialled; joined is the call mixed in
	// with the call in hand in a three-way conference, through leg.
	consult bool
	dialled string
	joined  *sipua.Call
	leg     leg

	mwi mwi   // the mailbox's state and the lamp's (mwi.go)
	cw  cidcw // caller ID of the waiting call (cwcid.go)
}

func newFXSLine(e *Engine, p *Port, sig *signaller) *fxsLine {
	l := &fxsLine{e: e, port: p, sig: sig, media: newMedia(e.tones, p.Voice), offHook: p.FXS.Hook() == hal.OffHook}
	var err error
	if l.hook, err = hookswitch.New(hookswitch.DefaultTiming, p.FXS.Hook()); err != nil {
		panic(err) // the default timing is valid
	}
	if l.offHook {
		l.enter(fxsCleared) // off hook at start: the phone was left off hook
	}
	return l
}

func (l *fxsLine) event(ev hal.Event) { l.hook.Event(ev) }

func (l *fxsLine) status() string {
	if l.joined != nil {
		return "conference"
	}
	return l.state.String()
}

func (l *fxsLine) busy() bool { return l.state != fxsIdle }

func (l *fxsLine) current() *sipua.Call { return l.call }

// second returns the line's other call, and whether the line holds it.
func (l *fxsLine) second() (c *sipua.Call, held bool) {
	switch {
	case l.onHold != nil:
		return l.onHold, true
	case l.waiting != nil:
		return l.waiting, false
	}
	return l.joined, false
}

func (l *fxsLine) enter(s fxsState) {
	l.state, l.since = s, l.now
	l.e.setBusy(l.port.ID, s != fxsIdle)
	l.e.setAlerting(l.port.ID, s == fxsCalling || s == fxsRinging)
}

// frame runs the line for one frame: what the port reported, what the SIP
// side said, the timers, then the audio both ways.
func (l *fxsLine) frame(now time.Duration, rx, tx *hal.Frame) {
	l.now = now
	l.hook.Tick(now)
	for {
		a, ok := l.hook.Next()
		if !ok {
			break
		}
		l.hookAction(a)
	}
	for {
		ev, ok := l.sig.next()
		if !ok {
			break
		}
		l.sipEvent(ev)
	}
	l.supervise()
	l.e.setWaits(l.port.ID, l.takesWaiting())

	if l.sendMWI(now, tx) {
		return
	}
	if l.state == fxsRinging {
		*tx = hal.Frame{}
		l.ring.frame(l.port.FXS, now, tx)
		if l.call.EarlyMedia() && !l.held {
			l.toNet(l.call, tone.Ringback) // the 183 promised it
		}
		return
	}
	if l.joined != nil {
		l.leg.receive()
	}
	if l.offHook {
		rx = l.fromLine(l.listenCW(rx))
		for i := range l.nheard {
			if ev := l.heard[i]; ev.Kind == dtmf.DigitStart {
				l.digit(ev.Digit)
			}
		}
	}
	l.toLine(tx)
	if l.joined != nil {
		l.leg.send(rx, &l.net)
		addFrame(tx, &l.leg.pcm)
	}
	l.sendCW(now, tx)
	l.sentToLine(tx)
}

func (l *fxsLine) hookAction(a hookswitch.Action) {
	switch a.Kind {
	case hookswitch.OffHook:
		l.offHook = true
		switch l.state {
		case fxsIdle:
			l.pickUp()
		case fxsRinging:
			l.answer()
		}
	case hookswitch.HangUp:
		l.offHook = false
		l.hangUp()
	case hookswitch.Flash:
		l.flash()
	case hookswitch.Digit:
		l.digit(a.Digit)
	}
}

// pickUp gives dial tone, or calls the hotline.
func (l *fxsLine) pickUp() {
	l.enter(fxsDialTone)
	l.digits = ""
	if l.port.Hotline != "" && l.port.HotlineDelay == 0 {
		l.dial(l.port.Hotline)
		return
	}
	l.setTone(l.dialTone())
}

// hangUp ends whatever the line was doing, and rings the phone for the
// line's other call if there is one.
func (l *fxsLine) hangUp() {
	if l.transferOnHangUp() {
		return
	}
	if l.joined != nil {
		l.sig.send(sigCmd{kind: sigHangup, call: l.joined, cause: q850.NormalClearing})
	}
	if l.call != nil {
		l.sig.send(sigCmd{kind: sigHangup, call: l.call, cause: q850.NormalClearing})
		l.e.log.Info("phone hung up", "line", l.port.ID, "state", l.state.String())
	}
	waiting, onHold := l.waiting, l.onHold
	l.drop()
	switch {
	case waiting != nil:
		l.ringFor(waiting, l.e.callerIDPlan(l.port, waiting))
	case onHold != nil:
		l.ringFor(onHold, callerid.Plan{{Kind: callerid.StepRinging}})
		l.answered, l.held = true, true // answering it resumes it
	default:
		l.enter(fxsIdle)
	}
}

// release returns the line to idle, forgetting the call.
func (l *fxsLine) release() {
	l.drop()
	l.enter(fxsIdle)
}

// drop forgets the line's calls, and what it played and dialled.
func (l *fxsLine) drop() {
	l.detach()
	l.stopTone()
	l.call, l.answered, l.held, l.ring = nil, false, false, nil
	l.waiting, l.onHold = nil, nil
	l.consult = false
	l.splitConference()
	l.digits = ""
	l.dialSeq++ // a dial still under way is stale now
	l.setFeed(false)
}

// setFeed drives the line in forward or reversed polarity.
func (l *fxsLine) setFeed(reversed bool) {
	l.reversed = reversed
	feed := hal.LinefeedForward
	if reversed {
		feed = hal.LinefeedReverse
	}
	if l.port.FXS.Linefeed() != feed {
		l.port.FXS.SetLinefeed(feed)
	}
}

// flash acts on the line's calls: it leaves a conference, goes on with a
// consultation, takes the line's other call, or holds the call in hand
// for a consultation.
func (l *fxsLine) flash() {
	switch {
	case l.joined != nil:
		l.leaveConference(true)
	case l.consulting():
		l.flashConsult()
	case l.waiting != nil || l.onHold != nil:
		l.swap()
	case l.state == fxsTalking && l.call != nil:
		l.startConsult()
	}
}

// swap holds the call in hand, if any, and carries the other: it answers a
// waiting call, resumes a held one.
func (l *fxsLine) swap() {
	next := l.onHold
	l.onHold = nil
	if l.call != nil {
		l.sig.send(sigCmd{kind: sigHold, call: l.call})
		l.onHold = l.call
	}
	l.detach()
	l.stopTone()
	if next != nil {
		l.sig.send(sigCmd{kind: sigResume, call: next})
	} else {
		next, l.waiting = l.waiting, nil
		l.sig.send(sigCmd{kind: sigAnswer, call: next})
	}
	l.call, l.callState, l.answered, l.held = next, next.State(), true, false
	l.attach(next)
	l.enter(fxsTalking)
	l.e.log.Info("hook flash: calls swapped", "line", l.port.ID, "held", l.onHold != nil)
}

// digit takes a dialled digit, DTMF or pulses.
func (l *fxsLine) digit(d byte) {
	switch l.state {
	case fxsDialTone:
		l.stopTone()
		l.enter(fxsDigits)
	case fxsDigits:
	default:
		return
	}
	l.lastKey = l.now
	plan := l.port.DialPlan
	if plan == nil {
		plan = defaultDialPlan
	}
	if d == '#' && l.digits != "" && plan.Match(l.digits+"#", false) == digitmap.NoMatch {
		l.dial(l.digits) // # sends the number dialled so far
		return
	}
	l.digits += string(d)
	l.keyWait = l.port.Digits.after(plan, l.digits)
	l.decide(plan, false)
}

// decide dials when the digits complete a number of the dial plan, gives
// reorder when they cannot, or waits for more.
func (l *fxsLine) decide(plan *digitmap.Map, timedOut bool) {
	switch plan.Match(l.digits, timedOut) {
	case digitmap.Complete:
		l.dial(l.digits)
	case digitmap.Ambiguous:
		if timedOut {
			l.dial(l.digits)
		}
	case digitmap.NoMatch:
		l.e.log.Info("number not in the dial plan", "line", l.port.ID, "digits", l.digits)
		l.clear(tone.Congestion)
	case digitmap.Partial:
		if timedOut {
			l.e.log.Info("number incomplete", "line", l.port.ID, "digits", l.digits)
			l.clear(tone.Congestion)
		}
	}
}

// dial places the call.
func (l *fxsLine) dial(number string) {
	l.stopTone()
	l.enter(fxsCalling)
	l.dialSeq++
	l.dialled = number
	l.e.log.Info("dialling", "line", l.port.ID, "number", number)
	l.sig.send(sigCmd{kind: sigDial, number: number, seq: l.dialSeq,
		from: sipua.Party{Number: l.port.Number, Name: l.port.Name, Private: l.port.Anonymous}})
}

// clear ends the call attempt for a phone still off hook: tone k, then
// silence, then the howler.
func (l *fxsLine) clear(k tone.Kind) {
	l.detach()
	l.call, l.answered, l.held = nil, false, false
	if l.reversed {
		l.setFeed(false) // disconnect supervision: polarity back to normal
	}
	l.setTone(k)
	l.enter(fxsCleared)
}

func (l *fxsLine) sipEvent(ev sigEvent) {
	switch {
	case ev.offered:
		l.offered(ev.call)
	case ev.recall:
		l.recall(ev.call)
	case ev.seq != l.dialSeq || l.state != fxsCalling || l.call != nil:
		if ev.call != nil { // the phone hung up while the call was placed
			l.sig.send(sigCmd{kind: sigHangup, call: ev.call, cause: q850.NormalClearing})
		}
	case ev.err != nil:
		l.e.log.Warn("call not placed", "line", l.port.ID, "err", ev.err)
		l.clear(tone.Congestion)
	default:
		// From the state Dial leaves a call in: a far end quick to ring
		// or answer has moved it on already, and supervise must see that.
		l.call, l.callState = ev.call, sipua.CallDialing
		l.attach(ev.call)
	}
}

// offered rings the phone for an incoming call, has it wait, or refuses it
// as busy.
func (l *fxsLine) offered(c *sipua.Call) {
	switch {
	case l.state == fxsIdle && !l.offHook:
		l.ringFor(c, l.e.callerIDPlan(l.port, c))
	case l.takesWaiting():
		l.waiting, l.waitSince = c, l.now
		l.setTone(tone.CallWaiting)
		l.e.log.Info("call waiting", "line", l.port.ID, "from", c.From.Number)
	default:
		l.sig.send(sigCmd{kind: sigReject, call: c, cause: q850.UserBusy})
		return
	}
	l.sig.send(sigCmd{kind: sigRinging, call: c})
}

// takesWaiting reports whether a call for the line would wait: it talks
// in one call, not on hold.
func (l *fxsLine) takesWaiting() bool {
	return l.port.CallWaiting && l.state == fxsTalking && l.call != nil && !l.held &&
		l.waiting == nil && l.onHold == nil && l.joined == nil
}

// ringFor rings the phone for call c by plan.
func (l *fxsLine) ringFor(c *sipua.Call, plan callerid.Plan) {
	l.call, l.callState = c, c.State()
	l.ring = newRinger(plan, l.e.cadence)
	l.enter(fxsRinging)
}

// answer takes the ringing call: answers it, or resumes it if it was held.
func (l *fxsLine) answer() {
	l.ring = nil
	l.setFeed(false)
	if l.held {
		l.sig.send(sigCmd{kind: sigResume, call: l.call})
	} else {
		l.sig.send(sigCmd{kind: sigAnswer, call: l.call})
	}
	l.attach(l.call)
	l.answered, l.held = true, false
	l.enter(fxsTalking)
}

// supervise follows the call and the timers.
func (l *fxsLine) supervise() {
	if c := l.call; c != nil {
		select {
		case <-c.Done():
			switch next := c.Successor(); {
			case next != nil:
				l.call, l.callState = next, next.State()
				l.attach(next)
				l.e.log.Info("call transferred", "line", l.port.ID, "to", next.To.Number)
			case l.joined != nil:
				l.leaveConference(false)
			default:
				l.ended(c.Cause())
			}
		default:
			if st := c.State(); st != l.callState {
				l.callState = st
				l.progress(st)
			}
		}
	}
	l.superviseOther()
	l.superviseJoined()
	elapsed := l.now - l.since
	switch l.state {
	case fxsDialTone:
		if l.port.Hotline != "" && !l.consult && elapsed >= l.port.HotlineDelay {
			l.dial(l.port.Hotline) // warm line
		} else if elapsed >= l.port.Digits.first() {
			l.clear(tone.Congestion)
		}
	case fxsDigits:
		if l.now-l.lastKey >= l.keyWait {
			plan := l.port.DialPlan
			if plan == nil {
				plan = defaultDialPlan
			}
			l.decide(plan, true)
		}
	case fxsCleared:
		switch {
		case elapsed >= clearedTone+clearedSilence:
			if l.port.Howler {
				l.setHowler()
			}
		case elapsed >= clearedTone:
			l.stopTone()
		}
	}
}

// superviseOther follows the line's second call: a waiting call whose
// caller gives up, or that waits too long, is forgotten and its tone
// stopped; a held call may end or be transferred.
func (l *fxsLine) superviseOther() {
	if c := l.waiting; c != nil {
		select {
		case <-c.Done():
			l.e.log.Info("waiting call ended", "line", l.port.ID, "cause", int(c.Cause()))
			l.forgetWaiting()
		default:
			if l.now-l.waitSince >= waitingTimeout {
				l.e.log.Info("waiting call not taken", "line", l.port.ID)
				l.sig.send(sigCmd{kind: sigReject, call: c, cause: q850.NoAnswer})
				l.forgetWaiting()
			}
		}
	}
	if c := l.onHold; c != nil {
		select {
		case <-c.Done():
			l.onHold = c.Successor()
			l.e.log.Info("held call ended", "line", l.port.ID, "transferred", l.onHold != nil)
		default:
		}
	}
}

// forgetWaiting drops the waiting call and stops its tone; a cleared
// line's tone stays.
func (l *fxsLine) forgetWaiting() {
	l.waiting = nil
	if l.state == fxsTalking {
		l.stopTone()
	}
}

// progress follows an outgoing call: ringback tone while the far end rings,
// its own audio once it sends early media or answers.
func (l *fxsLine) progress(st sipua.CallState) {
	if l.state != fxsCalling {
		return
	}
	switch st {
	case sipua.CallRinging:
		l.setTone(tone.Ringback)
	case sipua.CallEarlyMedia:
		l.ringbackUntilAudio()
	case sipua.CallActive:
		l.stopTone()
		l.answered = true
		if l.port.Reversal {
			l.setFeed(true) // answer supervision
		}
		l.enter(fxsTalking)
	}
}

// ended handles the end of the call in hand.
func (l *fxsLine) ended(cause q850.Cause) {
	l.e.log.Info("call ended", "line", l.port.ID, "state", l.state.String(), "cause", int(cause))
	if l.state == fxsRinging || !l.offHook {
		l.release()
		return
	}
	if cause == q850.UserBusy && !l.answered {
		l.clear(tone.Busy)
		return
	}
	l.clear(tone.Congestion)
}

// callerIDPlan is how the line rings for call c: caller ID in the line's
// standard, then ringing.
func (e *Engine) callerIDPlan(p *Port, c *sipua.Call) callerid.Plan {
	ringing := callerid.Plan{{Kind: callerid.StepRinging}}
	if p.CallerID.Standard == 0 {
		return ringing
	}
	plan, err := callerid.Generator{Standard: p.CallerID.Standard}.Plan(p.CallerID.Alerting, e.callerIDMessage(p, c))
	if err != nil {
		e.log.Warn("caller ID not sent", "line", p.ID, "from", c.From.Number, "err", err)
		return ringing
	}
	return plan
}

// callerIDMessage is the caller ID of call c in the line's standard.
func (e *Engine) callerIDMessage(p *Port, c *sipua.Call) callerid.Message {
	m := callerid.Message{Number: c.From.Number, Name: c.From.Name}
	now := time.Now().In(e.loc)
	m.Time = callerid.Time{Month: int(now.Month()), Day: now.Day(), Hour: now.Hour(), Minute: now.Minute()}
	switch {
	case c.From.Private:
		m.Number, m.Name = "", ""
		m.NumberReason, m.NameReason = callerid.ReasonPrivate, callerid.ReasonPrivate
	case m.Number == "":
		m.NumberReason = callerid.ReasonOutOfArea
	}
	if m.Name == "" && m.NameReason == 0 {
		m.NameReason = callerid.ReasonOutOfArea
	}
	if p.CallerID.Standard != callerid.Bell202 && p.CallerID.Standard != callerid.V23 {
		m.Name, m.NameReason, m.Time = "", 0, callerid.Time{} // DTMF carries the number only
	}
	return m
}
