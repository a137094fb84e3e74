package telephoneevent

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Size is the length in bytes of one event payload.
const Size = 4

// MaxVolume is the largest volume the six-bit field can carry: -63 dBm0.
const MaxVolume = 63

// ErrTooShort is returned by Unmarshal for a payload of fewer than Size bytes.
var ErrTooShort = errors.New("telephoneevent: payload shorter than 4 bytes")

// An Event is one RFC 4733 section 2.3 payload:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     event     |E|R| volume    |          duration             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type Event struct {
	Code uint8 // which event; 0-15 are the DTMF digits (see Code)
	End  bool  // set in the packets that report the end of the event
	// Volume is the tone's power level in dBm0 with the sign dropped:
	// 0 is 0 dBm0, 63 is -63 dBm0.
	Volume uint8
	// Duration is how long the event has lasted so far, in RTP timestamp
	// units (1/8000 s for DTMF), counted from the packet's RTP timestamp.
	Duration uint16
}

// MarshalTo writes the payload into b, which must hold at least Size bytes,
// and returns Size.
func (e Event) MarshalTo(b []byte) (int, error) {
	if len(b) < Size {
		return 0, io.ErrShortBuffer
	}
	if e.Volume > MaxVolume {
		return 0, fmt.Errorf("telephoneevent: volume %d is above %d", e.Volume, MaxVolume)
	}
	b[0] = e.Code
	b[1] = e.Volume
	if e.End {
		b[1] |= 0x80
	}
	binary.BigEndian.PutUint16(b[2:4], e.Duration)
	return Size, nil
}

// Unmarshal reads the payload from the first Size bytes of b. The reserved
// bit is ignored, as RFC 4733 section 2.3.3 asks of receivers, and so is
// anything after the first Size bytes.
func (e *Event) Unmarshal(b []byte) error {
	if len(b) < Size {
		return ErrTooShort
	}
	e.Code = b[0]
	e.End = b[1]&0x80 != 0
	e.Volume = b[1] & 0x3f
	e.Duration = binary.BigEndian.Uint16(b[2:4])
	return nil
}
