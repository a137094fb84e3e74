// Package numbering turns telephone numbers into the forms a gateway needs:
// what a phone on a line dialled into what goes out over SIP, what arrives
// over SIP into what the lines' numbers and inbound digit maps are written
// in, and either into an E.164 number ("+4930123456") when it is one.
//
// A [Plan] holds what that takes at one site: the E.164 country code, the
// national (trunk) prefix dialled before a national number ("0", or "1" in
// the North American Numbering Plan), the international prefix dialled
// before a country code ("00", "011"), and rewrite rules in the manner of
// gateways' number manipulation tables: a number that begins with a rule's
// Match loses Strip characters from the front and gains Prefix.
//
// Numbers are the digits 0-9, * and #, with an optional leading +; anything
// else is an error, never a panic. [Plan.E164] is exact: it answers only for
// a number whose meaning does not depend on where it was dialled, and says
// false for short codes (911, 112, *69), extensions and local numbers
// without their area code, which go out as dial strings instead
// (RFC 3966 section 5.1.5, phone-context).
//
// National number lengths are not configured. E.164 limits a number to 15
// digits; beyond that the package knows only what some countries' plans
// need to be read exactly: NANP national numbers are ten digits
// (NPA-NXX-XXXX) and may be dialled without the trunk prefix, and Australian
// ones nine, which keeps the emergency number 000 from reading as a number
// after the trunk prefix 0. Elsewhere any length passes.
package numbering
