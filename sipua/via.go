package sipua

import (
	"strings"

	"github.com/emiago/sipgo/sip"
)

// Microsoft's servers put quoted parameters in their Vias, such as
// ms-internal-info="..." ([MS-OCPSTN] §4.6.2.1), and need them back
// unchanged in the responses. sipgo v1.7.2 misreads them: from a quoted
// value on, it takes the rest of the Via's text as the name of one
// parameter, then adds what follows the quote again as parameters of their
// own. A response built from such a Via repeats the mess. repairVias reads
// that rest again, as RFC 3261 §25.1 has it.

// repairVias mends the Vias of a received message in place: a request's,
// so that our responses carry them as they came.
func repairVias(m interface{ GetHeaders(string) []sip.Header }) {
	for _, h := range m.GetHeaders("Via") {
		v, ok := h.(*sip.ViaHeader)
		if !ok {
			continue
		}
		for i, kv := range v.Params {
			// No parameter name has '=' or '"' in it: this one holds the
			// text of its own parameter and all that came after it.
			if strings.ContainsAny(kv.K, `="`) {
				v.Params = append(v.Params[:i:i], parseParams(kv.K)...)
				break
			}
		}
	}
}

// parseParams reads generic-params (token [= token / host /
// quoted-string]) separated by semicolons; a quoted value keeps its quotes,
// as sip.HeaderParams prints them.
func parseParams(s string) sip.HeaderParams {
	var ps sip.HeaderParams
	for {
		s = strings.TrimLeft(s, " \t;")
		if s == "" {
			return ps
		}
		end := strings.IndexAny(s, "=;")
		if end < 0 || s[end] == ';' {
			name, rest, _ := strings.Cut(s, ";")
			ps = append(ps, sip.HeaderKV{K: strings.TrimSpace(name)})
			s = rest
			continue
		}
		name := strings.TrimSpace(s[:end])
		s = strings.TrimLeft(s[end+1:], " \t")
		var value string
		if strings.HasPrefix(s, `"`) {
			value, s = cutQuoted(s)
		} else {
			value, s, _ = strings.Cut(s, ";")
			value = strings.TrimSpace(value)
		}
		ps = append(ps, sip.HeaderKV{K: name, V: value})
	}
}

// cutQuoted splits s, which starts with a quoted-string, after the string's
// closing quote; a backslash escapes the character after it. An unclosed
// string runs to the end.
func cutQuoted(s string) (quoted, rest string) {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return s[:i+1], s[i+1:]
		}
	}
	return s, ""
}
