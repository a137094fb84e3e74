package rtpstream

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/pion/rtp"

	"tipring/sipua/telephoneevent"
)

func TestLatching(t *testing.T) {
	s := openStream(t, Options{})
	sdp, nat, other := newPeer(t, 0x1111), newPeer(t, 0x2222), newPeer(t, 0x3333)
	setRemote(t, s, Remote{Addr: sdp.addr(), PayloadType: 0})
	sendTo := func(p *peer, frame byte) {
		t.Helper()
		s.Send(frameOf(frame))
		if pkt := p.read(); pkt.Payload[0] != frame {
			t.Fatalf("peer got frame %d, want %d", pkt.Payload[0], frame)
		}
	}
	stats := func(what string, cond func(Stats) bool) {
		t.Helper()
		waitFor(t, what, func() bool { return cond(s.Stats()) })
	}

	// Before any packet arrives, RTP goes to the SDP address.
	sendTo(sdp, 1)

	// The remote's packets come from behind a NAT: the latch follows them.
	nat.next(s.LocalAddr(), 0, frameOf(0)[:])
	stats("the latch", func(st Stats) bool { return st.Latched == nat.addr() })
	sendTo(nat, 2)

	// The same SSRC from elsewhere is stray; so is one packet of a new SSRC.
	other.ssrc = nat.ssrc
	other.next(s.LocalAddr(), 0, frameOf(0)[:])
	other.ssrc = 0x3333
	other.next(s.LocalAddr(), 0, frameOf(0)[:])
	stats("two stray packets", func(st Stats) bool { return st.Stray == 2 })
	// A payload type not negotiated does not count towards the latch.
	other.next(s.LocalAddr(), 96, frameOf(0)[:])
	stats("an invalid packet", func(st Stats) bool { return st.Invalid == 1 })
	// The new SSRC's next packet in sequence re-latches.
	other.seq--
	other.next(s.LocalAddr(), 0, frameOf(0)[:])
	stats("the re-latch", func(st Stats) bool { return st.Latched == other.addr() })
	sendTo(other, 3)
	nat.next(s.LocalAddr(), 0, frameOf(0)[:])
	stats("the old source's packet counted stray", func(st Stats) bool { return st.Stray == 3 })

	// A re-INVITE with the same address keeps the latch.
	setRemote(t, s, Remote{Addr: sdp.addr(), PayloadType: 0})
	sendTo(other, 4)
	// One with a new address undoes it.
	moved := newPeer(t, 0x4444)
	setRemote(t, s, Remote{Addr: moved.addr(), PayloadType: 0})
	if st := s.Stats(); st.Latched.IsValid() {
		t.Errorf("latched to %v after a new remote address", st.Latched)
	}
	sendTo(moved, 5)
	nat.next(s.LocalAddr(), 0, frameOf(0)[:])
	stats("the new latch", func(st Stats) bool { return st.Latched == nat.addr() })
	sendTo(nat, 6)
}

func TestSSRCChange(t *testing.T) {
	s := openStream(t, Options{})
	p := newPeer(t, 0xaaaa)
	setRemote(t, s, Remote{Addr: p.addr(), PayloadType: 0})
	for range 3 {
		p.next(s.LocalAddr(), 0, frameOf(1)[:])
	}
	p.seq += 2 // two lost
	p.next(s.LocalAddr(), 0, frameOf(1)[:])
	waitFor(t, "four packets", func() bool { return s.Stats().PacketsReceived == 4 })
	if st := s.Stats(); st.Lost != 2 {
		t.Fatalf("Lost = %d, want 2", st.Lost)
	}

	// The remote restarts its stream with a new SSRC and sequence: a new
	// source, counted afresh, at the same address.
	p.ssrc, p.seq = 0xbbbb, 40000
	for range 3 {
		p.next(s.LocalAddr(), 0, frameOf(2)[:])
	}
	waitFor(t, "seven packets", func() bool { return s.Stats().PacketsReceived == 7 })
	st := s.Stats()
	if st.Lost != 0 || st.Invalid != 0 || st.Stray != 0 || st.Latched != p.addr() {
		t.Errorf("after the SSRC change: %+v", st)
	}
	s.mu.Lock()
	ssrc := s.src.ssrc
	s.mu.Unlock()
	if ssrc != 0xbbbb {
		t.Errorf("source SSRC %x, want bbbb", ssrc)
	}
}

