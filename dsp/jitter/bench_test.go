package jitter

import (
	"testing"
	"time"
)

// BenchmarkTick measures one 20 ms tick of a running stream: the Put of a
// packet (one frame copied, judged silent or not, and the 128 arrivals of
// the delay estimate scanned) and the Get that plays a frame. Put and Get
// are timed together: stopping the timer around either costs more than
// both on a small machine.
func BenchmarkTick(b *testing.B) {
	buf, err := New(DefaultConfig)
	if err != nil {
		b.Fatal(err)
	}
	frame := simFrame(0, true)
	var out [FrameSize]byte
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p := pkt(1, i)
		p.Payload = frame[:]
		p.Arrival = time.Duration(i)*20*time.Millisecond + time.Duration(i*7919%40)*time.Millisecond
		if err := buf.Put(p); err != nil {
			b.Fatal(err)
		}
		buf.Get(&out)
	}
}
