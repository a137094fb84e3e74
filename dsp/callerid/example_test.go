package callerid_test

import (
	"fmt"

	"tipring/dsp/callerid"
)

func Example() {
	audio, err := callerid.V23.Encode(callerid.Message{
		Time:   callerid.Time{Month: 12, Day: 24, Hour: 18, Minute: 30},
		Number: "0301234567",
		Name:   "ALICE",
	})
	if err != nil {
		panic(err)
	}
	// A phone's receiver, fed 20 ms frames.
	d := callerid.NewDetector()
	for len(audio) > 0 {
		frame := audio[:min(160, len(audio))]
		audio = audio[len(frame):]
		for len(frame) > 0 {
			n, ok := d.Process(frame)
			if ok {
				m := d.Message()
				fmt.Println(m.Standard, m.Time, m.Number, m.Name)
			}
			frame = frame[n:]
		}
	}
	// Output: v23 12241830 0301234567 ALICE
}
