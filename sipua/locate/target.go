package locate

import (
	"errors"
	"net/netip"
)

// Transport is a transport the gateway sends SIP on.
type Transport string

// The transports of RFC 3263 that the gateway has.
const (
	UDP Transport = "udp"
	TCP Transport = "tcp"
	TLS Transport = "tls" // over TCP
)

// defaultPort is the port of a transport when neither the URI nor an SRV
// record gives one (RFC 3261 §19.1.2).
func (t Transport) defaultPort() uint16 {
	if t == TLS {
		return 5061
	}
	return 5060
}

// URI is what Lookup needs of a SIP or SIPS URI.
type URI struct {
	Scheme    string // "sip" or "sips"
	Host      string // domain name, IPv4 address, or IPv6 address with or without brackets
	Port      uint16 // 0 when the URI has none
	Transport string // the transport parameter; "" when the URI has none
}

// Target is one place to send a request: a transport and an address.
type Target struct {
	Transport Transport
	Addr      netip.AddrPort
	// Host is the domain name Addr was found under, without the final
	// dot: the SRV target, or the URI's host when there was no SRV record;
	// empty when the URI held a numeric address. A TLS client may check
	// the server's certificate against it.
	Host string
}

// String gives the target as "transport:address:port", the form of the
// listen addresses in the configuration.
func (t Target) String() string {
	return string(t.Transport) + ":" + t.Addr.String()
}

var (
	// ErrInvalid means the URI cannot be looked up: a scheme other than
	// sip and sips, a host that is neither a domain name nor an IP address,
	// or a transport the gateway does not have.
	ErrInvalid = errors.New("locate: invalid URI")

	// ErrNotFound means DNS answered that the domain has no SIP server:
	// the name does not exist, it has no usable records, or its SRV
	// records say the service is not offered.
	ErrNotFound = errors.New("locate: no SIP server found")
)