func TestReorderDuplicatesLoss(t *testing.T) {
	s := openStream(t, Options{})
	p := newPeer(t, 1)
	setRemote(t, s, Remote{Addr: p.addr(), PayloadType: 0})
	// 14 is lost, 12 comes after 13, 13 and 11 come twice.
	for _, seq := range []uint16{10, 11, 13, 12, 13, 11, 15} {
		p.send(s.LocalAddr(), rtp.Header{PayloadType: 0, SequenceNumber: seq, Timestamp: uint32(seq) * FrameSize, SSRC: p.ssrc}, frameOf(byte(seq))[:])
	}
	waitFor(t, "seven packets", func() bool {
		st := s.Stats()
		return st.PacketsReceived+st.Duplicates == 7
	})
	st := s.Stats()
	if st.PacketsReceived != 5 || st.Late != 1 || st.Duplicates != 2 || st.Lost != 1 {
		t.Errorf("received %d, late %d, duplicates %d, lost %d; want 5, 1, 2, 1",
			st.PacketsReceived, st.Late, st.Duplicates, st.Lost)
	}
	// The jitter buffer puts 12 back in its place and conceals 14.
	got, kinds := playout(s, 10)
	if want := []byte{10, 11, 12, 13, 15}; !bytes.Equal(got, want) {
		t.Errorf("frames played %v, want %v", got, want)
	}
	if !strings.Contains(kinds, "AAAAMA") {
		t.Errorf("playout %s, want the lost frame concealed (M) between the others (A)", kinds)
	}
}

// playout runs the frame loop's side for n ticks. It returns the first
// byte of each frame played, and a letter for each tick: A audio, M
// missing, S silence.
func playout(s *Stream, n int) (first []byte, kinds string) {
	var f [FrameSize]byte
	for range n {
		switch s.Receive(&f) {
		case Audio:
			first = append(first, f[0])
			kinds += "A"
		case Missing:
			kinds += "M"
		case Silence:
			kinds += "S"
		}
	}
	return first, kinds
}

func TestReceiveBunched(t *testing.T) {
	s := openStream(t, Options{})
	p := newPeer(t, 1)
	setRemote(t, s, Remote{Addr: p.addr(), PayloadType: 0})
	// 160 ms of packets at once, as after a network stall: the jitter
	// buffer keeps them all, in order.
	const n = 8
	for i := range n {
		p.next(s.LocalAddr(), 0, frameOf(byte(i))[:])
	}
	waitFor(t, "every packet", func() bool { return s.Stats().PacketsReceived == n })
	got, kinds := playout(s, n+5)
	if want := []byte{0, 1, 2, 3, 4, 5, 6, 7}; !bytes.Equal(got, want) {
		t.Errorf("frames played %v (%s), want %v", got, kinds, want)
	}
	if st := s.Stats().Playout; st.Played != n || st.Discarded != 0 || st.Late != 0 {
		t.Errorf("jitter buffer counters %+v, want %d played and none discarded or late", st, n)
	}
}

func TestReframe(t *testing.T) {
	s := openStream(t, Options{})
	p := newPeer(t, 1)
	setRemote(t, s, Remote{Addr: p.addr(), PayloadType: 8})
	payload := func(n int, from byte) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = from + byte(i)
		}
		return b
	}
	// send sends a payload whose timestamp steps by its length.
	send := func(pl []byte) {
		p.send(s.LocalAddr(), rtp.Header{PayloadType: 8, SequenceNumber: p.seq, Timestamp: p.ts, SSRC: p.ssrc}, pl)
		p.seq++
		p.ts += uint32(len(pl))
	}
	// 10 ms packets, then 30 ms ones: 80 + 80, then 240 + 240 bytes.
	send(payload(80, 0))
	send(payload(80, 80))
	send(payload(240, 0))
	send(payload(240, 240))
	want := payload(640, 0)
	var got []byte
	var f [FrameSize]byte
	for len(got) < 4*FrameSize {
		waitAudio(t, s, &f, 4)
		got = append(got, f[:]...)
	}
	if !bytes.Equal(got[:FrameSize], want[:FrameSize]) || !bytes.Equal(got[FrameSize:], want[:3*FrameSize]) {
		t.Errorf("frames do not carry the payloads in order")
	}
	// A lost packet drops the half frame before it.
	send(payload(80, 1))
	p.seq++
	p.ts += 80
	send(payload(80, 2))
	send(payload(80, 82))
	waitAudio(t, s, &f, 5)
	if f[0] != 2 || f[FrameSize-1] != 2+FrameSize-1 {
		t.Errorf("frame after a loss starts % x, want the packets after the loss", f[:2])
	}
}

