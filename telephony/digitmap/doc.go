// Package digitmap decides when a number dialled on a line is complete, by
// the line's dial plan written as a digit map: the syntax of MGCP (RFC 3435
// section 2.1.5) that analog telephone adapters use, such as
//
//	(0T|00x.T|[2-9]xxxxxx|1[2-9]xxxxxxxxx|911|*xx|x.T)
//
// A map is a list of alternatives separated by |, optionally enclosed as a
// whole in parentheses. Each alternative is a sequence of
//
//	0-9 * # A-D  that key (A-D in either case)
//	x            any digit 0-9
//	[...]        any key listed: [135], ranges of digits [2-9], or both [13-5*#]
//	.            after an element: that element zero or more times
//	T            at the end only: the inter-digit timer expired
//
// Whitespace is ignored, and letters may be written in either case.
//
// [Map.Match] runs after each digit and tells the line what to do: collect
// more digits, dial now, wait for the short timer because a longer number
// might follow, or give up. An alternative ending in T is a fallback for when
// the caller stops dialling: it keeps the line collecting but never delays a
// number that another alternative completes, so in the map above 5551234 is
// dialled at once although x.T could match more.
//
// RFC 3435 dials the shortest match at once; like most adapters, this
// package instead reports [Ambiguous] so that 1234 can wait for 1234567 when
// the map holds both 1xxx and 1xxxxxx.
//
// Match does not allocate, so it can run in the 20 ms media loop.
package digitmap
