package numbering

import "testing"

// The sites the tests dial from.
var (
	us  = Plan{CountryCode: "1", NationalPrefix: "1", InternationalPrefix: "011"}
	gb  = Plan{CountryCode: "44", NationalPrefix: "0", InternationalPrefix: "00"}
	de  = Plan{CountryCode: "49", NationalPrefix: "0", InternationalPrefix: "00"}
	au  = Plan{CountryCode: "61", NationalPrefix: "0", InternationalPrefix: "0011"}
	jp  = Plan{CountryCode: "81", NationalPrefix: "0", InternationalPrefix: "010"}
	it  = Plan{CountryCode: "39", InternationalPrefix: "00"}
	itu = Plan{InternationalPrefix: "00"}
)

func TestE164(t *testing.T) {
	for _, tc := range []struct {
		name string
		plan Plan
		in   string
		want string // "" when not E.164
	}{
		{"US ten digits", us, "2125550100", "+12125550100"},
		{"US national prefix", us, "12125550100", "+12125550100"},
		{"US plus", us, "+12125550100", "+12125550100"},
		{"US international", us, "011442079460000", "+442079460000"},
		{"US international to NANP", us, "01112125550100", "+12125550100"},
		{"US seven-digit local", us, "5550100", ""},
		{"US emergency", us, "911", ""},
		{"US extension", us, "1002", ""},
		{"US star code", us, "*69", ""},
		{"US operator", us, "0", ""},
		{"US prefix and nine digits", us, "1212555010", ""},
		{"US area code from 1", us, "11255501000", ""},
		{"US area code from 0", us, "0125550100", ""},
		{"US exchange code from 1", us, "2121550100", ""},
		{"US eleven digits", us, "+121255501000", ""},
		{"US international prefix alone", us, "011", ""},
		{"US country code 0", us, "0110442079460000", ""},
		{"US hash", us, "12125550100#", ""},

		{"GB national", gb, "02079460000", "+442079460000"},
		{"GB mobile", gb, "07700900123", "+447700900123"},
		{"GB international to GB", gb, "00442079460000", "+442079460000"},
		{"GB international to FR", gb, "0033142685300", "+33142685300"},
		{"GB international to NANP short", gb, "0012125", ""},
		{"GB emergency", gb, "999", ""},
		{"GB European emergency", gb, "112", ""},
		{"GB without prefix", gb, "2079460000", ""},
		{"GB prefix alone", gb, "0", ""},
		{"GB international prefix alone", gb, "00", ""},

		{"DE national", de, "030123456", "+4930123456"},
		{"DE mobile", de, "015112345678", "+4915112345678"},
		{"DE international to DE", de, "0049301234", "+49301234"},
		{"DE police", de, "110", ""},
		{"DE local", de, "123456", ""},
		{"DE sixteen digits", de, "+4930123456789012", ""},
		{"DE fifteen digits", de, "+493012345678901", "+493012345678901"},

		{"AU national", au, "0298765432", "+61298765432"},
		{"AU mobile", au, "0412345678", "+61412345678"},
		{"AU emergency", au, "000", ""},
		{"AU emergency after plus", au, "+61000", ""},
		{"AU short national", au, "029876543", ""},
		{"AU international to NANP", au, "001112125550100", "+12125550100"},
		{"AU international to GB", au, "0011442079460000", "+442079460000"},
		{"AU European emergency", au, "112", ""},

		{"JP national", jp, "0312345678", "+81312345678"},
		{"JP mobile", jp, "09012345678", "+819012345678"},
		{"JP 010 is international, not national", jp, "0102125550100", "+2125550100"},
		{"JP international to NANP", jp, "01012125550100", "+12125550100"},
		{"JP police", jp, "110", ""},
		{"JP international prefix alone", jp, "010", ""},

		{"IT national is ambiguous", it, "0612345678", ""},
		{"IT international", it, "00390612345678", "+390612345678"},
		{"ITU international", itu, "00442079460000", "+442079460000"},
		{"ITU national prefix means nothing", itu, "02079460000", ""},
		{"ITU plus", itu, "+33142685300", "+33142685300"},

		{"country code 7", gb, "+74951234567", "+74951234567"},
		{"three-digit country code", gb, "+35312345678", "+35312345678"},
		{"country code alone", gb, "+353", ""},
		{"no country code", gb, "+80", ""},
		{"unassigned country code ends nothing", gb, "+0442079460000", ""},
		{"bad plan country code", Plan{CountryCode: "4", NationalPrefix: "0"}, "04123456", ""},
		{"letters in plan", Plan{CountryCode: "4x", NationalPrefix: "0"}, "0123456", ""},

		{"empty", us, "", ""},
		{"plus alone", us, "+", ""},
		{"double plus", us, "++12125550100", ""},
		{"plus inside", us, "1+2125550100", ""},
		{"letters", us, "21255501OO", ""},
		{"separators", us, "212-555-0100", ""},
	} {
		got, ok := tc.plan.E164(tc.in)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("%s: E164(%q) = %q, %v; want %q", tc.name, tc.in, got, ok, tc.want)
		}
	}
}

func TestCountryCode(t *testing.T) {
	for _, tc := range []struct{ n, want string }{
		{"12125550100", "1"},
		{"74951234567", "7"},
		{"442079460000", "44"},
		{"20227921234", "20"},
		{"27211234567", "27"},
		{"98211234567", "98"},
		{"35312345678", "353"},
		{"21212345678", "212"},
		{"88012345678", "880"},
		{"80012345678", "800"},
		{"97212345678", "972"},
		{"4", "4"},
		{"35", "35"},
		{"", ""},
	} {
		if got := countryCode(tc.n); got != tc.want {
			t.Errorf("countryCode(%q) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
