package dtmf

// Q.23 frequencies: the low group selects a keypad row, the high group a column.
var (
	lowFreqs  = [4]float64{697, 770, 852, 941}
	highFreqs = [4]float64{1209, 1336, 1477, 1633}
	// North American precise dial tone, which the detector discounts.
	dialFreqs = [2]float64{350, 440}
)

// keypad is indexed [row][column].
var keypad = [4][4]byte{
	{'1', '2', '3', 'A'},
	{'4', '5', '6', 'B'},
	{'7', '8', '9', 'C'},
	{'*', '0', '#', 'D'},
}

// position returns the keypad row and column of digit d; ok is false when d
// is not a DTMF digit. Letters may be given in either case.
func position(d byte) (row, col int, ok bool) {
	if d >= 'a' && d <= 'd' {
		d -= 'a' - 'A'
	}
	for r := range keypad {
		for c := range keypad[r] {
			if keypad[r][c] == d {
				return r, c, true
			}
		}
	}
	return 0, 0, false
}

// Frequencies returns the low- and high-group frequencies of digit d in Hz;
// ok is false when d is not one of 0-9 * # A-D.
func Frequencies(d byte) (low, high float64, ok bool) {
	r, c, ok := position(d)
	if !ok {
		return 0, 0, false
	}
	return lowFreqs[r], highFreqs[c], true
}
