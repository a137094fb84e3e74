package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"tipring/web"
)

func runStatus(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("status", "status [--json] [--socket PATH]", stderr)
	asJSON := fs.Bool("json", false, "print the status as JSON, for scripts")
	sock := socketFlag(fs)
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return err
	}
	var s web.Status
	if err := newClient(*sock).getJSON("/v1/status", &s); err != nil {
		return err
	}
	if *asJSON {
		return printJSON(stdout, s)
	}
	fmt.Fprintf(stdout, "tipring %s on board %s (%s), up %v\n\n", s.Version, s.Board, s.Country, time.Duration(s.Uptime))
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "LINE\tKIND\tNUMBER\tSTATE\tCALL\tDETAIL")
	for _, l := range s.Lines {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", l.ID, l.Kind, orDash(l.Number), l.Activity, callDetail(l.Call), lineDetail(l))
		if l.Other != nil { // the line's second call, on a row of its own
			fmt.Fprintf(tw, "\t\t\t\t%s\t\n", callDetail(l.Other))
		}
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\nframe loop: %d frames, %d late (worst %v ms)\n", s.Bus.Frames, s.Bus.Late, time.Duration(s.Bus.WorstLate).Milliseconds())
	printSIP(stdout, s.SIP)
	return nil
}

func printSIP(w io.Writer, s web.SIPStatus) {
	fmt.Fprintf(w, "\nSIP: listening on %s", strings.Join(s.Listen, ", "))
	if len(s.Listen) == 0 {
		fmt.Fprint(w, "nothing")
	}
	fmt.Fprintf(w, "; %d request(s) from untrusted peers refused\n", s.Forbidden)
	if len(s.Accounts) == 0 {
		fmt.Fprintln(w, "no account registers")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT\tREGISTRAR\tSTATE\tSERVER\tDETAIL")
	for _, a := range s.Accounts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.Name, a.Registrar, a.State, orDash(a.Server), accountDetail(a))
	}
	tw.Flush()
}

func accountDetail(a web.AccountStatus) string {
	var parts []string
	if a.ExpiresIn != nil {
		parts = append(parts, fmt.Sprintf("as %s, expires in %v", a.Contact, time.Duration(*a.ExpiresIn)))
	}
	if a.RetryIn != nil {
		parts = append(parts, fmt.Sprintf("retry in %v (failure %d)", time.Duration(*a.RetryIn), a.Failures))
	}
	if a.LastError != "" {
		parts = append(parts, "last error: "+a.LastError)
	}
	return orDash(strings.Join(parts, "; "))
}

func callDetail(c *web.CallStatus) string {
	if c == nil {
		return "-"
	}
	arrow := "to"
	if c.Direction == "in" {
		arrow = "from"
	}
	s := fmt.Sprintf("%s %s %s", c.State, arrow, orDash(c.Peer))
	var marks []string
	if c.Gateway {
		marks = append(marks, "gateway")
	}
	if c.Held {
		marks = append(marks, "held")
	}
	if len(marks) > 0 {
		s += " (" + strings.Join(marks, ", ") + ")"
	}
	if c.Codec != "" {
		media := "RTP"
		if c.SRTP != "" {
			media = "SRTP (" + c.SRTP + ")"
		}
		s += fmt.Sprintf(" %s, %s %d out %d in %d lost, jitter %v ms, buffer %v ms, %d concealed", c.Codec, media, c.PacketsSent, c.PacketsReceived, c.Lost,
			time.Duration(c.Jitter).Milliseconds(), time.Duration(c.Buffer).Milliseconds(), c.Concealed)
		if c.SRTPFailed != 0 {
			s += fmt.Sprintf(", %d failed authentication", c.SRTPFailed)
		}
		if c.ERLE != 0 {
			s += fmt.Sprintf(", ERLE %.0f dB", c.ERLE)
		}
	}
	return s
}

func lineDetail(l web.LineStatus) string {
	if l.Kind == "fxs" {
		return "phone " + l.Hook + ", linefeed " + l.Linefeed
	}
	pol := "normal"
	if l.Polarity < 0 {
		pol = "reversed"
	}
	return fmt.Sprintf("line %d V, loop %d mA, polarity %s", deref(l.LineVoltage), deref(l.LoopCurrent), pol)
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func printJSON(w io.Writer, v any) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(v)
}
