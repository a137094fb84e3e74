package jitter

import (
	"errors"
	"fmt"
	"time"
)

// FrameSize is the length of one 20 ms G.711 frame: 160 samples at 8 kHz,
// one byte each, so also the RTP timestamp step from frame to frame.
const FrameSize = 160

const (
	clockRate  = 8000
	sampleTime = time.Second / clockRate

	// maxPacketFrames is the longest packet Put takes, in frames: 120 ms,
	// the longest ptime G.711 senders offer.
	maxPacketFrames = 6
	// concealFrames is how many frames past the newest received Get still
	// reports Missing, as a packet loss concealer would bridge; after that
	// the sender is taken to have paused and Get reports Silence.
	concealFrames = 3
	// shrinkEvery is how many ticks must pass between two frames dropped
	// to shrink the delay: one frame a second at most. When no silent
	// frame has come for forceEvery ticks (music, a tone, a sender that
	// never pauses), a frame of sound goes instead.
	shrinkEvery = 50
	forceEvery  = 500
	// resyncLate is how many frames in sequence must come too late to
	// play, with none in time between, for the buffer to take the delay
	// to have stepped up for good and restart its timeline.
	// They must also come over resyncLate-1 frame times at least: a
	// burst after a stall arrives all at once, a straggler alone.
	resyncLate = 5
	// maxDelay is the largest Config.Max accepted.
	maxDelay = time.Second
)

// ErrPayloadSize means a packet's payload is not a whole number of
// 20 ms frames, or is longer than 120 ms.
var ErrPayloadSize = errors.New("jitter: payload is not 1 to 6 whole 20 ms frames")

// Config sets a Buffer's limits.
type Config struct {
	// Min and Max bound the delay the buffer adds to the fastest packets:
	// the target follows measured jitter between them. Min is also the
	// delay the buffer starts with.
	Min, Max time.Duration
	// Law is the frames' G.711 law.
	Law Law
}

// DefaultConfig suits a call over the Internet: 40 ms of delay at least,
// 300 ms at most.
var DefaultConfig = Config{Min: 40 * time.Millisecond, Max: 300 * time.Millisecond, Law: Ulaw}

// Packet is one received RTP packet, as Put needs it.
type Packet struct {
	SSRC      uint32
	Sequence  uint16
	Timestamp uint32
	Marker    bool
	// Arrival is when the packet arrived, on any clock that runs in real
	// time, such as time.Since of a fixed instant.
	Arrival time.Duration
	// Payload is 1 to 6 frames of FrameSize bytes. Put copies it.
	Payload []byte
}

// Result says what Get wrote.
type Result uint8

const (
	// Silence means out holds silence: nothing is being received (before
	// the first packet, or the sender paused), or the buffer inserted a
	// frame in a pause to grow its delay.
	Silence Result = iota
	// Audio means out holds the frame due.
	Audio
	// Missing means the frame due is missing (lost, late, or inserted in
	// speech to grow the delay) and out is untouched: the caller conceals
	// it.
	Missing
)

func (r Result) String() string {
	switch r {
	case Silence:
		return "silence"
	case Audio:
		return "audio"
	case Missing:
		return "missing"
	}
	return fmt.Sprintf("Result(%d)", uint8(r))
}

// Counters tell how a Buffer has fared. Counts are of 20 ms frames: a
// 40 ms packet counts as two.
type Counters struct {
	Received   uint64 // frames taken into the buffer
	Played     uint64 // frames Get returned as Audio
	Concealed  uint64 // frames Get returned as Missing because they had not arrived
	Lost       uint64 // concealed frames that have not arrived since
	Late       uint64 // frames that arrived after their turn: discarded
	Duplicates uint64 // frames that arrived twice: discarded
	Discarded  uint64 // frames refused (bad payload, unconfirmed timestamp jump) or left unplayed by a resync
	Dropped    uint64 // silent frames skipped, and pauses cut, to shrink the delay
	Inserted   uint64 // frames inserted to grow the delay
	Resyncs    uint64 // new SSRCs, timestamp jumps and delay steps followed

	// Delay is how long the fastest of the recent packets wait in the
	// buffer, at least; a packet slower by up to Delay is in time.
	Delay time.Duration
	// Target is the delay the buffer steers towards: Jitter clamped to
	// [Min, Max].
	Target time.Duration
	// Jitter is how much later than the fastest of the last 128 packets
	// the slowest arrived, leaving out the two slowest.
	Jitter time.Duration
}