func TestComfortNoise(t *testing.T) {
	s := openStream(t, Options{InactivityTimeout: time.Hour})
	p := newPeer(t, 1)
	setRemote(t, s, Remote{Addr: p.addr(), PayloadType: 0})
	p.next(s.LocalAddr(), 0, frameOf(1)[:])
	var f [FrameSize]byte
	waitAudio(t, s, &f, 1)

	s.mu.Lock()
	before := s.lastActive
	s.mu.Unlock()
	p.next(s.LocalAddr(), comfortNoiseType, []byte{40}) // noise level -40 dBov
	waitFor(t, "silence", func() bool { return s.Receive(&f) == Silence })
	// Silence lasts until audio comes again.
	if k := s.Receive(&f); k != Silence {
		t.Errorf("second Receive = %v, want Silence", k)
	}
	st := s.Stats()
	if st.ComfortNoise != 1 || st.PacketsReceived != 2 || st.Invalid != 0 {
		t.Errorf("stats %+v", st)
	}
	s.mu.Lock()
	after := s.lastActive
	s.mu.Unlock()
	if !after.After(before) {
		t.Error("comfort noise did not count as activity")
	}
	// The next talkspurt starts later, with the marker bit (RFC 3551 4.1).
	p.ts += 50 * FrameSize
	p.send(s.LocalAddr(), rtp.Header{PayloadType: 0, Marker: true, SequenceNumber: p.seq, Timestamp: p.ts, SSRC: p.ssrc}, frameOf(2)[:])
	waitAudio(t, s, &f, 2)
	if k := s.Receive(&f); k != Missing {
		t.Errorf("Receive after the audio = %v, want Missing", k)
	}
}

// sendEvent sends one telephone-event packet from p.
func (p *peer) sendEvent(s *Stream, seq uint16, ts uint32, marker bool, ev telephoneevent.Event) {
	p.t.Helper()
	var b [telephoneevent.Size]byte
	ev.MarshalTo(b[:])
	p.send(s.LocalAddr(), rtp.Header{PayloadType: 101, Marker: marker, SequenceNumber: seq, Timestamp: ts, SSRC: p.ssrc}, b[:])
}

func TestReceiveDigits(t *testing.T) {
	for _, dir := range []Direction{SendRecv, RecvOnly} { // RecvOnly: early media
		t.Run(dir.String(), func(t *testing.T) {
			s := openStream(t, Options{})
			p := newPeer(t, 1)
			setRemote(t, s, Remote{Addr: p.addr(), PayloadType: 0, EventPayloadType: 101, Direction: dir})

			// Start, two updates (one twice), three end packets.
			seq := uint16(1)
			for i, e := range []struct {
				end bool
				dur uint16
			}{{false, 160}, {false, 320}, {false, 320}, {false, 480}, {true, 640}, {true, 640}, {true, 640}} {
				p.sendEvent(s, seq, 8000, i == 0, telephoneevent.Event{Code: 14, End: e.end, Volume: 10, Duration: e.dur})
				if i != 2 {
					seq++
				}
			}
			if ev := waitDigit(t, s); ev != (DigitEvent{Digit: 'C'}) {
				t.Errorf("got %+v, want the start of C", ev)
			}
			if ev, want := waitDigit(t, s), (DigitEvent{Digit: 'C', End: true, Duration: 80 * time.Millisecond}); ev != want {
				t.Errorf("got %+v, want %+v", ev, want)
			}

			// Another digit whose end packets are all lost ends by timeout.
			start := time.Now()
			p.sendEvent(s, seq, 9600, true, telephoneevent.Event{Code: 1, Duration: 160})
			if ev := waitDigit(t, s); ev != (DigitEvent{Digit: '1'}) {
				t.Errorf("got %+v, want the start of 1", ev)
			}
			if ev, want := waitDigit(t, s), (DigitEvent{Digit: '1', End: true, Duration: 20 * time.Millisecond}); ev != want {
				t.Errorf("got %+v, want %+v", ev, want)
			}
			if waited := time.Since(start); waited < digitEndTimeout {
				t.Errorf("the lost end was assumed after %v, before the %v timeout", waited, digitEndTimeout)
			}
			if ev, ok := s.Digit(); ok {
				t.Errorf("an extra digit event %+v", ev)
			}
			if st := s.Stats(); st.Duplicates != 1 || st.PacketsReceived != 7 {
				t.Errorf("received %d, duplicates %d; want 7, 1", st.PacketsReceived, st.Duplicates)
			}
		})
	}
}

