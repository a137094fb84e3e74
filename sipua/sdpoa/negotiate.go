package sdpoa

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pion/sdp/v3"
)

// stream is what we can make of one audio m= line of the peer's SDP.
type stream struct {
	Result
	events eventSet // telephone-event codes both sides know
}

// negotiate works out audio stream md of the peer's SDP sd, offer or answer,
// given the codecs we accept, the direction we wish and the address we
// receive on. The codec is the first of md's formats we accept.
//
// It fails with ErrNoCommonCodec if the stream is of no use to us and with
// ErrMalformed if it is unusable as written.
func negotiate(sd *sdp.SessionDescription, md *sdp.MediaDescription, codecs []Codec, wish Direction, local netip.Addr) (stream, error) {
	st := stream{Result: noAudio}
	// Whether RTP/SAVP can be keyed is for chooseCrypto and acceptCrypto.
	if proto := strings.Join(md.MediaName.Protos, "/"); !strings.EqualFold(proto, "RTP/AVP") && !isSAVP(md) {
		return st, fmt.Errorf("%w: audio over %s, we speak RTP/AVP and RTP/SAVP", ErrNoCommonCodec, proto)
	}

	codecFound := false
	for _, pt := range md.MediaName.Formats {
		f, ok := lookupFormat(md, pt)
		if !ok {
			continue
		}
		if !codecFound {
			if i := slices.IndexFunc(codecs, func(c Codec) bool { return f.is(c.Name) }); i >= 0 {
				st.Codec = Codec{PayloadType: f.pt, Name: codecs[i].Name, ClockRate: codecs[i].ClockRate}
				codecFound = true
				continue
			}
		}
		if st.TelephoneEvent < 0 && f.is("telephone-event") {
			// RFC 4733 §7.1.1: without an events list, 0-15 is meant.
			events, ok := dtmfEvents, true
			if list, found := fmtp(md, pt); found {
				events, ok = parseEvents(list)
			}
			if events = events.and(dtmfEvents); ok && !events.empty() {
				st.TelephoneEvent = int(f.pt)
				st.events = events
			}
		}
		if st.ComfortNoise < 0 && f.is("CN") {
			st.ComfortNoise = int(f.pt)
		}
	}
	if !codecFound {
		return st, fmt.Errorf("%w: audio has payload types %s", ErrNoCommonCodec, strings.Join(md.MediaName.Formats, " "))
	}

	addr, err := connectionAddr(sd, md)
	if err != nil {
		return st, err
	}
	// A socket bound to our address cannot reach the other IP version.
	// 0.0.0.0 is hold, not an address, whatever our version.
	if !addr.IsUnspecified() && addr.Is4() != local.Is4() {
		return st, fmt.Errorf("%w: audio at %v, we are at %v", ErrNoCommonCodec, addr, local)
	}
	st.Remote = netip.AddrPortFrom(addr, uint16(md.MediaName.Port.Value))

	peer := peerDirection(sd, md)
	// RFC 3264 §8.4: c=0.0.0.0 (RFC 2543 hold) means send nothing to the peer.
	st.Send = wish.sends() && peer.receives() && !addr.IsUnspecified()
	st.Recv = wish.receives() && peer.sends()
	st.PTime = millis(sd, md, "ptime")
	st.MaxPTime = millis(sd, md, "maxptime")
	return st, nil
}

// connectionAddr returns the address of stream md: its own c= line, else
// the session's.
func connectionAddr(sd *sdp.SessionDescription, md *sdp.MediaDescription) (netip.Addr, error) {
	c := md.ConnectionInformation
	if c == nil {
		c = sd.ConnectionInformation
	}
	if c == nil || c.Address == nil {
		return netip.Addr{}, fmt.Errorf("%w: no connection address (c=) for the audio stream", ErrMalformed)
	}
	addr, err := netip.ParseAddr(c.Address.Address)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%w: connection address %q is not an IP address", ErrMalformed, c.Address.Address)
	}
	if addr.Is4() != (c.AddressType == "IP4") {
		return netip.Addr{}, fmt.Errorf("%w: connection address %s is not of type %s", ErrMalformed, c.Address.Address, c.AddressType)
	}
	return addr.Unmap().WithZone(""), nil
}

// millis reads attribute key of stream md, else of the session, as a time
// in milliseconds; 0 if it is absent or makes no sense. RFC 4566 §6 allows
// fractions ("a=ptime:20.0").
func millis(sd *sdp.SessionDescription, md *sdp.MediaDescription, key string) time.Duration {
	v, ok := md.Attribute(key)
	if !ok {
		if v, ok = sd.Attribute(key); !ok {
			return 0
		}
	}
	ms, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	// Ten seconds is far beyond any packet time; the test also drops NaN.
	if err != nil || !(ms > 0 && ms <= 10000) {
		return 0
	}
	return time.Duration(math.Round(ms * float64(time.Millisecond)))
}
