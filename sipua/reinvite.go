package sipua

import (
	"context"
	"fmt"
	"time"

	"github.com/emiago/sipgo/sip"

	"tipring/sipua/q850"
	"tipring/sipua/sdpoa"
)

// Hold puts the peer on hold: a re-INVITE offering a=sendonly, so that the
// peer may play music while the line's audio stops going out (RFC 3264
// §8.4). An account with HoldInactive, or a peer that is a gateway (a
// Mediation Server), gets a=inactive instead: the one way of holding a
// Mediation Server knows, in a full SDP.
func (c *Call) Hold(ctx context.Context) error {
	if c.acct != nil && c.acct.HoldInactive || c.PeerIsGateway() {
		return c.offerDirection(ctx, sdpoa.Inactive)
	}
	return c.offerDirection(ctx, sdpoa.SendOnly)
}

// Resume takes the peer off hold: a re-INVITE offering a=sendrecv.
func (c *Call) Resume(ctx context.Context) error { return c.offerDirection(ctx, sdpoa.SendRecv) }

func (c *Call) offerDirection(ctx context.Context, d sdpoa.Direction) error {
	if c.State() != CallActive {
		return errCallState
	}
	c.m.sess.SetDirection(d)
	return c.reinvite(ctx)
}

// reinvite offers the session anew in a re-INVITE (RFC 3261 §14.1). A
// re-INVITE that crosses the peer's gets 491 and is sent again after the
// glare wait; one the peer refuses leaves the session as it was, except
// that 481 and 408 mean the dialog is gone and end the call.
func (c *Call) reinvite(ctx context.Context) error {
	for attempt := 0; ; attempt++ {
		if !c.beginOffer() {
			return fmt.Errorf("sipua: re-INVITE: %w", sdpoa.ErrOfferPending)
		}
		code, err := c.reinviteOnce(ctx)
		c.endOffer()
		if err != nil {
			return err
		}
		switch {
		case code < 300:
			return nil
		case code == statusIntervalTooSmall && attempt < 3:
			continue // reinviteOnce has raised the interval
		case code == sip.StatusRequestPending && attempt < 3:
			owner := !c.Incoming // the side that sent the first INVITE chose the Call-ID
			select {
			case <-time.After(time.Duration(glareWait(owner)) * time.Millisecond):
				continue
			case <-ctx.Done():
				return ctx.Err()
			case <-c.done:
				return errCallState
			}
		case code == sip.StatusCallTransactionDoesNotExists || code == sip.StatusRequestTimeout:
			c.ua.log.Warn("re-INVITE: the dialog is gone; ending the call", "status", code)
			c.end(q850.RecoveryOnTimerExpiry)
			return fmt.Errorf("sipua: re-INVITE: %d", code)
		default:
			return fmt.Errorf("sipua: re-INVITE refused: %d %s", code, q850.StatusText(code))
		}
	}
}

func (c *Call) reinviteOnce(ctx context.Context) (int, error) {
	offer, err := c.m.sess.Offer()
	if err != nil {
		return 0, err
	}
	req := c.dlg.request(sip.INVITE)
	req.AppendHeader(sip.NewHeader("Allow", allowed))
	c.refreshHeaders(req)
	c.ua.trunkingPeer(req)
	req.SetBody(offer)
	req.AppendHeader(contentTypeSDP())
	res, err := c.dlg.do(ctx, req)
	if err != nil {
		c.m.sess.CancelOffer()
		return 0, fmt.Errorf("sipua: re-INVITE: %w", err)
	}
	retry := c.timerAnswered(res)
	if !res.IsSuccess() {
		c.m.sess.CancelOffer()
		if res.StatusCode == statusIntervalTooSmall && !retry {
			return 0, fmt.Errorf("sipua: re-INVITE refused: %d %s", res.StatusCode, res.Reason)
		}
		return res.StatusCode, nil
	}
	c.dlg.refreshTarget(res)
	if err := c.dlg.client.WriteRequest(c.dlg.ack(req, nil)); err != nil {
		c.ua.log.Warn("re-INVITE: ACK failed", "err", err)
	}
	if err := c.takeAnswer(res.Body()); err != nil {
		c.ua.log.Warn("re-INVITE: answer unusable; hanging up", "err", err)
		go c.hangup(q850.BearerCapabilityNotImplemented)
		return 0, err
	}
	c.logMedia("our re-INVITE", c.Media())
	return res.StatusCode, nil
}
