package plc_test

import (
	"fmt"

	"tipring/dsp/plc"
)

func Example() {
	var c plc.Concealer
	frame := make([]int16, 160) // 20 ms at 8 kHz
	for _, arrived := range []bool{true, true, false, true} {
		var err error
		if arrived {
			// ... decode the packet's payload into frame ...
			err = c.Good(frame)
		} else {
			err = c.Lost(frame)
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		// ... play frame ...
	}
	fmt.Println(c.Lost(make([]int16, 100)))
	// Output: plc: frame length is not a positive multiple of 80 samples (10 ms): 100 samples
}
