package jitter

import (
	"testing"
	"time"
)

// FuzzBuffer drives a Buffer with Puts and Gets read off the input, four
// bytes an operation, and checks it neither panics nor plays frames out of
// order, and that its counters add up.
//
// A Put's bytes: the timestamp step in frames (signed), the arrival step in
// milliseconds, then flags: payload frames (0 to 7) in bits 0-2, marker in
// bit 3, a new SSRC in bit 4, a sequence number that does not follow in
// bit 5, and a Get after it in bit 6. The 4th byte is the sequence step
// when bit 5 is set.
func FuzzBuffer(f *testing.F) {
	f.Add([]byte{1, 20, 0x41, 0, 1, 20, 0x41, 0, 1, 20, 0x41, 0, 1, 20, 0x41, 0})
	f.Add([]byte{1, 20, 0x41, 0, 2, 5, 0x41, 0, 0xff, 60, 0x41, 0, 1, 0, 0x01, 0, 0, 0, 0x40, 0})
	f.Add([]byte{1, 20, 0x42, 0, 0x7f, 20, 0x49, 0, 1, 20, 0x51, 0, 1, 20, 0x61, 9, 0x80, 200, 0x41, 0})
	f.Add([]byte{1, 250, 0x47, 0, 1, 1, 0x40, 0, 1, 1, 0x40, 0, 3, 20, 0x41, 0, 0x81, 20, 0x61, 0x30})
	// A stall: fifteen Gets with no packet, then the stream carries on
	// where it stopped, too late to play, until the buffer resyncs.
	stall := make([]byte, 0, 30*4)
	for i := range 30 {
		if i >= 5 && i < 20 {
			stall = append(stall, 0, 20, 0x40, 0)
		} else {
			stall = append(stall, 1, 20, 0x41, 0)
		}
	}
	f.Add(stall)
	f.Fuzz(func(t *testing.T, ops []byte) {
		b, err := New(Config{Min: 20 * time.Millisecond, Max: 120 * time.Millisecond, Law: Ulaw})
		if err != nil {
			t.Fatal(err)
		}
		var (
			payload [7 * FrameSize]byte
			out     [FrameSize]byte
			ssrc    uint32
			seq     uint16
			ts      = uint32(1 << 31)
			arrival time.Duration
			last    = -1 // the frame last played
			resyncs uint64
		)
		for ; len(ops) >= 4; ops = ops[4:] {
			step, wait, flags, jump := int8(ops[0]), ops[1], ops[2], ops[3]
			frames := int(flags & 7)
			if flags&0x10 != 0 {
				ssrc++
			}
			seq++
			if flags&0x20 != 0 {
				seq += uint16(jump)
			}
			ts += uint32(int32(step) * FrameSize)
			arrival += time.Duration(wait) * time.Millisecond
			for i := range frames {
				f := simFrame(int((ts+uint32(i*FrameSize))/FrameSize), i%2 == 0)
				copy(payload[i*FrameSize:], f[:])
			}
			err := b.Put(Packet{
				SSRC: ssrc, Sequence: seq, Timestamp: ts, Marker: flags&8 != 0,
				Arrival: arrival, Payload: payload[:frames*FrameSize],
			})
			if (err != nil) != (frames == 0 || frames == 7) {
				t.Fatalf("Put of %d frames: %v", frames, err)
			}
			if flags&0x40 == 0 {
				continue
			}
			r := b.Get(&out)
			c := b.Counters()
			if c.Resyncs != resyncs {
				resyncs, last = c.Resyncs, -1
			}
			if r == Audio {
				n := frameNumber(&out)
				if n <= last {
					t.Fatalf("frame %d played after frame %d", n, last)
				}
				last = n
			}
			if c.Lost > c.Concealed || c.Played > c.Received {
				t.Fatalf("counters do not add up: %+v", c)
			}
			if c.Received > 0 && (c.Target < 20*time.Millisecond || c.Target > 120*time.Millisecond) {
				t.Fatalf("target %v outside [20ms, 120ms]", c.Target)
			}
		}
	})
}
