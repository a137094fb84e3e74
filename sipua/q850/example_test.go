package q850_test

import (
	"fmt"

	"tipring/sipua/q850"
)

// The analog line was busy: the gateway rejects the INVITE with the
// matching response and says why in a Reason header (RFC 6432).
func Example_lineBusy() {
	cause := q850.UserBusy
	status := cause.Status()
	fmt.Println(status, q850.StatusText(status))
	fmt.Println("Reason:", cause.Reason())
	// Output:
	// 486 Busy Here
	// Reason: Q.850;cause=17;text="User busy"
}

// The SIP side failed a call from the line: the gateway takes the Q.850
// cause from the response's Reason header if there is one, and maps the
// status otherwise.
func Example_sipFailed() {
	status, header := 480, `SIP;cause=480, Q.850;cause=19;text="No answer from user (user alerted)"`
	rs, err := q850.ParseReasons(header)
	if err != nil {
		fmt.Println(err)
		return
	}
	cause, ok := q850.Q850Cause(rs)
	if !ok {
		cause, _ = q850.FromStatus(status)
	}
	fmt.Printf("%d %v\n", cause, cause)
	// Output:
	// 19 No answer from user (user alerted)
}