type slotState uint8

const (
	empty     slotState = iota
	queued              // waiting for its turn
	played              // played or dropped
	concealed           // its turn passed without it
	late                // arrived after being concealed
)

// slot holds one frame, or remembers what became of it.
type slot struct {
	idx    int64 // frame index; the slot is idx modulo the ring's size
	state  slotState
	silent bool
	lost   bool // counted in Counters.Lost
	frame  [FrameSize]byte
}

// A Buffer is an adaptive jitter buffer for one RTP stream.
//
// Frames are indexed by timestamp from the frame that started the stream
// (index 0): index i is timestamp origin+i*FrameSize. next is the index
// Get plays next.
type Buffer struct {
	law      Law
	min, max int64 // delay limits, in samples
	slots    []slot
	mask     int64
	reach    int64 // how many frames ahead of or behind next a packet may be

	started bool
	ssrc    uint32
	maxSeq  uint16 // the newest sequence number taken
	lastTS  uint32 // timestamp of the last packet taken
	lastExt int64  // the same, extended past wraps
	origin  int64  // extended timestamp of index 0
	next    int64
	oldest  int64 // the lowest index received since the start
	newest  int64 // the highest

	ticks      int64 // calls of Get since New
	lastDrop   int64 // ticks at the last frame dropped to shrink
	lastSilent bool  // the last frame out was silent

	// A packet whose timestamp is out of reach waits here for the next
	// in sequence to confirm the jump.
	jump struct {
		valid bool
		seq   uint16
		ext   int64 // its extended timestamp
	}

	// The run of packets in sequence that came too late to play, with
	// none in time between.
	late struct {
		frames int64
		since  int64 // arrival of the first, in samples
		target int64 // the target delay before the first
	}

	est estimator
	c   Counters
}

// New returns a Buffer with the limits of c.
func New(c Config) (*Buffer, error) {
	switch {
	case c.Min < 0:
		return nil, fmt.Errorf("jitter: Min %v is negative", c.Min)
	case c.Max < c.Min:
		return nil, fmt.Errorf("jitter: Max %v is below Min %v", c.Max, c.Min)
	case c.Max > maxDelay:
		return nil, fmt.Errorf("jitter: Max %v is above %v", c.Max, maxDelay)
	case c.Law != Ulaw && c.Law != Alaw:
		return nil, fmt.Errorf("jitter: unknown law %d", c.Law)
	}
	b := &Buffer{
		law: c.Law,
		min: int64(c.Min / sampleTime),
		max: int64(c.Max / sampleTime),
	}
	// Packets come at most Max and a little ahead of next (forced drops
	// keep the delay under Max plus two frames), and the ring remembers as
	// many frames behind next, to tell late frames from duplicates.
	b.reach = (b.max+FrameSize-1)/FrameSize + maxPacketFrames + 4
	n := int64(1)
	for n < 2*b.reach {
		n <<= 1
	}
	b.slots = make([]slot, n)
	b.mask = n - 1
	return b, nil
}

// Counters returns the counters and the current delay figures.
func (b *Buffer) Counters() Counters {
	c := b.c
	if b.started {
		c.Delay = time.Duration(b.delay()) * sampleTime
		c.Target = time.Duration(b.target()) * sampleTime
		c.Jitter = time.Duration(b.est.spread()) * sampleTime
	}
	return c
}

// Flush forgets the frames queued, counting them discarded, and starts
// afresh with the next packet: for a reader that comes back to a stream it
// left unread, to whom what queued meanwhile is stale.
func (b *Buffer) Flush() {
	for i := range b.slots {
		if b.slots[i].state == queued {
			b.c.Discarded++
		}
		b.slots[i].state = empty
	}
	b.started = false
	b.est.reset()
}

