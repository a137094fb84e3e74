package hookswitch_test

import (
	"fmt"
	"time"

	"tipring/hal"
	"tipring/telephony/hookswitch"
)

func Example() {
	d, err := hookswitch.New(hookswitch.DefaultTiming, hal.OnHook)
	if err != nil {
		panic(err)
	}
	ms := time.Millisecond
	// The handset is lifted, a 2 is dialled, then the hook is flashed. A
	// frame loop would call Tick each frame too, which tells a digit's end
	// as soon as the make has lasted DigitGap; here the next break does.
	for _, e := range []hal.Event{
		{Kind: hal.EventHookOff, At: 0},
		{Kind: hal.EventHookOn, At: 1000 * ms}, {Kind: hal.EventHookOff, At: 1060 * ms},
		{Kind: hal.EventHookOn, At: 1100 * ms}, {Kind: hal.EventHookOff, At: 1160 * ms},
		{Kind: hal.EventHookOn, At: 2000 * ms}, {Kind: hal.EventHookOff, At: 2600 * ms},
	} {
		d.Event(e)
		for a, ok := d.Next(); ok; a, ok = d.Next() {
			fmt.Println(a)
		}
	}
	// Output:
	// off-hook @0s
	// digit 2 @1.16s
	// flash @2s
}
