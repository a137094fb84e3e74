package telephony

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"tipring/sipua"
	"tipring/sipua/q850"
	"tipring/telephony/numbering"
)

// Dialer places calls; *sipua.UA is one. Addr is where it takes calls,
// which is where the gateway's lines call each other.
type Dialer interface {
	Dial(account, number string, from sipua.Party) (*sipua.Call, error)
	Addr(transport string) (netip.AddrPort, bool)
}

// sigKind is an action a line asks of the SIP side.
type sigKind uint8

const (
	sigDial sigKind = iota + 1
	sigRinging
	sigProgress
	sigAnswer
	sigReject
	sigHangup
	sigHold
	sigResume
	sigTransfer
)

var sigNames = [...]string{"", "dial", "ringing", "progress", "answer", "reject", "hang up", "hold", "resume", "transfer"}

// sigCmd is one action for the SIP side. The frame loop must never block,
// and sipua's calls may (a BYE waits for its answer), so a goroutine per
// line carries the commands out in order.
type sigCmd struct {
	kind   sigKind
	call   *sipua.Call // the call acted on; nil for sigDial
	other  *sipua.Call // sigTransfer: the call whose party takes call over; nil: number does
	number string      // sigDial, sigTransfer: whom to call
	from   sipua.Party // sigDial: who calls
	seq    uint32      // sigDial: echoed in the result, so a stale one is known
	cause  q850.Cause  // sigReject, sigHangup
}

// sigEvent is news from the SIP side for a line's frame loop: a call
// placed, or offered, or back from a failed transfer.
type sigEvent struct {
	call    *sipua.Call
	err     error
	seq     uint32 // of the sigDial answered; 0 for an offered call
	offered bool
	recall  bool
	number  string // of an offered call: the number it was routed by
}

// signaller runs one line's SIP actions.
type signaller struct {
	line    int
	account string
	sip     Dialer
	numbers *numbering.Plan
	local   map[string]bool // the numbers of the gateway's FXS lines, called directly
	log     *slog.Logger
	cmds    chan sigCmd
	events  chan sigEvent
	hangups sync.WaitGroup
}

// queue sizes: a call's life is a handful of commands, so these only fill
// when the SIP side is stuck.
const (
	sigQueue   = 16
	eventQueue = 8
)

func newSignaller(line int, account string, sip Dialer, numbers *numbering.Plan, local map[string]bool, log *slog.Logger) *signaller {
	return &signaller{line: line, account: account, sip: sip, numbers: numbers, local: local, log: log,
		cmds: make(chan sigCmd, sigQueue), events: make(chan sigEvent, eventQueue)}
}

// send queues c without blocking. A full queue means the SIP side is stuck;
// the command then waits on a goroutine of its own rather than be lost.
func (s *signaller) send(c sigCmd) {
	select {
	case s.cmds <- c:
	default:
		s.log.Warn("SIP command queue full", "line", s.line, "command", sigNames[c.kind])
		go func() { s.cmds <- c }()
	}
}

// next returns the next event for the line, if any, without blocking.
func (s *signaller) next() (sigEvent, bool) {
	select {
	case ev := <-s.events:
		return ev, true
	default:
		return sigEvent{}, false
	}
}

// offer hands an incoming call for number to the line; false if its queue
// is full.
func (s *signaller) offer(c *sipua.Call, number string) bool {
	select {
	case s.events <- sigEvent{call: c, offered: true, number: number}:
		return true
	default:
		return false
	}
}

// hangupTimeout bounds a BYE or CANCEL: sipgo's transaction timeout, 64*T1.
const hangupTimeout = 32 * time.Second

// run carries out commands until ctx is done, then waits for the hang-ups
// under way.
func (s *signaller) run(ctx context.Context) {
	defer s.hangups.Wait()
	for {
		select {
		case <-ctx.Done():
			return
		case c := <-s.cmds:
			s.do(ctx, c)
		}
	}
}

