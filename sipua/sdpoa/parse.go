package sdpoa

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
)

// parse reads an SDP body. Every problem wraps ErrMalformed.
func parse(body []byte) (*sdp.SessionDescription, error) {
	sd := new(sdp.SessionDescription)
	err := sd.UnmarshalString(string(body))
	if err != nil {
		// pion accepts only the media types and transports it knows, so an
		// m=image line (T.38 fax over UDPTL) fails the whole SDP. We reject
		// every stream but audio anyway and need no more of them than their
		// m= line: mask them, parse again and put the m= lines back.
		masked, names, ok := maskNonAudio(string(body))
		if !ok {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		sd = new(sdp.SessionDescription)
		if sd.UnmarshalString(masked) != nil || len(sd.MediaDescriptions) != len(names) {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		for i, name := range names {
			if name.Media != "" {
				sd.MediaDescriptions[i].MediaName = name
			}
		}
	}
	// pion stops without complaint at the end of the text, so a body that
	// ends before its o= line parses. It is no SDP.
	if sd.Origin.NetworkType == "" {
		return nil, fmt.Errorf("%w: no o= line", ErrMalformed)
	}
	return sd, nil
}

// placeholder stands in for a masked m= line: one pion accepts.
const placeholder = "m=application 0 UDP -"

// maskNonAudio replaces every m= line of text but audio ones with the
// placeholder. It returns the m= lines in order, the masked ones parsed and
// the audio ones zero. It fails if there is nothing to mask or a masked line
// is malformed.
func maskNonAudio(text string) (string, []sdp.MediaName, bool) {
	var b strings.Builder
	var names []sdp.MediaName
	masked := false
	for line := range strings.Lines(text) {
		content := strings.TrimRight(line, "\r\n")
		m, isMedia := strings.CutPrefix(content, "m=")
		if !isMedia {
			b.WriteString(line)
			continue
		}
		fields := strings.Fields(m)
		if len(fields) > 0 && fields[0] == "audio" {
			names = append(names, sdp.MediaName{})
			b.WriteString(line)
			continue
		}
		// m=<media> <port>[/<count>] <proto> <fmt> ...
		if len(fields) < 3 {
			return "", nil, false
		}
		port, count, hasCount := strings.Cut(fields[1], "/")
		p, err := strconv.ParseUint(port, 10, 16)
		if err != nil {
			return "", nil, false
		}
		name := sdp.MediaName{
			Media:   fields[0],
			Port:    sdp.RangedPort{Value: int(p)},
			Protos:  strings.Split(fields[2], "/"),
			Formats: fields[3:],
		}
		if hasCount {
			n, err := strconv.Atoi(count)
			if err != nil {
				return "", nil, false
			}
			name.Port.Range = &n
		}
		names = append(names, name)
		b.WriteString(placeholder)
		b.WriteString(line[len(content):])
		masked = true
	}
	return b.String(), names, masked
}
