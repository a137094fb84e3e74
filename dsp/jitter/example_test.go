package jitter_test

import (
	"fmt"
	"time"

	"tipring/dsp/jitter"
)

func Example() {
	b, err := jitter.New(jitter.DefaultConfig) // 40 to 300 ms
	if err != nil {
		panic(err)
	}
	var frame, out [jitter.FrameSize]byte
	// Frames 0, 2 and 1 arrive in one tick; frame 3 is lost. The first
	// plays 40 ms (two ticks) later.
	for _, i := range []int{0, 2, 1} {
		b.Put(jitter.Packet{
			SSRC:      0x1234,
			Sequence:  uint16(i),
			Timestamp: uint32(i * jitter.FrameSize),
			Arrival:   5 * time.Millisecond,
			Payload:   frame[:],
		})
	}
	for range 6 {
		fmt.Println(b.Get(&out))
	}
	c := b.Counters()
	fmt.Println(c.Played, "played,", c.Concealed, "concealed")
	// Output:
	// silence
	// silence
	// audio
	// audio
	// audio
	// missing
	// 3 played, 1 concealed
}
