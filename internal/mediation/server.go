package mediation

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// A Server is a Mediation Server on a loopback TLS port.
type Server struct {
	ua     *sipgo.UserAgent
	srv    *sipgo.Server
	client *sipgo.Client
	ln     net.Listener
	addr   netip.AddrPort

	incoming chan *Incoming
	byes     chan *sip.Request
}

// Start listens for SIP over TLS on a loopback port. cfg serves the
// listener with its certificate and checks the gateway's with its RootCAs
// when the server calls it.
func Start(cfg *tls.Config) (*Server, error) {
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("Mediation Server"), sipgo.WithUserAgenTLSConfig(cfg))
	if err != nil {
		return nil, err
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		ua.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		ua.Close()
		return nil, err
	}
	s := &Server{ua: ua, srv: srv, ln: ln, addr: ln.Addr().(*net.TCPAddr).AddrPort(),
		incoming: make(chan *Incoming, 8), byes: make(chan *sip.Request, 8)}
	s.client, err = sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"), sipgo.WithClientPort(int(s.addr.Port())),
		sipgo.WithClientLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		s.Close()
		return nil, err
	}
	srv.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
		in := &Incoming{Request: req, tx: tx, s: s}
		s.incoming <- in
		<-tx.Done() // the test answers; the handler must not return first
	})
	srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) {})
	srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
		s.byes <- req
	})
	go srv.ServeTLS(tls.NewListener(ln, cfg))
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() netip.AddrPort { return s.addr }

// URI is the server's SIP URI, to make it a gateway account's proxy.
func (s *Server) URI() string { return fmt.Sprintf("sip:%s;transport=tls", s.addr) }

// Close stops the server.
func (s *Server) Close() error {
	err := s.ln.Close()
	s.ua.Close()
	return err
}

// Incoming returns the calls the gateway places to the server, one by
// one, as their INVITEs come.
func (s *Server) Incoming() <-chan *Incoming { return s.incoming }

// Byes returns the BYEs the gateway sends, each answered 200.
func (s *Server) Byes() <-chan *sip.Request { return s.byes }

// contact is the server's Contact: a gateway, as a Mediation Server is to
// the Microsoft network ([MS-OCPSTN] §4.1.1.1).
func (s *Server) contact() *sip.ContactHeader {
	c := &sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "mediation", Host: s.addr.Addr().String(),
		Port: int(s.addr.Port()), UriParams: sip.NewParams()}, Params: sip.NewParams()}
	c.Address.UriParams.Add("transport", "tls")
	c.Params.Add("isGateway", "")
	return c
}

// Incoming is a call from the gateway, waiting for the test to answer it.
type Incoming struct {
	Request *sip.Request
	tx      sip.ServerTransaction
	s       *Server
}

// Respond answers the call with code and, unless nil, an application/sdp
// body and the headers given; a 2xx or 1xx names the server in Contact.
func (in *Incoming) Respond(code int, reason string, sdp []byte, headers ...sip.Header) (*sip.Response, error) {
	res := sip.NewResponseFromRequest(in.Request, code, reason, nil)
	if code > 100 {
		res.To().Params.Add("tag", "ms"+in.Request.CallID().Value()[:min(8, len(in.Request.CallID().Value()))])
	}
	if code > 100 && code < 300 {
		res.AppendHeader(in.s.contact())
	}
	for _, h := range headers {
		res.AppendHeader(h)
	}
	if sdp != nil {
		res.SetBody(sdp)
		ct := sip.ContentTypeHeader("application/sdp")
		res.AppendHeader(&ct)
	}
	return res, in.tx.Respond(res)
}

// A Call is a call the server places to the gateway.
type Call struct {
	// Request is the INVITE as it went.
	Request   *sip.Request
	s         *Server
	tx        sip.ClientTransaction
	answer    *sip.Response
	responses []*sip.Response
}

// Call sends the INVITE req to the gateway at addr over TLS, as a proxy
// forwards it: with a Via of the server's on top of any the request has.
// The Request-URI stays as it is.
func (s *Server) Call(ctx context.Context, addr netip.AddrPort, req *sip.Request) (*Call, error) {
	req.SetTransport("TLS")
	req.SetDestination(addr.String())
	if req.Contact() == nil {
		req.AppendHeader(s.contact())
	}
	if req.MaxForwards() == nil {
		maxFwd := sip.MaxForwardsHeader(70)
		req.AppendHeader(&maxFwd)
	}
	tx, err := s.client.TransactionRequest(ctx, req, sipgo.ClientRequestAddVia)
	if err != nil {
		return nil, err
	}
	return &Call{Request: req, s: s, tx: tx}, nil
}

// errNoAnswer is a transaction that ended without a final response.
var errNoAnswer = errors.New("mediation: no final response")

// Next returns the next response to the call's INVITE, provisional or
// final; a 2xx is acknowledged.
func (c *Call) Next(ctx context.Context) (*sip.Response, error) {
	select {
	case res := <-c.tx.Responses():
		c.responses = append(c.responses, res)
		if res.IsSuccess() {
			c.answer = res
			return res, c.s.client.WriteRequest(c.ack(res))
		}
		return res, nil
	case <-c.tx.Done():
		return nil, errNoAnswer
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Final waits for the final response, taking the provisional ones on the
// way (Responses has them all).
func (c *Call) Final(ctx context.Context) (*sip.Response, error) {
	for {
		res, err := c.Next(ctx)
		if err != nil || res.StatusCode >= 200 {
			return res, err
		}
	}
}

// Responses lists the responses Next has returned, in order.
func (c *Call) Responses() []*sip.Response { return c.responses }

// ack is the ACK of a 2xx (RFC 3261 §13.2.2.4), a request of its own with
// a Via of its own.
func (c *Call) ack(res *sip.Response) *sip.Request {
	return c.inDialog(sip.ACK, res, c.Request.CSeq().SeqNo)
}

// inDialog builds a request in the dialog the 2xx res set up.
func (c *Call) inDialog(method sip.RequestMethod, res *sip.Response, seq uint32) *sip.Request {
	target := c.Request.Recipient
	if ct := res.Contact(); ct != nil {
		target = ct.Address
	}
	req := sip.NewRequest(method, *target.Clone())
	req.AppendHeader(sip.HeaderClone(c.Request.From()))
	req.AppendHeader(sip.HeaderClone(res.To()))
	req.AppendHeader(sip.HeaderClone(c.Request.CallID()))
	req.AppendHeader(&sip.CSeqHeader{SeqNo: seq, MethodName: method})
	maxFwd := sip.MaxForwardsHeader(70)
	req.AppendHeader(&maxFwd)
	req.SetTransport("TLS")
	req.SetDestination(c.Request.Destination())
	return req
}

// Bye hangs up the answered call.
func (c *Call) Bye(ctx context.Context) (*sip.Response, error) {
	if c.answer == nil {
		return nil, errors.New("mediation: the call is not answered")
	}
	return c.s.client.Do(ctx, c.inDialog(sip.BYE, c.answer, c.Request.CSeq().SeqNo+1))
}
