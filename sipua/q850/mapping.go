package q850

// causeStatus maps a Q.850 cause to the SIP final response for a call that
// fails on the telephone side: RFC 3398 §7.2.4.1. Causes 1, 2, 3 → 404,
// 17 → 486 and 28 → 484 are also rows of the seed's SIP ↔ PSTN table.
// Zero marks a cause the RFC does not list.
var causeStatus = [128]uint16{
	// normal event
	UnallocatedNumber:          404,
	NoRouteToNetwork:           404,
	NoRouteToDestination:       404,
	UserBusy:                   486,
	NoUserResponding:           408,
	NoAnswer:                   480,
	SubscriberAbsent:           480,
	CallRejected:               403, // 603 may replace it when the user rejected (see Status)
	NumberChanged:              410, // 301 only with a new number to put in Contact
	RedirectedToNewDestination: 410,
	NonSelectedUserClearing:    404,
	DestinationOutOfOrder:      502,
	InvalidNumberFormat:        484,
	// The RFC prints "510 Not implemented"; 510 is no SIP status code,
	// and 501 is the one named Not Implemented.
	FacilityRejected:  501,
	NormalUnspecified: 480,
	// resource unavailable
	NoCircuitAvailable:           503,
	NetworkOutOfOrder:            503,
	TemporaryFailure:             503,
	SwitchingEquipmentCongestion: 503,
	ResourceUnavailable:          503,
	// service or option not available
	IncomingCallsBarredWithinCUG:  403,
	BearerCapabilityNotAuthorized: 403,
	BearerCapabilityNotAvailable:  503,
	// service or option not implemented
	BearerCapabilityNotImplemented: 488,
	OnlyRestrictedDigital:          488,
	ServiceNotImplemented:          501,
	// invalid message
	UserNotMemberOfCUG:      403,
	IncompatibleDestination: 503,
	// protocol error
	RecoveryOnTimerExpiry: 504,
	ProtocolError:         500,
	// interworking
	Interworking: 500,
}

// Status returns the SIP final response with which the gateway rejects an
// INVITE that failed on the telephone side with cause c (RFC 3398 §7.2.4.1).
//
// A cause the RFC does not list takes the response of the "unspecified"
// cause of its Q.850 class, so 16 (normal call clearing, which usually
// becomes a BYE or CANCEL rather than a response) gives 480 like 31;
// where that too is unlisted (classes "service or option not available"
// and "invalid message"), and for values above 127, the response is
// 500 Server Internal Error.
//
// The RFC lets a 6xx replace the 4xx when the cause location is the user;
// Status does not know the location, so a caller that knows the called
// user rejected the call answers 603 Decline rather than 403.
func (c Cause) Status() int {
	if int(c) < len(causeStatus) && causeStatus[c] != 0 {
		return int(causeStatus[c])
	}
	if u, ok := c.unspecified(); ok && causeStatus[u] != 0 {
		return int(causeStatus[u])
	}
	return 500
}

// statusCause maps a SIP final response to the Q.850 cause with which the
// gateway releases the telephone side of a call that failed on the SIP
// side: RFC 3398 §8.2.6.1. Every row of the seed's SIP ↔ PSTN table is
// here too. Zero marks a status the RFC does not list.
var statusCause = [700]Cause{
	400: TemporaryFailure,
	401: CallRejected, // only when the gateway cannot authenticate itself
	402: CallRejected,
	403: CallRejected,
	404: UnallocatedNumber,
	405: ServiceNotAvailable,
	406: ServiceNotImplemented,
	407: CallRejected, // only when the gateway cannot authenticate itself
	408: RecoveryOnTimerExpiry,
	410: NumberChanged,
	413: Interworking,
	414: Interworking,
	415: ServiceNotImplemented,
	416: Interworking,
	420: Interworking,
	421: Interworking,
	423: Interworking,
	480: NoUserResponding,
	481: TemporaryFailure,
	482: ExchangeRoutingError,
	483: ExchangeRoutingError,
	484: InvalidNumberFormat,
	485: UnallocatedNumber,
	486: UserBusy,
	// 487 has no mapping: see FromStatus.
	// 488 and 606 map by their Warning header: 31 by default, 65 when the
	// warning is about an unavailable bearer capability.
	488: NormalUnspecified,
	500: TemporaryFailure,
	501: ServiceNotImplemented,
	502: NetworkOutOfOrder,
	503: TemporaryFailure,
	504: RecoveryOnTimerExpiry,
	505: Interworking,
	513: Interworking,
	600: UserBusy,
	603: CallRejected,
	604: UnallocatedNumber,
	606: NormalUnspecified,
}

// FromStatus returns the Q.850 cause with which the gateway releases the
// telephone side of a call whose INVITE got the SIP final response status
// (RFC 3398 §8.2.6.1). A status from 300 to 699 that the RFC does not list
// gives 31 (normal, unspecified), as the RFC asks for statuses of later
// extensions.
//
// ok is false when the RFC gives no cause: for 487 Request Terminated,
// which answers the gateway's own CANCEL, sent because the telephone side
// had already cleared; and for a status that is not a failure (below 300)
// or not a status at all (above 699).
func FromStatus(status int) (c Cause, ok bool) {
	if status < 300 || status >= len(statusCause) || status == 487 {
		return 0, false
	}
	if c := statusCause[status]; c != 0 {
		return c, true
	}
	return NormalUnspecified, true
}
