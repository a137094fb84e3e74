package rtpstream

import (
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pion/rtp"

	"tipring/dsp/jitter"
)

// FrameSize is the length of one 20 ms G.711 frame in bytes, and how far
// the RTP timestamp advances per frame at 8000 Hz.
const FrameSize = 160

// clockRate is the RTP clock of G.711, comfort noise and telephone-event.
const clockRate = 8000

// Queue lengths. The send queue, in frames, covers the writer goroutine
// being late; received audio waits in the jitter buffer instead.
const (
	sendQueue  = 8
	digitQueue = 16
)

// comfortNoiseType is the static payload type of RFC 3389 comfort noise at
// 8000 Hz (RFC 3551 table 4).
const comfortNoiseType = 13

// defaultRTCPInterval is RFC 3550 section 6.2's minimum report interval.
const defaultRTCPInterval = 5 * time.Second

// Errors from StartDigit.
var (
	ErrNotDigit         = errors.New("rtpstream: not a DTMF digit")
	ErrNoTelephoneEvent = errors.New("rtpstream: telephone-event was not negotiated")
)

// Direction is the media direction negotiated in SDP, from this end's
// point of view (RFC 3264 section 5.1): whether we send, receive, both or
// neither.
type Direction uint8

// Directions, named after their SDP attributes.
const (
	SendRecv Direction = iota
	SendOnly
	RecvOnly
	Inactive
)

func (d Direction) String() string {
	switch d {
	case SendRecv:
		return "sendrecv"
	case SendOnly:
		return "sendonly"
	case RecvOnly:
		return "recvonly"
	case Inactive:
		return "inactive"
	}
	return fmt.Sprintf("Direction(%d)", uint8(d))
}

func (d Direction) sends() bool    { return d == SendRecv || d == SendOnly }
func (d Direction) receives() bool { return d == SendRecv || d == RecvOnly }

// Remote is what the negotiated SDP says about the other end of a stream.
type Remote struct {
	// Addr is the remote RTP address (c= and m= lines); RTCP goes to the
	// port above it. An unspecified IP (c=0.0.0.0, the old way of holding
	// a call) means send nothing.
	Addr netip.AddrPort
	// PayloadType is the audio codec's: 0 for PCMU, 8 for PCMA.
	PayloadType uint8
	// EventPayloadType is telephone-event's, or 0 when not negotiated.
	EventPayloadType uint8
	Direction        Direction
	// SRTP keys the stream with SRTP; nil means plain RTP. New keys at a
	// re-INVITE take effect at once, each direction on its own.
	SRTP *SRTP
}

// Options configure a Stream.
type Options struct {
	// Local is the IP address to bind; it may be the unspecified address
	// of its family.
	Local netip.Addr
	// InactivityTimeout is how long the stream may receive no RTP before
	// Timeout reports it; 0 means never.
	InactivityTimeout time.Duration
	// RTCPInterval is the mean time between RTCP reports; 0 means the 5 s
	// of RFC 3550.
	RTCPInterval time.Duration
	// JitterMin and JitterMax bound the delay the jitter buffer adds to
	// received audio (see package dsp/jitter); both zero means
	// jitter.DefaultConfig's.
	JitterMin, JitterMax time.Duration
	// CNAME is the RTCP canonical name; "" means a random one (RFC 7022).
	CNAME string
}

// A Stream is the RTP session of one call's audio: a UDP port pair from a
// PortRange, G.711 frames and DTMF digits out, frames and digits in, RTCP
// reports both ways.
//
// Send, StartDigit and StopDigit belong to the frame loop: they must be
// called from one goroutine. Receive and Digit are meant for the same
// loop. None of the five blocks or allocates. The other methods may be
// called from any goroutine.
type Stream struct {
	ports *PortRange
	port  int
	local netip.AddrPort
	rtp   *net.UDPConn
	rtcp  *net.UDPConn
	opts  Options
	ssrc  uint32
	epoch time.Time // arrival times are counted from here

	// Frame loop side.
	tx           transmitter
	send         atomic.Pointer[sendConfig]
	out          chan datagram
	sendOverflow atomic.Uint64
	digits       chan DigitEvent
	silent       atomic.Bool // comfort noise came after the last audio

	closed     atomic.Bool
	timeout    chan struct{}
	done       chan struct{} // closed by Close
	writerDone chan struct{}
	readers    sync.WaitGroup
	closeOnce  sync.Once

	mu          sync.Mutex // guards everything below
	closing     bool
	remote      Remote
	receiving   bool
	latched     netip.AddrPort // where the remote's RTP comes from; zero until it does
	rtcpLatched netip.AddrPort // where its RTCP comes from
	cand        candidate
	src         source
	rxPacket    rtp.Packet
	reframe     reframer
	playout     *jitter.Buffer // Receive takes from it; receive puts in it
	jitterCfg   jitter.Config
	lastActive  time.Time
	idleTimer   *time.Timer
	idleArmed   bool
	timedOut    bool
	digitTimer  *time.Timer
	digitArmed  bool
	sent        sendCounts
	stats       Stats
	srtp        srtpState
}

