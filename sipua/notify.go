package sipua

import "github.com/emiago/sipgo/sip"

// onNotify takes a NOTIFY (RFC 6665): one in a call's dialog reports on a
// subscription of that call, the rest belong to the UA's own
// subscriptions, or to none.
func (u *UA) onNotify(req *sip.Request, tx sip.ServerTransaction) {
	if u.callOf(req) != nil {
		u.inDialog((*Call).onNotify)(req, tx)
		return
	}
	u.onSubscriptionNotify(req, tx)
}
