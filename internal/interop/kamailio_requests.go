package interop

import (
	"os"
	"regexp"
)

// Request is a SIP request that reached Kamailio, as its log tells.
type Request struct {
	Method string
	URI    string // the Request-URI as it arrived
	CallID string
	Source string // host:port it came from
}

// The routing script logs every request it receives, retransmissions
// included, under a log prefix that names the Call-ID:
//
//	{1 BYE 3848276298220188511} <script>: BYE sip:bob@127.0.0.1:5062 from 127.0.0.1:5060
//
// The 1 is the message type: a request.
var requestLine = regexp.MustCompile(`(?m)\{1 \S+ (\S+)\} <script>: (\S+) (\S+) from (\S+)$`)

// Requests returns the requests Kamailio has received, earliest first, over
// every run of the server. A request in-dialog (ACK of a 2xx, re-INVITE,
// BYE) is among them only if the dialog's route set led through Kamailio,
// which Record-Routes every call.
func (k *Kamailio) Requests() ([]Request, error) {
	b, err := os.ReadFile(k.logPath())
	if err != nil {
		return nil, err
	}
	var rs []Request
	for _, m := range requestLine.FindAllSubmatch(b, -1) {
		rs = append(rs, Request{Method: string(m[2]), URI: string(m[3]), CallID: string(m[1]), Source: string(m[4])})
	}
	return rs, nil
}
