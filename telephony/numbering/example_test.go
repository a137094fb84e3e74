package numbering_test

import (
	"fmt"

	"tipring/telephony/numbering"
)

// A gateway in New York whose phones dial 9 for an outside line.
func Example() {
	plan := numbering.Plan{
		CountryCode:         "1",
		NationalPrefix:      "1",
		InternationalPrefix: "011",
		Rules:               []numbering.Rule{{Match: "9", Strip: 1}},
	}
	for _, dialled := range []string{"912125550100", "9011442079460000", "9911", "1002"} {
		n, err := plan.Outbound(dialled)
		if err != nil {
			fmt.Println(err)
			continue
		}
		if e, ok := plan.E164(n); ok {
			fmt.Printf("%s goes out as %s\n", dialled, e)
		} else {
			fmt.Printf("%s goes out as the dial string %s\n", dialled, n)
		}
	}

	in, err := plan.Inbound("tel:+1-212-555-0100")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("a call to +1 212 555 0100 is for", in)
	// Output:
	// 912125550100 goes out as +12125550100
	// 9011442079460000 goes out as +442079460000
	// 9911 goes out as the dial string 911
	// 1002 goes out as the dial string 1002
	// a call to +1 212 555 0100 is for 2125550100
}