// Put takes in a packet as it arrives. It returns an error only for a
// payload that is not whole frames; everything else the network does is
// counted.
func (b *Buffer) Put(p Packet) error {
	frames := int64(len(p.Payload) / FrameSize)
	if len(p.Payload)%FrameSize != 0 || frames < 1 || frames > maxPacketFrames {
		b.c.Discarded += uint64(max(frames, 1))
		return ErrPayloadSize
	}
	arr := int64(p.Arrival / sampleTime)
	if !b.started || p.SSRC != b.ssrc {
		if b.started {
			b.c.Resyncs++
		}
		b.start(p, arr)
		return nil
	}
	ext := b.lastExt + int64(int32(p.Timestamp-b.lastTS))
	idx := floorDiv(ext-b.origin+FrameSize/2, FrameSize)
	newer := int16(p.Sequence-b.maxSeq) > 0
	if idx-b.next >= b.reach || b.next-idx > b.reach {
		// Packets sent before the newest are stragglers, however late.
		if !newer {
			b.c.Late += uint64(frames)
			return nil
		}
		// RFC 3550 A.1 believes a jump in sequence numbers once the next
		// packet follows it; a jump in timestamps gets the same test,
		// unless the marker bit says a new talkspurt starts there.
		if p.Marker || b.jump.valid && p.Sequence == b.jump.seq+1 && ext-b.jump.ext == FrameSize*frames {
			b.c.Resyncs++
			b.restart(p, arr, b.target())
			return nil
		}
		b.jump.valid, b.jump.seq, b.jump.ext = true, p.Sequence, ext
		b.c.Discarded += uint64(frames)
		return nil
	}
	b.jump.valid = false
	if newer {
		b.maxSeq = p.Sequence
	}
	b.lastTS, b.lastExt = p.Timestamp, ext
	if idx+frames > b.next {
		b.late.frames = 0
	} else if newer && b.behind(frames, arr) {
		// The delay has stepped up for good: play on from this packet
		// after the delay the jitter called for before the step.
		b.c.Resyncs++
		b.restart(p, arr, b.late.target)
		return nil
	}
	b.est.add(arrival{transit: arr - ext, phase: arr - b.ticks*FrameSize})
	for f := range frames {
		b.store(idx+f, (*[FrameSize]byte)(p.Payload[f*FrameSize:]))
	}
	return nil
}

// start forgets everything of the stream but the counters and starts
// afresh with p.
func (b *Buffer) start(p Packet, arr int64) {
	b.started = true
	b.ssrc = p.SSRC
	b.restart(p, arr, b.min)
}

// behind counts a packet in sequence whose frames have all had their
// turn, and reports whether it ends a run of them long enough to resync.
func (b *Buffer) behind(frames, arr int64) bool {
	if b.late.frames == 0 {
		b.late.since, b.late.target = arr, b.target()
	}
	b.late.frames += frames
	return b.late.frames >= resyncLate && arr-b.late.since >= (resyncLate-1)*FrameSize
}

// restart takes p as frame index 0 of a new timeline, to be played after
// the target delay given; frames of the old timeline still queued are
// discarded.
func (b *Buffer) restart(p Packet, arr, target int64) {
	for i := range b.slots {
		if b.slots[i].state == queued {
			b.c.Discarded++
		}
		b.slots[i].state = empty
	}
	b.jump.valid = false
	b.late.frames = 0
	b.maxSeq = p.Sequence
	b.lastTS, b.lastExt = p.Timestamp, int64(p.Timestamp)
	b.origin = b.lastExt
	b.next = -(target + FrameSize - 1) / FrameSize
	b.oldest, b.newest = 0, 0
	b.lastDrop = b.ticks
	b.est.reset()
	b.est.add(arrival{transit: arr - b.origin, phase: arr - b.ticks*FrameSize})
	for f := range len(p.Payload) / FrameSize {
		b.store(int64(f), (*[FrameSize]byte)(p.Payload[f*FrameSize:]))
	}
}

