package telephony

import (
	"testing"
	"time"
)

func TestDigitTimeoutsAfter(t *testing.T) {
	set := DigitTimeouts{First: 20 * time.Second, Inter: 8 * time.Second, Critical: 2 * time.Second}
	for _, c := range []struct {
		plan, digits string
		t            DigitTimeouts
		want         time.Duration
	}{
		{"x.T", "123", DigitTimeouts{}, defaultCritical},
		{"x.T", "123", set, 2 * time.Second},
		{"911|[2-8]xxxxxx", "555", DigitTimeouts{}, defaultInterDigit},
		{"911|[2-8]xxxxxx", "555", set, 8 * time.Second},
		{"1234|1234567", "1234", set, 2 * time.Second}, // complete, but may go on
		{"1234|1234567", "12345", set, 8 * time.Second},
	} {
		if got := c.t.after(mustParse(c.plan), c.digits); got != c.want {
			t.Errorf("%s after %q with %+v: %v, want %v", c.plan, c.digits, c.t, got, c.want)
		}
	}
	if got := (DigitTimeouts{}).first(); got != defaultFirstDigit {
		t.Errorf("default first digit timeout %v", got)
	}
}