// sendConfig is what the frame loop needs of Remote; SetRemote replaces it
// whole, so Send reads it with one atomic load.
type sendConfig struct {
	payloadType      uint8
	eventPayloadType uint8
	send             bool
}

// Open binds a port pair from ports on opts.Local and starts the stream's
// goroutines. The stream sends and accepts nothing until SetRemote.
func Open(ports *PortRange, opts Options) (*Stream, error) {
	if ports == nil {
		return nil, errors.New("rtpstream: no port range")
	}
	if !opts.Local.IsValid() {
		return nil, errors.New("rtpstream: no local address")
	}
	if opts.InactivityTimeout < 0 || opts.RTCPInterval < 0 {
		return nil, errors.New("rtpstream: negative timeout or interval")
	}
	if opts.RTCPInterval == 0 {
		opts.RTCPInterval = defaultRTCPInterval
	}
	opts.Local = opts.Local.Unmap()
	if opts.CNAME == "" {
		opts.CNAME = rand.Text()
	}
	jc := jitter.DefaultConfig
	if opts.JitterMin != 0 || opts.JitterMax != 0 {
		jc.Min, jc.Max = opts.JitterMin, opts.JitterMax
	}
	playout, err := jitter.New(jc)
	if err != nil {
		return nil, fmt.Errorf("rtpstream: %w", err)
	}
	port, rtpConn, rtcpConn, err := bind(ports, opts.Local)
	if err != nil {
		return nil, err
	}
	s := &Stream{
		ports:      ports,
		port:       port,
		local:      netip.AddrPortFrom(opts.Local, uint16(port)),
		rtp:        rtpConn,
		rtcp:       rtcpConn,
		opts:       opts,
		ssrc:       mrand.Uint32(),
		epoch:      time.Now(),
		out:        make(chan datagram, sendQueue),
		digits:     make(chan DigitEvent, digitQueue),
		timeout:    make(chan struct{}),
		done:       make(chan struct{}),
		writerDone: make(chan struct{}),
		playout:    playout,
		jitterCfg:  jc,
	}
	// RFC 3550 5.1: the initial sequence number and timestamp are random.
	s.tx.seq = uint16(mrand.Uint32())
	s.tx.ts = mrand.Uint32()
	s.tx.marker = true
	s.readers.Add(2)
	go s.writeLoop()
	go s.readRTPLoop()
	go s.readRTCPLoop()
	return s, nil
}

// bind listens on the first port pair of ports that is free on the host.
func bind(ports *PortRange, ip netip.Addr) (int, *net.UDPConn, *net.UDPConn, error) {
	network := "udp6"
	if ip.Is4() {
		network = "udp4"
	}
	err := ErrNoPorts
	for range ports.Len() {
		port, aerr := ports.Allocate()
		if aerr != nil {
			return 0, nil, nil, aerr
		}
		rtpConn, rerr := net.ListenUDP(network, net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port))))
		if rerr == nil {
			rtcpConn, cerr := net.ListenUDP(network, net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port+1))))
			if cerr == nil {
				return port, rtpConn, rtcpConn, nil
			}
			rtpConn.Close()
			rerr = cerr
		}
		ports.Release(port)
		if !errors.Is(rerr, syscall.EADDRINUSE) {
			return 0, nil, nil, fmt.Errorf("rtpstream: %w", rerr)
		}
		// Another program has it: try the next pair.
		err = fmt.Errorf("%w (the last one tried is taken: %v)", ErrNoPorts, rerr)
	}
	return 0, nil, nil, err
}

// LocalAddr returns the address RTP is received on, for the SDP; RTCP is
// on the port above. Its IP is Options.Local, which may be unspecified.
func (s *Stream) LocalAddr() netip.AddrPort { return s.local }