func TestInactivityTimeout(t *testing.T) {
	const timeout = 100 * time.Millisecond
	t.Run("nothing ever arrives", func(t *testing.T) {
		s := openStream(t, Options{InactivityTimeout: timeout})
		p := newPeer(t, 1)
		start := time.Now()
		setRemote(t, s, Remote{Addr: p.addr(), PayloadType: 0})
		select {
		case <-s.Timeout():
			if d := time.Since(start); d < timeout {
				t.Errorf("timed out after %v, before %v", d, timeout)
			}
		case <-time.After(deadline):
			t.Fatal("no timeout")
		}
	})
	t.Run("set after a silent while", func(t *testing.T) {
		s := openStream(t, Options{})
		p := newPeer(t, 1)
		setRemote(t, s, Remote{Addr: p.addr(), PayloadType: 0})
		time.Sleep(2 * timeout) // ringing: no RTP is owed yet
		start := time.Now()
		s.SetInactivityTimeout(timeout)
		select {
		case <-s.Timeout():
			if d := time.Since(start); d < timeout {
				t.Errorf("timed out %v after the clock started, before %v", d, timeout)
			}
		case <-time.After(deadline):
			t.Fatal("no timeout")
		}
	})
	t.Run("stops with the media", func(t *testing.T) {
		s := openStream(t, Options{InactivityTimeout: timeout})
		p := newPeer(t, 1)
		setRemote(t, s, Remote{Addr: p.addr(), PayloadType: 0})
		var f [FrameSize]byte
		p.next(s.LocalAddr(), 0, frameOf(1)[:])
		waitFor(t, "a frame", func() bool { return s.Receive(&f) == Audio })
		s.mu.Lock()
		last := s.lastActive
		s.mu.Unlock()
		select {
		case <-s.Timeout():
			s.mu.Lock()
			idle := time.Since(last)
			s.mu.Unlock()
			if idle < timeout {
				t.Errorf("timed out %v after the last packet", idle)
			}
		case <-time.After(deadline):
			t.Fatal("no timeout")
		}
	})
	t.Run("not while on hold", func(t *testing.T) {
		s := openStream(t, Options{InactivityTimeout: timeout})
		p := newPeer(t, 1)
		setRemote(t, s, Remote{Addr: p.addr(), PayloadType: 0, Direction: SendOnly})
		select {
		case <-s.Timeout():
			t.Fatal("timed out on hold")
		case <-time.After(3 * timeout):
		}
		// Off hold, the clock runs from the resume.
		resumed := time.Now()
		setRemote(t, s, Remote{Addr: p.addr(), PayloadType: 0, Direction: SendRecv})
		select {
		case <-s.Timeout():
			if d := time.Since(resumed); d < timeout {
				t.Errorf("timed out %v after the resume", d)
			}
		case <-time.After(deadline):
			t.Fatal("no timeout after the resume")
		}
	})
}

func TestFlush(t *testing.T) {
	s := openStream(t, Options{})
	p := newPeer(t, 1)
	setRemote(t, s, Remote{Addr: p.addr(), PayloadType: 0})
	for i := range 6 {
		p.next(s.LocalAddr(), 0, frameOf(byte(i))[:])
	}
	waitFor(t, "every packet", func() bool { return s.Stats().PacketsReceived == 6 })
	s.Flush()
	p.next(s.LocalAddr(), 0, frameOf(6)[:])
	waitFor(t, "the next packet", func() bool { return s.Stats().PacketsReceived == 7 })
	if got, kinds := playout(s, 5); !bytes.Equal(got, []byte{6}) {
		t.Errorf("after Flush the stream played %v (%s), want only frame 6", got, kinds)
	}
}
