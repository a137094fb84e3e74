package jitter

import (
	"testing"
	"time"
)

// BenchmarkPut measures a Put of a 20 ms packet in a running stream: one
// frame copied, judged silent or not, and the 128 arrivals of the delay
// estimate scanned. A Get follows every Put, outside the timer, so the
// buffer neither fills nor empties.
func BenchmarkPut(b *testing.B) {
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
		b.StopTimer()
		buf.Get(&out)
		b.StartTimer()
	}
}

// BenchmarkGet measures a Get that plays a queued frame.
func BenchmarkGet(b *testing.B) {
	buf, err := New(DefaultConfig)
	if err != nil {
		b.Fatal(err)
	}
	frame := simFrame(0, true)
	var out [FrameSize]byte
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		p := pkt(1, i)
		p.Payload = frame[:]
		p.Arrival = time.Duration(i) * 20 * time.Millisecond
		if err := buf.Put(p); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		buf.Get(&out)
	}
}
