package telephony

import (
	"sync/atomic"
	"time"

	"tipring/dsp/callerid"
	"tipring/dsp/tone"
	"tipring/hal"
	"tipring/sipua"
)

// Message waiting on an FXS line (Port.MWI): while its account's mailbox
// holds messages, the phone hears stutter dial tone when it goes off hook,
// and, with FSK caller ID, a VMWI message sets the phone's lamp whenever
// the mailbox's state changes. The message goes out on hook and without
// ringing, once the line has been idle for mwiSettle; a line in use gets
// it when it is idle again, and one that comes into use while it goes out
// gets it again after.

// Lamp states of a line's mailbox.
const (
	lampUnknown int32 = iota // nothing heard of the mailbox yet
	lampOff
	lampOn
)

// mwiSettle is how long a line stays idle before a VMWI message goes out:
// a phone just hung up, or a caller hanging on, is left alone first.
const mwiSettle = 2 * time.Second

// mwi is an FXS line's message-waiting indication.
type mwi struct {
	want    atomic.Int32 // what the mailbox says: lampUnknown, lampOff or lampOn
	shown   int32        // what the phone's lamp was last told
	sending int32        // what the VMWI message going out says; lampUnknown if none goes out
	out     ringer       // runs the VMWI message's plan
	plans   [lampOn + 1]callerid.Plan
}

// MessageWaiting sets the message-waiting indication of the FXS lines
// that take account's calls and have Port.MWI set: stutter dial tone, and
// the lamp. It may be called from any goroutine; sipua's
// Config.MessageWaiting has its signature.
func (e *Engine) MessageWaiting(account string, s sipua.MessageSummary) {
	want := lampOff
	if s.Waiting {
		want = lampOn
	}
	for i, p := range e.ports {
		if p.FXS == nil || !p.MWI || p.Account != account {
			continue
		}
		if e.lines[i].(*fxsLine).mwi.want.Swap(want) != want {
			e.log.Info("message waiting", "line", p.ID, "account", account, "waiting", s.Waiting, "new", s.New)
		}
	}
}

// dialTone is the tone the phone hears off hook: stutter dial tone while
// messages wait.
func (l *fxsLine) dialTone() tone.Kind {
	if l.mwi.want.Load() == lampOn {
		return tone.StutterDial
	}
	return tone.Dial
}

// sendMWI runs the line's VMWI message for the frame starting at now: it
// starts one when the idle phone's lamp is not what the mailbox says, and
// stops one that the line's use cuts short. It reports whether one goes
// out in this frame; the line's audio, tx, is then the message's.
func (l *fxsLine) sendMWI(now time.Duration, tx *hal.Frame) bool {
	m := &l.mwi
	if l.state != fxsIdle || l.offHook {
		if m.sending != lampUnknown {
			m.sending = lampUnknown
			l.setFeed(false) // the message may have left the line reversed, and in on-hook transmission
		}
		return false
	}
	if m.sending == lampUnknown {
		want := m.want.Load()
		if want == lampUnknown || want == m.shown || now-l.since < mwiSettle {
			return false
		}
		plan := l.vmwiPlan(want)
		if plan == nil {
			m.shown = want // the lamp cannot be set; stutter dial tone still tells
			return false
		}
		m.sending = want
		m.out = ringer{plan: plan, cadence: l.e.cadence}
	}
	*tx = hal.Frame{}
	m.out.frame(l.port.FXS, now, tx)
	if m.out.step == len(m.out.plan) { // the message's last samples are in tx
		m.shown, m.sending = m.sending, lampUnknown
		l.setFeed(false)
	}
	return true
}

// vmwiPlan returns the plan that sets the lamp to state, made once per
// state; nil when the line's caller ID cannot carry it (DTMF, or none).
func (l *fxsLine) vmwiPlan(state int32) callerid.Plan {
	m := &l.mwi
	if m.plans[state] != nil {
		return m.plans[state]
	}
	std := l.port.CallerID.Standard
	if std != callerid.Bell202 && std != callerid.V23 {
		return nil
	}
	msg := callerid.Message{VMWI: callerid.VMWIOff}
	if state == lampOn {
		msg.VMWI = callerid.VMWIOn
	}
	g := callerid.Generator{Standard: std}
	var err error
	switch alert := l.port.CallerID.Alerting; {
	case alert != callerid.AfterFirstRing:
		m.plans[state], err = g.Plan(alert, msg)
	case std == callerid.V23:
		// No ringing to send it after: EN 300 659-1's alert for data
		// without ringing, the DT-AS tone.
		m.plans[state], err = g.Plan(callerid.DTAS, msg)
	default:
		// Bell 202 phones watch the idle line for the channel seizure
		// that starts the message.
		var data []int16
		if data, err = g.Encode(msg); err == nil {
			d := time.Duration(len(data)) * time.Second / callerid.SampleRate
			m.plans[state] = callerid.Plan{{Kind: callerid.StepAudio, Duration: d, Audio: data}}
		}
	}
	if err != nil {
		l.e.log.Warn("message-waiting lamp not set", "line", l.port.ID, "err", err)
		m.plans[state] = nil
	}
	return m.plans[state]
}
