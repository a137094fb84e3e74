package sdpoa

import (
	"bytes"

	"github.com/pion/sdp/v3"
)

// description starts an SDP of ours: v=, o=, s=, c= and t= lines.
func (s *Session) description() *sdp.SessionDescription {
	addrType := "IP4"
	if s.local.Addr().Is6() {
		addrType = "IP6"
	}
	addr := s.local.Addr().String()
	return &sdp.SessionDescription{
		Origin: sdp.Origin{
			Username:       "-",
			SessionID:      s.id,
			SessionVersion: s.version,
			NetworkType:    "IN",
			AddressType:    addrType,
			UnicastAddress: addr,
		},
		SessionName: "tipring",
		ConnectionInformation: &sdp.ConnectionInformation{
			NetworkType: "IN",
			AddressType: addrType,
			Address:     &sdp.Address{Address: addr},
		},
		TimeDescriptions: []sdp.TimeDescription{{}}, // t=0 0: a session with no time limits
	}
}

// security is what our audio m= line says about SRTP.
type security struct {
	savp       bool     // the transport is RTP/SAVP, not RTP/AVP
	crypto     []crypto // its a=crypto lines
	encryption string   // its a=encryption, "" for none
}

// audioMedia is our audio m= line: the codecs, then telephone-event for
// events and CN if their payload types are not -1, our 20 ms packet time,
// direction dir and the SRTP attributes of sec.
func (s *Session) audioMedia(codecs []Codec, eventPT int, events eventSet, cnPT int, dir Direction, sec security) *sdp.MediaDescription {
	proto := "AVP"
	if sec.savp {
		proto = "SAVP"
	}
	md := &sdp.MediaDescription{
		MediaName: sdp.MediaName{
			Media:  "audio",
			Port:   sdp.RangedPort{Value: int(s.local.Port())},
			Protos: []string{"RTP", proto},
		},
	}
	for _, c := range codecs {
		md.WithCodec(c.PayloadType, c.Name, c.ClockRate, 0, "")
	}
	if eventPT >= 0 {
		md.WithCodec(uint8(eventPT), "telephone-event", 8000, 0, events.String())
	}
	if cnPT >= 0 {
		md.WithCodec(uint8(cnPT), "CN", 8000, 0, "")
	}
	// The media loop runs on 20 ms frames (DESIGN.md), so that is what we
	// send and want to receive.
	md.WithValueAttribute("ptime", "20")
	md.WithPropertyAttribute(dir.String())
	for _, c := range sec.crypto {
		md.WithValueAttribute("crypto", c.String())
	}
	if sec.encryption != "" {
		md.WithValueAttribute("encryption", sec.encryption)
	}
	return md
}

// rejected answers or re-offers stream name with port 0: RFC 3264 §6 and
// §8.2 keep the m= line, with at least one format, so that lines still
// match up by position.
func rejected(name sdp.MediaName) *sdp.MediaDescription {
	name.Port = sdp.RangedPort{Value: 0}
	return &sdp.MediaDescription{MediaName: name}
}

// marshal prints d for sending. RFC 3264 §8: the version goes up by one if
// the SDP differs from the previous one we sent, and must not otherwise.
func (s *Session) marshal(d *sdp.SessionDescription) ([]byte, error) {
	d.Origin.SessionVersion = s.version
	b, err := d.Marshal()
	if err != nil {
		return nil, err
	}
	if s.sent != nil && !bytes.Equal(b, s.sent) {
		s.version++
		d.Origin.SessionVersion = s.version
		if b, err = d.Marshal(); err != nil {
			return nil, err
		}
	}
	s.sent = b
	return b, nil
}

// mediaNames lists d's m= lines.
func mediaNames(d *sdp.SessionDescription) []sdp.MediaName {
	names := make([]sdp.MediaName, len(d.MediaDescriptions))
	for i, md := range d.MediaDescriptions {
		names[i] = md.MediaName
	}
	return names
}
