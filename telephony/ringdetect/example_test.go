package ringdetect_test

import (
	"fmt"
	"time"

	"tipring/hal"
	"tipring/telephony/ringdetect"
)

func Example() {
	d, err := ringdetect.New(ringdetect.DefaultOpts)
	if err != nil {
		panic(err)
	}
	// A North American line rings twice, 2 s on and 4 s off, and the
	// caller gives up. The frame loop gives the port's events, then ticks.
	events := []hal.Event{
		{Kind: hal.EventRingStart, At: 0}, {Kind: hal.EventRingStop, At: 2 * time.Second},
		{Kind: hal.EventRingStart, At: 6 * time.Second}, {Kind: hal.EventRingStop, At: 8 * time.Second},
	}
	for now := time.Duration(0); now <= 15*time.Second; now += hal.FrameDuration {
		for len(events) > 0 && events[0].At <= now {
			d.Event(events[0])
			events = events[1:]
		}
		d.Tick(now)
		for s, ok := d.Next(); ok; s, ok = d.Next() {
			fmt.Println(s)
		}
	}
	// Output:
	// call-start @0s
	// ring-start @0s
	// ring-end @2s
	// ring-start @6s
	// ring-end @8s
	// abandoned @8s
}
