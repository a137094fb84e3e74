package digitmap_test

import (
	"fmt"

	"tipring/telephony/digitmap"
)

// A line asks after each digit whether to go on collecting.
func Example() {
	m, err := digitmap.Parse("[2-9]xxxxxx|1[2-9]xxxxxxxxx|*xx|x.T")
	if err != nil {
		fmt.Println(err)
		return
	}
	dialled := ""
	for _, d := range "*69" {
		dialled += string(d)
		fmt.Println(dialled, m.Match(dialled, false))
	}
	// Output:
	// * partial
	// *6 partial
	// *69 complete
}

// When the caller stops dialling, the line asks once more with timedOut:
// the answer is then complete or no match.
func ExampleMap_Match_timedOut() {
	m, err := digitmap.Parse("(1xxx|1xxxxxx|00x.T)")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Match("1234", false)) // dial on the short timer
	fmt.Println(m.Match("1234", true))
	fmt.Println(m.Match("00442071234567", false))
	fmt.Println(m.Match("00442071234567", true))
	fmt.Println(m.Match("12", true))
	// Output:
	// ambiguous
	// complete
	// partial
	// complete
	// no match
}

func ExampleParse() {
	m, err := digitmap.Parse("( 9 11 | [0-9#]X. t )")
	fmt.Println(m, err)
	_, err = digitmap.Parse("[2-9xxxxxx")
	fmt.Println(err)
	// Output:
	// 911|[0-9#]x.T <nil>
	// position 1: unclosed [
}
