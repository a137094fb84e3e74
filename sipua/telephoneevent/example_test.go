package telephoneevent_test

import (
	"fmt"

	"tipring/sipua/telephoneevent"
)

func ExampleEvent_MarshalTo() {
	code, _ := telephoneevent.Code('#')
	var payload [telephoneevent.Size]byte
	telephoneevent.Event{Code: code, End: true, Volume: 10, Duration: 800}.MarshalTo(payload[:])
	fmt.Printf("% x\n", payload)
	// Output: 0b 8a 03 20
}