// SetRemote sets or changes what the negotiated SDP says of the remote
// end, at call setup and at every re-INVITE. A new address undoes the
// latch: RTP goes to the new address until packets arrive.
func (s *Stream) SetRemote(r Remote) error {
	addr := netip.AddrPortFrom(r.Addr.Addr().Unmap(), r.Addr.Port())
	switch {
	case !addr.IsValid() || addr.Port() == 0:
		return fmt.Errorf("rtpstream: remote address %v has no IP or port", r.Addr)
	case addr.Addr().Is4() != s.local.Addr().Is4():
		return fmt.Errorf("rtpstream: remote %v cannot be reached from local %v", addr, s.local.Addr())
	case r.PayloadType > 127 || r.EventPayloadType > 127:
		return fmt.Errorf("rtpstream: payload types %d and %d: want 0-127", r.PayloadType, r.EventPayloadType)
	case r.PayloadType == comfortNoiseType || r.EventPayloadType == comfortNoiseType:
		return fmt.Errorf("rtpstream: payload type %d is comfort noise", comfortNoiseType)
	case r.EventPayloadType != 0 && r.EventPayloadType == r.PayloadType:
		return fmt.Errorf("rtpstream: audio and telephone-event share payload type %d", r.PayloadType)
	case r.Direction > Inactive:
		return fmt.Errorf("rtpstream: unknown direction %v", r.Direction)
	}
	r.Addr = addr
	now := time.Now()

	s.mu.Lock()
	if err := s.srtp.set(r.SRTP); err != nil {
		s.mu.Unlock()
		return err
	}
	if r.Addr != s.remote.Addr {
		s.latched, s.rtcpLatched, s.cand = netip.AddrPort{}, netip.AddrPort{}, candidate{}
		s.lastActive = now
	}
	if r.Direction.receives() && !s.receiving {
		s.lastActive = now // the inactivity clock starts now
	}
	if law := lawOf(r.PayloadType); law != s.jitterCfg.Law {
		// A new codec: what is buffered was coded with the old one.
		s.jitterCfg.Law = law
		s.playout, _ = jitter.New(s.jitterCfg) // Open checked the limits
	}
	s.remote, s.receiving = r, r.Direction.receives()
	if s.receiving {
		s.armIdleTimer(s.opts.InactivityTimeout)
	} else if s.src.digits.active() {
		s.pushDigit(s.src.digits.end())
	}
	s.mu.Unlock()

	s.send.Store(&sendConfig{
		payloadType:      r.PayloadType,
		eventPayloadType: r.EventPayloadType,
		send:             r.Direction.sends() && !r.Addr.Addr().IsUnspecified(),
	})
	return nil
}

// lawOf is the G.711 law of a payload type: A-law for PCMA's 8, µ-law for
// PCMU's 0 and any other.
func lawOf(pt uint8) jitter.Law {
	if pt == 8 {
		return jitter.Alaw
	}
	return jitter.Ulaw
}

// Timeout returns a channel that is closed when no RTP has arrived for
// the configured InactivityTimeout while receiving. The clock starts when
// SetRemote first gives a direction that receives, stops while the
// direction does not (hold), and comfort noise and events keep it from
// running out.
func (s *Stream) Timeout() <-chan struct{} { return s.timeout }

// SetInactivityTimeout starts the inactivity clock afresh with d: Timeout
// reports no RTP for d from now on; 0 stops watching. A call owes media
// only once it is answered, so that is when a UA starts the clock.
func (s *Stream) SetInactivityTimeout(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.InactivityTimeout = d
	s.lastActive = time.Now()
	if s.receiving {
		s.armIdleTimer(d)
	}
}

// armIdleTimer makes sure the inactivity timer will fire within d; s.mu is
// held.
func (s *Stream) armIdleTimer(d time.Duration) {
	if s.opts.InactivityTimeout == 0 || s.timedOut || s.idleArmed || s.closing {
		return
	}
	if s.idleTimer == nil {
		s.idleTimer = time.AfterFunc(d, s.checkIdle)
	} else {
		s.idleTimer.Reset(d)
	}
	s.idleArmed = true
}

// checkIdle runs when the inactivity timer fires. Packets do not reset the
// timer; they move lastActive, and the timer, once fired, waits out the rest.
func (s *Stream) checkIdle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.idleArmed = false
	if !s.receiving || s.closing || s.timedOut || s.opts.InactivityTimeout == 0 {
		return
	}
	idle := time.Since(s.lastActive)
	if idle >= s.opts.InactivityTimeout {
		s.timedOut = true
		close(s.timeout)
		return
	}
	s.armIdleTimer(s.opts.InactivityTimeout - idle)
}

// Close sends an RTCP BYE, stops the stream's goroutines, closes its
// sockets and releases its ports. It is safe to call more than once.
func (s *Stream) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.mu.Lock()
		s.closing = true
		if s.idleTimer != nil {
			s.idleTimer.Stop()
		}
		if s.digitTimer != nil {
			s.digitTimer.Stop()
		}
		s.mu.Unlock()
		close(s.done)
		<-s.writerDone // after sending the BYE
		s.rtp.Close()
		s.rtcp.Close()
		s.readers.Wait()
		s.ports.Release(s.port)
	})
	return nil
}
