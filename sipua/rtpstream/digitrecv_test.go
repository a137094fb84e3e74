package rtpstream

import (
	"testing"
	"time"

	"tipring/sipua/telephoneevent"
)

// evPkt is one received telephone-event packet, at a time in ms.
type evPkt struct {
	at     int // ms
	ts     uint32
	marker bool
	code   uint8
	end    bool
	dur    uint16
}

func TestDigitReceiver(t *testing.T) {
	start := func(d byte) DigitEvent { return DigitEvent{Digit: d} }
	end := func(d byte, units int) DigitEvent {
		return DigitEvent{Digit: d, End: true, Duration: time.Duration(units) * 125 * time.Microsecond}
	}
	tests := []struct {
		name string
		pkts []evPkt
		want []DigitEvent
	}{
		{
			"whole event",
			[]evPkt{
				{0, 800, true, 5, false, 160},
				{20, 800, false, 5, false, 320},
				{40, 800, false, 5, false, 480},
				{60, 800, false, 5, true, 640},
				{80, 800, false, 5, true, 640},
				{100, 800, false, 5, true, 640},
			},
			[]DigitEvent{start('5'), end('5', 640)},
		},
		{
			"start lost, updates out of order",
			[]evPkt{
				{20, 800, false, 10, false, 480},
				{40, 800, false, 10, false, 320},
				{60, 800, false, 10, true, 640},
			},
			[]DigitEvent{start('*'), end('*', 640)},
		},
		{
			"only an end packet arrives",
			[]evPkt{{0, 800, false, 11, true, 1600}},
			[]DigitEvent{start('#'), end('#', 1600)},
		},
		{
			"next event ends one whose ends were lost",
			[]evPkt{
				{0, 800, true, 1, false, 160},
				{20, 800, false, 1, false, 320},
				{200, 4000, true, 2, false, 160},
				{220, 4000, false, 2, true, 320},
			},
			[]DigitEvent{start('1'), end('1', 320), start('2'), end('2', 320)},
		},
		{
			"same digit again, ends of the first lost",
			[]evPkt{
				{0, 800, true, 7, false, 160},
				{150, 4000, true, 7, false, 160},
				{170, 4000, false, 7, true, 320},
			},
			[]DigitEvent{start('7'), end('7', 160), start('7'), end('7', 320)},
		},
		{
			"old event's packets after a new one",
			[]evPkt{
				{0, 4000, true, 3, false, 160},
				{10, 800, false, 2, true, 320},
				{20, 4000, false, 3, true, 320},
			},
			[]DigitEvent{start('3'), end('3', 320)},
		},
		{
			"long event in segments",
			[]evPkt{
				// Updates between these are lost; the clock is not to scale.
				{0, 1000, true, 0, false, 160},
				{20, 1000, false, 0, false, 65440},
				{40, 1000 + 65440, false, 0, false, 160},
				{60, 1000, false, 0, false, 65440},
				{80, 1000 + 65440, false, 0, true, 8000},
			},
			[]DigitEvent{start('0'), end('0', 65440+8000)},
		},
		{
			"not a digit",
			[]evPkt{{0, 800, true, 16, false, 160}, {20, 800, false, 16, true, 320}},
			nil,
		},
	}
	t0 := time.Now()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r digitReceiver
			var got []DigitEvent
			for _, p := range tt.pkts {
				now := t0.Add(time.Duration(p.at) * time.Millisecond)
				// The timeout is checked before each packet, as the timer would.
				if e, ok, _ := r.expire(now); ok {
					got = append(got, e)
				}
				out, n := r.packet(p.ts, p.marker, telephoneevent.Event{Code: p.code, End: p.end, Duration: p.dur}, now)
				got = append(got, out[:n]...)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("events %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("event %d: %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestDigitReceiverTimeout(t *testing.T) {
	var r digitReceiver
	t0 := time.Now()
	r.packet(800, true, telephoneevent.Event{Code: 4, Duration: 160}, t0)
	r.packet(800, false, telephoneevent.Event{Code: 4, Duration: 320}, t0.Add(20*time.Millisecond))
	last := t0.Add(20 * time.Millisecond)

	if _, ok, wait := r.expire(last.Add(100 * time.Millisecond)); ok || wait != digitEndTimeout-100*time.Millisecond {
		t.Fatalf("100 ms after the last packet: ended %v, wait %v", ok, wait)
	}
	e, ok, _ := r.expire(last.Add(digitEndTimeout))
	if want := (DigitEvent{Digit: '4', End: true, Duration: 40 * time.Millisecond}); !ok || e != want {
		t.Fatalf("at the timeout: %+v, %v; want %+v", e, ok, want)
	}
	// The end packets arriving after all change nothing.
	if _, n := r.packet(800, false, telephoneevent.Event{Code: 4, End: true, Duration: 480}, last.Add(time.Second)); n != 0 {
		t.Errorf("a late end packet gave %d events", n)
	}
	if _, ok, _ := r.expire(last.Add(time.Hour)); ok {
		t.Error("an ended event expired again")
	}
}
