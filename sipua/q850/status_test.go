package q850

import "testing"

func TestStatusText(t *testing.T) {
	for _, tc := range []struct {
		code int
		want string
	}{
		{100, "Trying"},
		{183, "Session Progress"},
		{200, "OK"},
		{302, "Moved Temporarily"},
		{404, "Not Found"},
		{407, "Proxy Authentication Required"},
		{481, "Call/Transaction Does Not Exist"},
		{486, "Busy Here"},
		{487, "Request Terminated"},
		{503, "Service Unavailable"},
		{504, "Server Time-out"},
		{600, "Busy Everywhere"},
		{603, "Decline"},
		{0, ""},
		{299, ""},
		{409, ""},
		{700, ""},
		{-486, ""},
	} {
		if got := StatusText(tc.code); got != tc.want {
			t.Errorf("StatusText(%d) = %q, want %q", tc.code, got, tc.want)
		}
	}
}

// Every response either mapping gives or takes has a phrase.
func TestStatusTextCoversTheTables(t *testing.T) {
	for _, r := range rfc3398Section7 {
		if StatusText(r.status) == "" {
			t.Errorf("no reason phrase for %d", r.status)
		}
	}
	for _, r := range rfc3398Section8 {
		if StatusText(r.status) == "" {
			t.Errorf("no reason phrase for %d", r.status)
		}
	}
}
