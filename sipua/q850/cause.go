package q850

import "strconv"

// A Cause is an ITU-T Q.850 cause value (1 to 127): why a call attempt
// failed or a call ended.
type Cause uint8

// Cause values of ITU-T Q.850 Table 1 that the RFC 3398 mappings and the
// gateway use. The top three bits of a value give its class: 0 and 1 normal
// event, 2 resource unavailable, 3 service or option not available, 4 service
// or option not implemented, 5 invalid message, 6 protocol error,
// 7 interworking.
const (
	UnallocatedNumber              Cause = 1
	NoRouteToNetwork               Cause = 2 // no route to specified transit network
	NoRouteToDestination           Cause = 3
	NormalClearing                 Cause = 16
	UserBusy                       Cause = 17
	NoUserResponding               Cause = 18
	NoAnswer                       Cause = 19 // no answer from user (user alerted)
	SubscriberAbsent               Cause = 20
	CallRejected                   Cause = 21
	NumberChanged                  Cause = 22
	RedirectedToNewDestination     Cause = 23
	ExchangeRoutingError           Cause = 25
	NonSelectedUserClearing        Cause = 26
	DestinationOutOfOrder          Cause = 27
	InvalidNumberFormat            Cause = 28 // address incomplete
	FacilityRejected               Cause = 29
	NormalUnspecified              Cause = 31
	NoCircuitAvailable             Cause = 34
	NetworkOutOfOrder              Cause = 38
	TemporaryFailure               Cause = 41
	SwitchingEquipmentCongestion   Cause = 42
	ResourceUnavailable            Cause = 47 // unspecified
	IncomingCallsBarredWithinCUG   Cause = 55
	BearerCapabilityNotAuthorized  Cause = 57
	BearerCapabilityNotAvailable   Cause = 58 // not presently available
	ServiceNotAvailable            Cause = 63 // service or option not available, unspecified
	BearerCapabilityNotImplemented Cause = 65
	OnlyRestrictedDigital          Cause = 70 // only restricted digital information bearer capability
	ServiceNotImplemented          Cause = 79 // service or option not implemented, unspecified
	UserNotMemberOfCUG             Cause = 87
	IncompatibleDestination        Cause = 88
	InvalidMessage                 Cause = 95 // unspecified
	RecoveryOnTimerExpiry          Cause = 102
	ProtocolError                  Cause = 111 // unspecified
	Interworking                   Cause = 127 // unspecified
)

// causeText is the wording of each cause in ITU-T Q.850 Table 1.
var causeText = [128]string{
	1:   "Unallocated (unassigned) number",
	2:   "No route to specified transit network",
	3:   "No route to destination",
	4:   "Send special information tone",
	5:   "Misdialled trunk prefix",
	6:   "Channel unacceptable",
	7:   "Call awarded and being delivered in an established channel",
	8:   "Preemption",
	9:   "Preemption - circuit reserved for reuse",
	16:  "Normal call clearing",
	17:  "User busy",
	18:  "No user responding",
	19:  "No answer from user (user alerted)",
	20:  "Subscriber absent",
	21:  "Call rejected",
	22:  "Number changed",
	23:  "Redirection to new destination",
	25:  "Exchange routing error",
	26:  "Non-selected user clearing",
	27:  "Destination out of order",
	28:  "Invalid number format (address incomplete)",
	29:  "Facility rejected",
	30:  "Response to STATUS ENQUIRY",
	31:  "Normal, unspecified",
	34:  "No circuit/channel available",
	38:  "Network out of order",
	39:  "Permanent frame mode connection out of service",
	40:  "Permanent frame mode connection operational",
	41:  "Temporary failure",
	42:  "Switching equipment congestion",
	43:  "Access information discarded",
	44:  "Requested circuit/channel not available",
	46:  "Precedence call blocked",
	47:  "Resource unavailable, unspecified",
	49:  "Quality of Service not available",
	50:  "Requested facility not subscribed",
	53:  "Outgoing calls barred within CUG",
	55:  "Incoming calls barred within CUG",
	57:  "Bearer capability not authorized",
	58:  "Bearer capability not presently available",
	62:  "Inconsistency in designated outgoing access information and subscriber class",
	63:  "Service or option not available, unspecified",
	65:  "Bearer capability not implemented",
	66:  "Channel type not implemented",
	69:  "Requested facility not implemented",
	70:  "Only restricted digital information bearer capability is available",
	79:  "Service or option not implemented, unspecified",
	81:  "Invalid call reference value",
	82:  "Identified channel does not exist",
	83:  "A suspended call exists, but this call identity does not",
	84:  "Call identity in use",
	85:  "No call suspended",
	86:  "Call having the requested call identity has been cleared",
	87:  "User not member of CUG",
	88:  "Incompatible destination",
	90:  "Non-existent CUG",
	91:  "Invalid transit network selection",
	95:  "Invalid message, unspecified",
	96:  "Mandatory information element is missing",
	97:  "Message type non-existent or not implemented",
	98:  "Message not compatible with call state or message type non-existent or not implemented",
	99:  "Information element/parameter non-existent or not implemented",
	100: "Invalid information element contents",
	101: "Message not compatible with call state",
	102: "Recovery on timer expiry",
	103: "Parameter non-existent or not implemented, passed on",
	110: "Message with unrecognized parameter, discarded",
	111: "Protocol error, unspecified",
	127: "Interworking, unspecified",
}

// String returns the cause's wording in Q.850, or "cause N" for a value
// Q.850 does not define.
func (c Cause) String() string {
	if int(c) < len(causeText) && causeText[c] != "" {
		return causeText[c]
	}
	return "cause " + strconv.Itoa(int(c))
}

// unspecified returns the "unspecified" cause of c's class, which ISUP
// (ITU-T Q.764) uses in place of a cause value it does not recognise, and
// false when c is above 127 and so has no class.
func (c Cause) unspecified() (Cause, bool) {
	switch {
	case c < 32: // classes 0 and 1 together are "normal event"
		return NormalUnspecified, true
	case c < 128:
		return c | 0x0f, true
	}
	return 0, false
}
