package sipua

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// What the gateway says it does, in Allow, Accept and Supported headers.
// They grow with what is implemented, never ahead of it.
const (
	allowed = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, REFER, NOTIFY, PRACK"
	// accepted is what the INVITE of a new call may carry: an SDP offer,
	// or a Mediation Server's alternatives ([MS-OCPSTN] §3.7).
	accepted = "application/sdp, multipart/alternative"
	// acceptedInDialog is what a re-INVITE or UPDATE may carry: offers
	// within a call are plain SDP.
	acceptedInDialog = "application/sdp"
	supported        = "100rel, replaces, timer, ms-early-media"
)

// handle installs the request handlers on srv. Every handler but ACK's
// first checks the request has the headers every request must have.
func (u *UA) handle(srv *sipgo.Server) {
	srv.OnCancel(u.complete(func(req *sip.Request, tx sip.ServerTransaction) {
		// sipgo matches a CANCEL to its INVITE itself; this one has none.
		u.log.Info("CANCEL for no call", "source", req.Source())
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
	}))
	srv.OnOptions(u.trusted(u.complete(u.onOptions)))
	srv.OnInvite(u.trusted(u.complete(u.onInvite)))
	srv.OnAck(u.onAck)
	srv.OnBye(u.complete(u.inDialog((*Call).onBye)))
	srv.OnUpdate(u.complete(u.inDialog((*Call).onUpdate)))
	srv.OnInfo(u.complete(u.inDialog((*Call).onInfo)))
	srv.OnRefer(u.complete(u.inDialog((*Call).onRefer)))
	srv.OnPrack(u.complete(u.inDialog((*Call).onPrack)))
	srv.OnNotify(u.complete(u.onNotify))
	srv.OnNoRoute(u.trusted(u.complete(func(req *sip.Request, tx sip.ServerTransaction) {
		u.log.Info("request refused: method not allowed", "method", req.Method.String(), "source", req.Source())
		res := sip.NewResponseFromRequest(req, sip.StatusMethodNotAllowed, "Method Not Allowed", nil)
		res.AppendHeader(sip.NewHeader("Allow", allowed))
		u.respond(tx, res)
	})))
}

// complete wraps h so that a request without From, To, Call-ID or CSeq
// (RFC 3261 §8.1.1) gets a 400 naming what is missing; h may then rely on
// them, and on Vias read right (see repairVias).
func (u *UA) complete(h sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		repairVias(req)
		missing := ""
		switch {
		case req.From() == nil:
			missing = "From"
		case req.To() == nil:
			missing = "To"
		case req.CallID() == nil:
			missing = "Call-ID"
		case req.CSeq() == nil:
			missing = "CSeq"
		}
		if missing == "" {
			h(req, tx)
			return
		}
		u.log.Warn("malformed request refused", "method", req.Method.String(), "source", req.Source(), "missing", missing)
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Missing "+missing, nil))
	}
}

// onOptions answers a capabilities query (RFC 3261 §11).
func (u *UA) onOptions(req *sip.Request, tx sip.ServerTransaction) {
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	res.AppendHeader(sip.NewHeader("Allow", allowed))
	res.AppendHeader(sip.NewHeader("Accept", accepted))
	res.AppendHeader(sip.NewHeader("Supported", supported))
	res.AppendHeader(sip.NewHeader("Server", u.cfg.UserAgent))
	u.respond(tx, res)
}

func (u *UA) respond(tx sip.ServerTransaction, res *sip.Response) {
	if err := tx.Respond(res); err != nil {
		u.log.Warn("sending response failed", "status", res.StatusCode, "err", err)
	}
}

// trusted wraps h so that out-of-dialog requests from anyone but the
// accounts' registrars and proxies and the trusted peers get a 403: the
// gateway rings phones and seizes PSTN lines, which strangers scanning
// for SIP servers must not make it do.
func (u *UA) trusted(h sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		if req.To() != nil {
			if _, inDialog := req.To().Params.Get("tag"); inDialog {
				h(req, tx)
				return
			}
		}
		src, err := netip.ParseAddrPort(req.Source())
		if err == nil && u.trustedAddr(src.Addr().Unmap()) {
			h(req, tx)
			return
		}
		u.forbidden.Add(1)
		from := ""
		if req.From() != nil {
			from = req.From().Address.String()
		}
		u.log.Warn("request from untrusted peer refused", "method", req.Method.String(), "source", req.Source(), "from", from)
		u.respond(tx, sip.NewResponseFromRequest(req, sip.StatusForbidden, "Forbidden", nil))
	}
}

// trustedAddr reports whether a is a trusted peer or an address of an
// account's registrar or proxy.
func (u *UA) trustedAddr(a netip.Addr) bool {
	for _, p := range u.cfg.TrustedPeers {
		if p.Contains(a) {
			return true
		}
	}
	// The servers registered with, wherever DNS (SRV) found them.
	for _, r := range u.regs {
		if srv := r.serverAddr(); srv.IsValid() && srv.Addr().Unmap() == a {
			return true
		}
	}
	for _, host := range u.peerHosts() {
		if ip, err := netip.ParseAddr(host); err == nil {
			if ip.Unmap() == a {
				return true
			}
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		cancel()
		if err != nil {
			continue
		}
		for _, ip := range ips {
			if ip.Unmap() == a {
				return true
			}
		}
	}
	return false
}

// peerHosts lists the hosts of the accounts' registrars and proxies.
func (u *UA) peerHosts() []string {
	var hosts []string
	for _, a := range u.cfg.Accounts {
		for _, s := range []string{a.Registrar, a.Proxy, a.OutboundProxy} {
			var uri sip.Uri
			if s != "" && sip.ParseUri(s, &uri) == nil {
				hosts = append(hosts, strings.Trim(uri.Host, "[]"))
			}
		}
	}
	return hosts
}
