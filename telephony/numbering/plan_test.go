package numbering

import (
	"errors"
	"testing"
)

func TestInbound(t *testing.T) {
	for _, tc := range []struct {
		name string
		plan Plan
		in   string
		want string // "" for ErrNotNumber
	}{
		{"US E.164", us, "+12125550100", "2125550100"},
		{"US national prefix", us, "12125550100", "2125550100"},
		{"US ten digits", us, "2125550100", "2125550100"},
		{"US tel URI", us, "tel:+1-212-555-0100", "2125550100"},
		{"US tel URI upper case", us, "TEL:+1.212.555.0100;ext=22", "2125550100"},
		{"US parentheses", us, "+1(212)555-0100", "2125550100"},
		{"US foreign", us, "+442079460000", "011442079460000"},
		{"US extension", us, "1002", "1002"},
		{"US local", us, "5550100", "5550100"},
		{"US local with context", us, "tel:5550100;phone-context=+1-212", "5550100"},
		{"US star code", us, "*69", "*69"},
		{"escaped hash", us, "*21%23", "*21#"},
		{"escaped star", us, "%2a21%2A", "*21*"},
		{"escaped plus", us, "%2B12125550100", "2125550100"},
		{"not E.164 stays", us, "+999", "+999"},

		{"GB E.164", gb, "+442079460000", "02079460000"},
		{"GB international", gb, "00442079460000", "02079460000"},
		{"GB national", gb, "02079460000", "02079460000"},
		{"GB foreign", gb, "+33142685300", "0033142685300"},
		{"GB to NANP", gb, "+12125550100", "0012125550100"},
		{"GB without prefix", gb, "2079460000", "2079460000"},
		{"DE E.164", de, "+4930123456", "030123456"},
		{"DE extension", de, "21", "21"},
		{"DE number that would read as international", de, "+4900", "+4900"},
		{"AU E.164", au, "+61298765432", "0298765432"},
		{"AU to NANP", au, "+12125550100", "001112125550100"},
		{"AU emergency", au, "000", "000"},
		{"JP E.164", jp, "+819012345678", "09012345678"},
		{"JP to GB", jp, "+442079460000", "010442079460000"},
		{"IT has no national prefix", it, "+390612345678", "0612345678"},
		{"IT mobile", it, "+393123456789", "3123456789"},
		{"no international prefix keeps +", Plan{CountryCode: "44", NationalPrefix: "0"}, "+33142685300", "+33142685300"},

		{"empty", us, "", ""},
		{"tel URI without number", us, "tel:", ""},
		{"parameters only", us, ";user=phone", ""},
		{"separators only", us, "--", ""},
		{"plus alone", us, "+", ""},
		{"space", us, "212 555 0100", ""},
		{"letters", us, "alice", ""},
		{"SIP URI", us, "sip:+12125550100@example.com", ""},
		{"host", us, "12125550100@example.com", ""},
		{"short escape", us, "12%2", ""},
		{"bad escape", us, "12%zz", ""},
		{"escaped letter", us, "12%41", ""},
		{"escaped separator", us, "12%2D3", ""},
		{"escaped semicolon", us, "12%3Bx", ""},
		{"plus inside", us, "12+3", ""},
		{"DTMF letter", us, "12A", ""},
	} {
		got, err := tc.plan.Inbound(tc.in)
		if tc.want == "" {
			if !errors.Is(err, ErrNotNumber) {
				t.Errorf("%s: Inbound(%q) = %q, %v; want ErrNotNumber", tc.name, tc.in, got, err)
			}
			continue
		}
		if got != tc.want || err != nil {
			t.Errorf("%s: Inbound(%q) = %q, %v; want %q", tc.name, tc.in, got, err, tc.want)
		}
	}
}

func TestRules(t *testing.T) {
	// A German office: 0 gets an outside line, **1 is reception's mobile,
	// calls to the DID range 030 1234 xxx ring extensions xxx, and other
	// calls to 030 12 get a 9 in front.
	office := de
	office.Rules = []Rule{
		{Match: "0", Strip: 1},
		{Match: "**1", Strip: 3, Prefix: "+4915112345678"},
		{Match: "0301234", Strip: 7, Direction: In},
		{Match: "03012", Direction: In, Prefix: "9"},
	}
	for _, tc := range []struct {
		name string
		plan Plan
		dir  Direction
		in   string
		want string // "" for ErrNotNumber
	}{
		{"outside line", office, Out, "0030123456", "030123456"},
		{"outside line, international", office, Out, "000442079460000", "00442079460000"},
		{"speed dial", office, Out, "**1", "+4915112345678"},
		{"extension", office, Out, "21", "21"},
		{"in rule not used out", office, Out, "9030123456", "9030123456"},
		{"DID", office, In, "+49301234456", "456"},
		{"DID in national form", office, In, "0301234456", "456"},
		{"only the first rule", office, In, "+4930123499", "99"},
		{"second rule", office, In, "+493012999", "903012999"},
		{"out rule not used in", office, In, "**1", "**1"},
		{"nothing left", Plan{Rules: []Rule{{Match: "9", Strip: 1}}}, Out, "9", ""},
		{"strip beyond the end", Plan{Rules: []Rule{{Match: "9", Strip: 5, Prefix: "1"}}}, Out, "912", "1"},
		{"negative strip", Plan{Rules: []Rule{{Match: "9", Strip: -1, Prefix: "1"}}}, Out, "912", "1912"},
		{"empty match fits all", Plan{Rules: []Rule{{Prefix: "8"}}}, Out, "21", "821"},
		{"two pluses", Plan{Rules: []Rule{{Prefix: "+"}}}, Out, "+12125550100", ""},
		{"bad prefix", Plan{Rules: []Rule{{Prefix: "x"}}}, Out, "21", ""},
		{"not a number", office, Out, "0a", ""},
	} {
		var got string
		var err error
		if tc.dir == In {
			got, err = tc.plan.Inbound(tc.in)
		} else {
			got, err = tc.plan.Outbound(tc.in)
		}
		if tc.want == "" {
			if !errors.Is(err, ErrNotNumber) {
				t.Errorf("%s: %q gave %q, %v; want ErrNotNumber", tc.name, tc.in, got, err)
			}
			continue
		}
		if got != tc.want || err != nil {
			t.Errorf("%s: %q gave %q, %v; want %q", tc.name, tc.in, got, err, tc.want)
		}
	}
}