func (s *signaller) do(ctx context.Context, c sigCmd) {
	var err error
	switch c.kind {
	case sigDial:
		var call *sipua.Call
		number, err := s.outbound(c.number)
		switch {
		case s.sip == nil:
			err = errNoSIP
		case s.local[c.number]:
			call, err = s.dialLocal(c.number, c.from)
		case err != nil:
		default:
			call, err = s.sip.Dial(s.account, number, c.from)
		}
		select {
		case s.events <- sigEvent{call: call, err: err, seq: c.seq}:
		case <-ctx.Done():
			if call != nil {
				call.Hangup(context.Background(), q850.NormalClearing)
			}
		}
		return
	case sigRinging:
		err = c.call.Ringing()
	case sigProgress:
		err = c.call.Progress()
	case sigAnswer:
		err = c.call.Answer()
	case sigReject:
		err = c.call.Reject(c.cause)
	case sigHangup:
		// A BYE may take seconds; later commands need not wait for it.
		// When the engine stops, the UA ends the calls still up itself.
		s.hangups.Go(func() {
			hctx, cancel := context.WithTimeout(ctx, hangupTimeout)
			defer cancel()
			if err := c.call.Hangup(hctx, c.cause); err != nil {
				s.log.Debug("hang-up", "line", s.line, "err", err)
			}
		})
	case sigTransfer:
		s.hangups.Go(func() { s.transfer(ctx, c) })
	case sigHold, sigResume:
		hctx, cancel := context.WithTimeout(ctx, hangupTimeout)
		defer cancel()
		if c.kind == sigHold {
			err = c.call.Hold(hctx)
		} else {
			err = c.call.Resume(hctx)
		}
	}
	if err != nil {
		s.log.Info("SIP action failed", "line", s.line, "action", sigNames[c.kind], "err", err)
	}
}

// dialLocal calls number, one of the gateway's own lines, at the
// gateway's own SIP address, with no account: the call needs no server.
func (s *signaller) dialLocal(number string, from sipua.Party) (*sipua.Call, error) {
	for _, tr := range []string{"udp", "tcp"} {
		a, ok := s.sip.Addr(tr)
		if !ok {
			continue
		}
		ip := a.Addr()
		if ip.IsUnspecified() { // listening everywhere: loopback too
			ip = netip.IPv6Loopback()
			if a.Addr().Is4() {
				ip = netip.AddrFrom4([4]byte{127, 0, 0, 1})
			}
		}
		uri := "sip:" + number + "@" + netip.AddrPortFrom(ip, a.Port()).String()
		if tr == "tcp" {
			uri += ";transport=tcp"
		}
		s.log.Info("local call", "line", s.line, "to", number)
		return s.sip.Dial("", uri, from)
	}
	return nil, errors.New("telephony: a call between lines needs a UDP or TCP listener")
}

// outbound is number as it goes out: rewritten by the numbering plan.
func (s *signaller) outbound(number string) (string, error) {
	if s.numbers == nil {
		return number, nil
	}
	out, err := s.numbers.Outbound(number)
	if err == nil && out != number {
		s.log.Info("number rewritten", "line", s.line, "dialled", number, "to", out)
	}
	return out, err
}

// transferTimeout bounds a transfer: the target has that long to answer.
const transferTimeout = 60 * time.Second

// transfer hands c.call's party to c.other's, or to c.number. If that
// fails, the call comes back to the line to ring the phone (and c.other,
// whose party was to take it, is hung up).
func (s *signaller) transfer(ctx context.Context, c sigCmd) {
	tctx, cancel := context.WithTimeout(ctx, transferTimeout)
	defer cancel()
	var err error
	if c.other != nil {
		err = c.call.TransferTo(tctx, c.other)
	} else {
		var number string
		if number, err = s.outbound(c.number); err == nil {
			err = c.call.Transfer(tctx, number)
		}
	}
	if err == nil {
		s.log.Info("call transferred", "line", s.line)
		return
	}
	s.log.Info("transfer failed", "line", s.line, "err", err)
	hctx, cancel := context.WithTimeout(ctx, hangupTimeout)
	defer cancel()
	if c.other != nil {
		c.other.Hangup(hctx, q850.NormalClearing)
	}
	select {
	case s.events <- sigEvent{call: c.call, recall: true}:
	default:
		c.call.Hangup(hctx, q850.NormalClearing)
	}
}