// store puts a frame in its slot, or counts why not.
func (b *Buffer) store(idx int64, frame *[FrameSize]byte) {
	s := &b.slots[idx&b.mask]
	mine := s.idx == idx
	switch {
	case idx < b.next && mine && s.state == concealed:
		s.state = late
		b.c.Late++
		if s.lost {
			s.lost = false
			b.c.Lost--
		}
		return
	case mine && (s.state == queued || s.state == played || s.state == late):
		b.c.Duplicates++
		return
	case idx < b.next:
		b.c.Late++
		return
	}
	// Frames concealed at the tail, past the newest received, turn out
	// lost once a later frame shows the sender carried on.
	for i := max(b.newest+1, b.next-b.reach); i < min(idx, b.next); i++ {
		t := &b.slots[i&b.mask]
		if t.idx == i && t.state == concealed && !t.lost {
			t.lost = true
			b.c.Lost++
		}
	}
	*s = slot{idx: idx, state: queued, silent: b.law.silent(frame), frame: *frame}
	b.oldest = min(b.oldest, idx)
	b.newest = max(b.newest, idx)
	b.c.Received++
}

// delay is how long, in samples, a packet that crossed the network as
// fast as the fastest recent one waits before its turn, at least (that
// is, when it arrives just after a Get).
//
// A packet with transit time T arrives at T+ts on the receiver's clock,
// which the playout clock has reached (ts-origin)/FrameSize-next ticks
// before its turn; the phase of arrivals tells where ticks fall on the
// receiver's clock.
func (b *Buffer) delay() int64 {
	return b.est.minPhase - b.est.minTransit - b.origin + FrameSize*(b.ticks-b.next)
}

// target is the delay the buffer steers towards, in samples.
func (b *Buffer) target() int64 {
	return min(max(b.est.spread(), b.min), b.max)
}

// Get writes the frame due at this tick of the playout clock to out, or
// says why not. Call it every 20 ms.
func (b *Buffer) Get(out *[FrameSize]byte) Result {
	if !b.started {
		b.silence(out)
		return Silence
	}
	d, t := b.delay(), b.target()
	b.ticks++
	s := &b.slots[b.next&b.mask]
	present := s.idx == b.next && s.state == queued
	paused := !present && b.next > b.newest+concealFrames

	// Grow at once when short by more than half a frame; by less, wait for
	// a pause.
	if d+FrameSize/2 < t || d < t && b.lastSilent && (paused || present && s.silent) {
		b.c.Inserted++
		if b.lastSilent {
			b.silence(out)
			return Silence
		}
		return Missing
	}

	// Shrink by a frame, when a whole frame too long, in a pause or a
	// silent frame; in sound if silence is too long coming, or the delay
	// is two frames over Max.
	since := b.ticks - b.lastDrop
	if d-FrameSize >= t && (since >= shrinkEvery && (paused || present && s.silent) || since >= forceEvery || d-FrameSize >= b.max+FrameSize) {
		b.c.Dropped++
		b.lastDrop = b.ticks
		if present {
			s.state = played
		}
		b.next++
		s = &b.slots[b.next&b.mask]
		present = s.idx == b.next && s.state == queued
	}

	idx := b.next
	b.next++
	if present {
		*out = s.frame
		s.state = played
		b.lastSilent = s.silent
		b.c.Played++
		return Audio
	}
	if idx < b.oldest || idx > b.newest+concealFrames {
		b.silence(out)
		return Silence
	}
	*s = slot{idx: idx, state: concealed, lost: idx < b.newest}
	b.c.Concealed++
	if s.lost {
		b.c.Lost++
	}
	return Missing
}

func (b *Buffer) silence(out *[FrameSize]byte) {
	c := silenceCode[b.law]
	for i := range out {
		out[i] = c
	}
	b.lastSilent = true
}

// floorDiv is a/b rounded down; b is positive.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}
