package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"tipring/web"
)

func runSim(args []string, stdout, stderr io.Writer) error {
	return dispatch("tipring sim", []command{
		{"list", "the simulated lines: phones and exchange lines as their users see them", runSimList},
		{"offhook", "lift the handset of the phone on FXS line N", simLineCmd("offhook", "offhook N")},
		{"onhook", "hang up the phone on FXS line N", simLineCmd("onhook", "onhook N")},
		{"flash", "press the hook switch of the phone on FXS line N briefly", simLineCmd("flash", "flash N")},
		{"dial", "dial DIGITS on the phone of FXS line N, by DTMF or pulses", runSimDial},
		{"ring", "ring the gateway on FXO line N, with a caller ID", runSimRing},
		{"answer", "the called party answers on FXO line N", runSimAnswer},
		{"hangup", "the far end hangs up FXO line N", runSimHangup},
		{"play", "play a WAV file into line N (the phone's or the far party's voice)", runSimPlay},
		{"record", "record what the gateway sends to line N into a WAV file", runSimRecord},
	}, args, stdout, stderr)
}

// simArgs parses a sim command's flags and its line number, the first
// positional argument, and checks the number of the others.
func simArgs(fs *flag.FlagSet, args []string, rest int) (*client, int, []string, error) {
	sock := socketFlag(fs)
	pos, err := parseArgs(fs, args, 1+rest, 1+rest)
	if err != nil {
		return nil, 0, nil, err
	}
	n, err := strconv.Atoi(pos[0])
	if err != nil || n < 1 {
		return nil, 0, nil, fmt.Errorf("%q is not a line number", pos[0])
	}
	return newClient(*sock), n, pos[1:], nil
}

// simAct posts an action on line n and prints the line's new state.
func simAct(c *client, n int, action string, req web.SimRequest, stdout io.Writer) error {
	var l web.SimLine
	if err := c.postJSON(fmt.Sprintf("/v1/sim/lines/%d/%s", n, action), req, &l); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "line %d: %s\n", l.ID, describeSimLine(l))
	return nil
}

func simLineCmd(action, synopsis string) func([]string, io.Writer, io.Writer) error {
	return func(args []string, stdout, stderr io.Writer) error {
		fs := newFlags("sim "+action, "sim "+synopsis+" [--socket PATH]", stderr)
		c, n, _, err := simArgs(fs, args, 0)
		if err != nil {
			return err
		}
		return simAct(c, n, action, web.SimRequest{}, stdout)
	}
}

func runSimDial(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sim dial", "sim dial N DIGITS [--pulse] [--socket PATH]", stderr)
	pulse := fs.Bool("pulse", false, "dial with pulses, like a rotary phone (digits 0-9 only)")
	c, n, rest, err := simArgs(fs, args, 1)
	if err != nil {
		return err
	}
	return simAct(c, n, "dial", web.SimRequest{Digits: rest[0], Pulse: *pulse}, stdout)
}

func runSimRing(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sim ring", "sim ring N [--cid NUMBER[,NAME]] [--socket PATH]", stderr)
	cid := fs.String("cid", "", "send this caller ID: `NUMBER[,NAME]`; \"private\" or \"unavailable\" for a withheld or unknown number")
	c, n, _, err := simArgs(fs, args, 0)
	if err != nil {
		return err
	}
	var req web.SimRequest
	if *cid != "" {
		req.CallerID = parseCID(*cid)
	}
	return simAct(c, n, "ring", req, stdout)
}

// parseCID reads NUMBER[,NAME], where NUMBER may be "private" or "unavailable".
func parseCID(s string) *web.CallerID {
	num, name, _ := strings.Cut(s, ",")
	c := &web.CallerID{Number: strings.TrimSpace(num), Name: strings.TrimSpace(name)}
	switch strings.ToLower(c.Number) {
	case "private", "anonymous", "p":
		c.Number, c.Reason = "", "private"
	case "unavailable", "out-of-area", "o":
		c.Number, c.Reason = "", "unavailable"
	}
	return c
}

func runSimAnswer(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sim answer", "sim answer N [--reverse] [--socket PATH]", stderr)
	reverse := fs.Bool("reverse", false, "reverse the line's polarity on answer (answer supervision)")
	c, n, _, err := simArgs(fs, args, 0)
	if err != nil {
		return err
	}
	return simAct(c, n, "answer", web.SimRequest{Reverse: *reverse}, stdout)
}

