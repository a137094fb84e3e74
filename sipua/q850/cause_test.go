package q850

import (
	"strings"
	"testing"
)

func TestCauseString(t *testing.T) {
	for _, tc := range []struct {
		c    Cause
		want string
	}{
		{UnallocatedNumber, "Unallocated (unassigned) number"},
		{NoRouteToDestination, "No route to destination"},
		{NormalClearing, "Normal call clearing"},
		{UserBusy, "User busy"},
		{NoAnswer, "No answer from user (user alerted)"},
		{CallRejected, "Call rejected"},
		{NumberChanged, "Number changed"},
		{InvalidNumberFormat, "Invalid number format (address incomplete)"},
		{NormalUnspecified, "Normal, unspecified"},
		{NetworkOutOfOrder, "Network out of order"},
		{RecoveryOnTimerExpiry, "Recovery on timer expiry"},
		{Interworking, "Interworking, unspecified"},
		{0, "cause 0"},
		{24, "cause 24"},
		{126, "cause 126"},
		{200, "cause 200"},
	} {
		if got := tc.c.String(); got != tc.want {
			t.Errorf("Cause(%d).String() = %q, want %q", uint8(tc.c), got, tc.want)
		}
	}
}

// Every cause either RFC 3398 table names has a constant and a wording.
func TestCausesOfTheTablesAreNamed(t *testing.T) {
	named := map[int]bool{}
	for _, c := range []Cause{
		UnallocatedNumber, NoRouteToNetwork, NoRouteToDestination, NormalClearing,
		UserBusy, NoUserResponding, NoAnswer, SubscriberAbsent, CallRejected,
		NumberChanged, RedirectedToNewDestination, ExchangeRoutingError,
		NonSelectedUserClearing, DestinationOutOfOrder, InvalidNumberFormat,
		FacilityRejected, NormalUnspecified, NoCircuitAvailable, NetworkOutOfOrder,
		TemporaryFailure, SwitchingEquipmentCongestion, ResourceUnavailable,
		IncomingCallsBarredWithinCUG, BearerCapabilityNotAuthorized,
		BearerCapabilityNotAvailable, ServiceNotAvailable,
		BearerCapabilityNotImplemented, OnlyRestrictedDigital, ServiceNotImplemented,
		UserNotMemberOfCUG, IncompatibleDestination, InvalidMessage,
		RecoveryOnTimerExpiry, ProtocolError, Interworking,
	} {
		named[int(c)] = true
	}
	var causes []int
	for _, r := range rfc3398Section7 {
		causes = append(causes, r.cause)
	}
	for _, r := range rfc3398Section8 {
		causes = append(causes, r.cause)
	}
	for _, c := range causes {
		if !named[c] {
			t.Errorf("cause %d of RFC 3398 has no constant", c)
		}
		if s := Cause(c).String(); strings.HasPrefix(s, "cause ") {
			t.Errorf("cause %d of RFC 3398 has no wording: %q", c, s)
		}
	}
}
