package rtpstream

import (
	"testing"

	"tipring/sipua/telephoneevent"
)

// run ticks d over frames starting at ts0, calling act before each tick.
func run(d *digitSender, ts0 uint32, frames int, act func(i int)) [][]eventPacket {
	var out [][]eventPacket
	for i := range frames {
		if act != nil {
			act(i)
		}
		pkts, n := d.tick(ts0 + uint32(i*FrameSize))
		out = append(out, append([]eventPacket(nil), pkts[:n]...))
	}
	return out
}

func ev(code uint8, end bool, duration uint16) telephoneevent.Event {
	return telephoneevent.Event{Code: code, End: end, Volume: digitVolume, Duration: duration}
}

func TestDigitSenderPress(t *testing.T) {
	const ts0 = 0xfffffe00 // the timestamp wraps during the event
	var d digitSender
	// Frame 0 is audio; the key goes down before frame 1 and up before
	// frame 6.
	got := run(&d, ts0, 10, func(i int) {
		switch i {
		case 1:
			d.press(9)
		case 6:
			d.release()
		}
	})
	start := uint32(ts0 + FrameSize)
	want := [][]eventPacket{
		nil,
		{{ts: start, marker: true, event: ev(9, false, 160)}},
		{{ts: start, event: ev(9, false, 320)}},
		{{ts: start, event: ev(9, false, 480)}},
		{{ts: start, event: ev(9, false, 640)}},
		{{ts: start, event: ev(9, false, 800)}},
		{{ts: start, event: ev(9, true, 800)}},
		{{ts: start, event: ev(9, true, 800)}},
		{{ts: start, event: ev(9, true, 800)}},
		nil,
	}
	comparePackets(t, got, want)
}

func TestDigitSenderShortPress(t *testing.T) {
	// Down and up between two frames: the digit still goes out, one frame long.
	var d digitSender
	got := run(&d, 1000, 6, func(i int) {
		if i == 0 {
			d.press(11)
			d.release()
		}
	})
	want := [][]eventPacket{
		{{ts: 1000, marker: true, event: ev(11, false, 160)}},
		{{ts: 1000, event: ev(11, true, 160)}},
		{{ts: 1000, event: ev(11, true, 160)}},
		{{ts: 1000, event: ev(11, true, 160)}},
		nil,
		nil,
	}
	comparePackets(t, got, want)
}

func TestDigitSenderPressDuringEvent(t *testing.T) {
	// A second key while the first is held ends the first; the second
	// starts when the first's end packets are out.
	var d digitSender
	got := run(&d, 0, 8, func(i int) {
		switch i {
		case 0:
			d.press(1)
		case 2:
			d.press(2)
		}
	})
	want := [][]eventPacket{
		{{ts: 0, marker: true, event: ev(1, false, 160)}},
		{{ts: 0, event: ev(1, false, 320)}},
		{{ts: 0, event: ev(1, true, 320)}},
		{{ts: 0, event: ev(1, true, 320)}},
		{{ts: 0, event: ev(1, true, 320)}},
		{{ts: 800, marker: true, event: ev(2, false, 160)}},
		{{ts: 800, event: ev(2, false, 320)}},
		{{ts: 800, event: ev(2, false, 480)}},
	}
	comparePackets(t, got, want)
}

func TestDigitSenderLongEvent(t *testing.T) {
	// Held for 900 frames (18 s): three segments, the first two of
	// maxSegment each, every one with its final packet sent three times.
	var d digitSender
	const frames = 900
	got := run(&d, 0, frames+4, func(i int) {
		switch i {
		case 0:
			d.press(0)
		case frames:
			d.release()
		}
	})
	const segFrames = maxSegment / FrameSize // 409
	var want [][]eventPacket
	for i := range frames {
		seg := i / segFrames
		start := uint32(seg * maxSegment)
		p := eventPacket{ts: start, marker: i == 0, event: ev(0, false, uint16(uint32(i+1)*FrameSize-start))}
		var frame []eventPacket
		if k := i % segFrames; seg > 0 && k < finalSends {
			prev := uint32((seg - 1) * maxSegment)
			frame = append(frame, eventPacket{ts: prev, event: ev(0, false, maxSegment)})
		}
		want = append(want, append(frame, p))
	}
	lastStart := uint32(2 * maxSegment)
	end := eventPacket{ts: lastStart, event: ev(0, true, uint16(frames*FrameSize-lastStart))}
	want = append(want, []eventPacket{end}, []eventPacket{end}, []eventPacket{end}, nil)
	comparePackets(t, got, want)
	for i, frame := range got {
		for _, p := range frame {
			if p.event.Duration == 0 {
				t.Fatalf("frame %d: a packet with duration 0", i)
			}
		}
	}
}

func TestDigitSenderReset(t *testing.T) {
	var d digitSender
	d.press(5)
	d.tick(0)
	d.reset()
	if pkts, n := d.tick(160); n != 0 {
		t.Errorf("after reset, tick gave %v", pkts[:n])
	}
}

func comparePackets(t *testing.T, got, want [][]eventPacket) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d frames, want %d", len(got), len(want))
	}
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Fatalf("frame %d: %d packets %+v, want %d %+v", i, len(got[i]), got[i], len(want[i]), want[i])
		}
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Fatalf("frame %d packet %d: %+v, want %+v", i, j, got[i][j], want[i][j])
			}
		}
	}
}