func runSimHangup(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sim hangup", "sim hangup N [--by loop|polarity|busy] [--socket PATH]", stderr)
	by := fs.String("by", "loop", "how the exchange signals it: loop (current drop), polarity (reversal) or busy (tone)")
	c, n, _, err := simArgs(fs, args, 0)
	if err != nil {
		return err
	}
	return simAct(c, n, "hangup", web.SimRequest{By: *by}, stdout)
}

func runSimPlay(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sim play", "sim play N FILE.wav [--socket PATH]", stderr)
	c, n, rest, err := simArgs(fs, args, 1)
	if err != nil {
		return err
	}
	s, err := readWAV(rest[0])
	if err != nil {
		return err
	}
	body := make([]byte, 2*len(s))
	for i, v := range s {
		binary.LittleEndian.PutUint16(body[2*i:], uint16(v))
	}
	var l web.SimLine
	if err := c.do(http.MethodPost, fmt.Sprintf("/v1/sim/lines/%d/play", n), "audio/L16;rate=8000", body, &l); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "line %d: playing %s (%.1f s)\n", n, rest[0], float64(len(s))/wavRate)
	return nil
}

func runSimRecord(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sim record", "sim record N FILE.wav --seconds S [--socket PATH]", stderr)
	sec := fs.Float64("seconds", 0, "how long to record, in `seconds`")
	c, n, rest, err := simArgs(fs, args, 1)
	if err != nil {
		return err
	}
	if *sec <= 0 {
		return fmt.Errorf("--seconds: want a positive number of seconds")
	}
	var data []byte
	route := fmt.Sprintf("/v1/sim/lines/%d/record?seconds=%s", n, strconv.FormatFloat(*sec, 'f', -1, 64))
	if err := c.do(http.MethodPost, route, "", nil, &data); err != nil {
		return err
	}
	s := make([]int16, len(data)/2)
	for i := range s {
		s[i] = int16(binary.LittleEndian.Uint16(data[2*i:]))
	}
	if err := writeWAV(rest[0], s); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "line %d: recorded %.1f s to %s\n", n, float64(len(s))/wavRate, rest[0])
	return nil
}

func runSimList(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sim list", "sim list [--json] [--socket PATH]", stderr)
	asJSON := fs.Bool("json", false, "print the lines as JSON, for scripts")
	sock := socketFlag(fs)
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return err
	}
	var lines []web.SimLine
	if err := newClient(*sock).getJSON("/v1/sim/lines", &lines); err != nil {
		return err
	}
	if *asJSON {
		return printJSON(stdout, lines)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "LINE\tKIND\tFAR END\tSTATE")
	for _, l := range lines {
		who := "phone"
		if l.Exchange != nil {
			who = "exchange"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", l.ID, l.Kind, who, describeSimLine(l))
	}
	return tw.Flush()
}

// describeSimLine says in a few words what the far end of a line sees.
func describeSimLine(l web.SimLine) string {
	var b strings.Builder
	if p := l.Phone; p != nil {
		b.WriteString("phone " + p.Hook)
		switch {
		case p.Ringing:
			b.WriteString(", ringing")
		case p.Hook == "on-hook" && len(p.Cadence) > 0:
			b.WriteString(", was ringing")
		}
		if len(p.Cadence) > 0 {
			b.WriteString(" (cadence")
			for _, d := range p.Cadence {
				fmt.Fprintf(&b, " %.1f", time.Duration(d).Seconds())
			}
			b.WriteString(" s)")
		}
		if p.Dialling {
			b.WriteString(", dialling")
		}
		if p.Flashing {
			b.WriteString(", flashing")
		}
		if p.CallerID != nil {
			b.WriteString(", caller ID " + describeCID(p.CallerID))
		}
		if p.MessageWaiting {
			b.WriteString(", message-waiting lamp on")
		}
		return b.String()
	}
	x := l.Exchange
	b.WriteString(x.State)
	if x.Ringing {
		b.WriteString(" (ring on)")
	}
	if x.CallerID != nil {
		b.WriteString(", caller ID " + describeCID(x.CallerID))
	}
	if x.Dialed != "" {
		b.WriteString(", gateway dialled " + x.Dialed)
	}
	pol := ""
	if x.Polarity < 0 {
		pol = ", polarity reversed"
	}
	fmt.Fprintf(&b, ", %d V, %d mA%s", x.LineVoltage, x.LoopCurrent, pol)
	return b.String()
}

func describeCID(c *web.CallerID) string {
	s := c.Number
	if s == "" {
		s = c.Reason
	}
	if c.Name != "" {
		s += fmt.Sprintf(" %q", c.Name)
	}
	return s
}
