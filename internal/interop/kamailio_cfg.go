package interop

import (
	"cmp"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net"
	"regexp"
	"slices"
	"strings"
	"text/template"
)

// The digest algorithms Kamailio 5.6's auth module offers (its "algorithm"
// parameter).
const (
	MD5    = "MD5"
	SHA256 = "SHA-256"
)

// defaultExpires is the registration lifetime granted when KamailioOpts
// leaves Expires at zero: Kamailio's own default, with no maximum.
const defaultExpires = 3600

var (
	userName   = regexp.MustCompile(`^[A-Za-z0-9+._~-]{1,64}$`)
	domainName = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$`)
)

// check reports the first unusable option.
func (o KamailioOpts) check() error {
	switch o.Algorithm {
	case "", MD5, SHA256:
	default:
		return fmt.Errorf("kamailio: algorithm %q: want %q or %q", o.Algorithm, MD5, SHA256)
	}
	if o.Expires < 0 {
		return fmt.Errorf("kamailio: expires %d: want 0 (default) or more", o.Expires)
	}
	if o.Domain != "" {
		// An IP address as an alias would make Kamailio take every contact
		// on that address for itself, and loose routing would mistake
		// in-dialog requests for ones from a strict router.
		if net.ParseIP(o.Domain) != nil {
			return fmt.Errorf("kamailio: domain %q: want a name; leave it empty to use the server's address", o.Domain)
		}
		if !domainName.MatchString(o.Domain) {
			return fmt.Errorf("kamailio: domain %q is not a host name", o.Domain)
		}
	}
	for u := range o.Users {
		if !userName.MatchString(u) {
			return fmt.Errorf("kamailio: user %q: want 1 to 64 of A-Z a-z 0-9 + . _ ~ -", u)
		}
	}
	return nil
}

// ha1 returns the digest HA1 of RFC 2617 3.2.2.2 (RFC 8760 for SHA-256):
// H(user ":" realm ":" password), in lower-case hex.
func ha1(algorithm, user, realm, password string) string {
	s := user + ":" + realm + ":" + password
	if algorithm == SHA256 {
		h := sha256.Sum256([]byte(s))
		return hex.EncodeToString(h[:])
	}
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

type userHA1 struct{ Name, HA1 string }

// kamailioConfig renders the configuration of a server listening on port,
// keeping its sockets in dir.
func kamailioConfig(o KamailioOpts, port int, dir string) (string, error) {
	if err := o.check(); err != nil {
		return "", err
	}
	v := struct {
		Port               int
		Dir, RPC           string
		Alias, Realm       string
		Algorithm          string
		Expires, MaxExpire int
		Users              []userHA1
	}{
		Port:      port,
		Dir:       dir,
		RPC:       dir + "/" + rpcSocket,
		Alias:     o.Domain,
		Realm:     cmp.Or(o.Domain, "127.0.0.1"),
		Algorithm: cmp.Or(o.Algorithm, MD5),
		Expires:   cmp.Or(o.Expires, defaultExpires),
		MaxExpire: o.Expires, // 0: no maximum
	}
	if len(v.RPC) >= 108 { // sun_path
		return "", errors.New("kamailio: temporary directory path too long for a Unix socket: " + dir)
	}
	for _, u := range slices.Sorted(maps.Keys(o.Users)) {
		v.Users = append(v.Users, userHA1{u, ha1(v.Algorithm, u, v.Realm, o.Users[u])})
	}
	var b strings.Builder
	if err := kamailioTemplate.Execute(&b, v); err != nil {
		return "", err
	}
	return b.String(), nil
}

// The routing logic is a trimmed Kamailio default configuration: one domain,
// registrar with usrloc in memory, digest auth on REGISTER (401) and on
// every other dialog-forming request (407), Record-Route, calls to the
// registered contacts, 404 for the others. Users' HA1 values sit in an
// htable filled at start-up, so no database, schema or version table is
// needed, and pv_auth_check checks the credentials against them, insisting
// that the authentication user is the To user (REGISTER) or the From user.
// Kamailio's core answers RFC 3581 rport; it is not forced, so a client
// whose Via lies about its port is not rescued.
var kamailioTemplate = template.Must(template.New("kamailio.cfg").Parse(`#!KAMAILIO
# Written by tipring/internal/interop for one test.
debug=2
log_stderror=yes
log_prefix="{$mt $rm $ci} "
fork=yes
children=2
tcp_children=2
auto_aliases=no
dns=no
rev_dns=no
use_dns_cache=off
run_dir="{{.Dir}}"
listen=udp:127.0.0.1:{{.Port}}
listen=tcp:127.0.0.1:{{.Port}}
{{if .Alias}}alias="{{.Alias}}"
{{end}}
loadmodule "jsonrpcs.so"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"
loadmodule "htable.so"

modparam("jsonrpcs", "transport", 4)
modparam("jsonrpcs", "dgram_socket", "{{.RPC}}")
modparam("usrloc", "db_mode", 0)
modparam("registrar", "default_expires", {{.Expires}})
modparam("registrar", "max_expires", {{.MaxExpire}})
modparam("registrar", "min_expires", 0)
modparam("auth", "algorithm", "{{.Algorithm}}")
modparam("htable", "htable", "ha1=>size=4;")
modparam("rr", "append_fromtag", 1)

event_route[htable:mod-init] {
{{- range .Users}}
	$sht(ha1=>{{.Name}}) = "{{.HA1}}";
{{- end}}
}

request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (!sanity_check()) {
		exit;
	}
	xlog("L_INFO", "$rm $ru from $si:$sp\n");
	if (has_totag()) {
		route(IN_DIALOG);
	}
	if (is_method("CANCEL")) {
		if (t_check_trans()) {
			route(RELAY);
		}
		exit;
	}
	if (is_method("ACK")) {
		exit;
	}
	t_check_trans();
	if (!(uri == myself)) {
		sl_send_reply("403", "Not Relaying");
		exit;
	}
	if (is_method("OPTIONS") && $rU == $null) {
		sl_send_reply("200", "OK");
		exit;
	}
	route(AUTH);
	if (is_method("REGISTER")) {
		if (!save("location")) {
			sl_reply_error();
		}
		exit;
	}
	remove_hf("Route"); # the client's route to us as outbound proxy
	record_route();
	if (!lookup("location")) {
		sl_send_reply("404", "Not Found");
		exit;
	}
	route(RELAY);
}

route[AUTH] {
	if (!has_credentials("{{.Realm}}") || $sht(ha1=>$au) == $null) {
		auth_challenge("{{.Realm}}", "1");
		exit;
	}
	if (!pv_auth_check("{{.Realm}}", "$sht(ha1=>$au)", "1", "1")) {
		xlog("L_INFO", "authentication of $au failed ($rc)\n");
		auth_challenge("{{.Realm}}", "1");
		exit;
	}
	consume_credentials();
}

route[IN_DIALOG] {
	if (loose_route()) {
		route(RELAY);
	}
	if (is_method("ACK")) {
		if (t_check_trans()) {
			route(RELAY);
		}
		exit;
	}
	sl_send_reply("404", "Not Here");
	exit;
}

route[RELAY] {
	if (!t_relay()) {
		sl_reply_error();
	}
	exit;
}
`))
