package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"tipring/dsp/callerid"
)

// alertings are the --alert names of cid-gen.
var alertings = map[string]callerid.Alerting{
	"first-ring":         callerid.AfterFirstRing,
	"line-reversal-dtas": callerid.LineReversalDTAS,
	"dtas":               callerid.DTAS,
	"rpas":               callerid.RPAS,
	"line-reversal":      callerid.LineReversal,
	"call-waiting":       callerid.CallWaiting,
}

func runCIDGen(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("dsp cid-gen", "dsp cid-gen --standard bell202|v23|dtmf|dtmf-dk|dtmf-in|dtmf-br [--format sdmf|mdmf] (--number N | --private | --out-of-area | --vmwi on|off) [--name NAME] [--time MMDDHHMM] [--level DBM0] [--alert KIND] -o FILE.wav", stderr)
	std := fs.String("standard", "bell202", "signal: bell202, v23, dtmf (ETSI), dtmf-dk, dtmf-in, dtmf-br")
	format := fs.String("format", "mdmf", "FSK message format: mdmf or sdmf (Bell 202 only)")
	number := fs.String("number", "", "calling number")
	name := fs.String("name", "", "calling name (FSK MDMF)")
	when := fs.String("time", "", "call time MMDDHHMM (FSK; default now)")
	private := fs.Bool("private", false, "number (and name) withheld by the caller")
	outOfArea := fs.Bool("out-of-area", false, "number (and name) unavailable")
	vmwi := fs.String("vmwi", "", "send a message-waiting indication instead of a call: on or off")
	level := fs.Float64("level", callerid.DefaultLevel, "FSK level, or DTMF level per tone, in dBm0")
	alert := fs.String("alert", "", "add the alerting signals and pauses: first-ring, line-reversal-dtas, dtas, rpas, line-reversal, call-waiting")
	out := fs.String("o", "", "output WAV file")
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("dsp cid-gen: -o FILE.wav is required")
	}
	g := callerid.Generator{Level: *level}
	var err error
	if g.Standard, err = callerid.ParseStandard(*std); err != nil {
		return err
	}
	var m callerid.Message
	switch *format {
	case "mdmf":
	case "sdmf":
		m.Format = callerid.SDMF
	default:
		return fmt.Errorf("dsp cid-gen: unknown format %q; want sdmf or mdmf", *format)
	}
	switch *vmwi {
	case "":
	case "on":
		m.VMWI = callerid.VMWIOn
	case "off":
		m.VMWI = callerid.VMWIOff
	default:
		return fmt.Errorf("dsp cid-gen: --vmwi %q; want on or off", *vmwi)
	}
	fsk := g.Standard == callerid.Bell202 || g.Standard == callerid.V23
	m.Number, m.Name = *number, *name
	if *private && *outOfArea {
		return errors.New("dsp cid-gen: --private and --out-of-area exclude each other")
	}
	for _, r := range []struct {
		set    bool
		reason callerid.Reason
	}{{*private, callerid.ReasonPrivate}, {*outOfArea, callerid.ReasonOutOfArea}} {
		if !r.set {
			continue
		}
		m.NumberReason = r.reason
		if fsk && m.Format == callerid.MDMF && m.Name == "" {
			m.NameReason = r.reason
		}
	}
	if fsk && m.VMWI == callerid.VMWINone {
		if *when == "" {
			now := time.Now()
			m.Time = callerid.Time{Month: int(now.Month()), Day: now.Day(), Hour: now.Hour(), Minute: now.Minute()}
		} else if m.Time, err = callerid.ParseTime(*when); err != nil {
			return err
		}
	} else if *when != "" {
		return errors.New("dsp cid-gen: --time is for FSK caller ID")
	}
	var samples []int16
	if *alert == "" {
		samples, err = g.Encode(m)
	} else {
		a, ok := alertings[*alert]
		if !ok {
			return fmt.Errorf("dsp cid-gen: unknown --alert %q", *alert)
		}
		var p callerid.Plan
		p, err = g.Plan(a, m)
		samples = p.Audio()
	}
	if err != nil {
		return err
	}
	return writeWAV(*out, samples)
}

func runCIDDetect(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("dsp cid-detect", "dsp cid-detect [--standard S] FILE.wav", stderr)
	std := fs.String("standard", "", "decode only this standard (bell202, v23, or any dtmf variant); default: recognise it")
	pos, err := parseArgs(fs, args, 1, 1)
	if err != nil {
		return err
	}
	samples, err := readWAV(pos[0])
	if err != nil {
		return err
	}
	var ms []callerid.Message
	switch *std {
	case "":
		ms = callerid.Decode(samples)
	default:
		s, err := callerid.ParseStandard(*std)
		if err != nil {
			return err
		}
		ms = decodeStandard(s, samples)
	}
	if len(ms) == 0 {
		return fmt.Errorf("%s: no caller ID found", pos[0])
	}
	for i, m := range ms {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		printCID(stdout, m)
	}
	return nil
}

// receiver is what the caller ID receivers have in common.
type receiver interface {
	Process([]int16) (int, bool)
	Message() callerid.Message
}

func decodeStandard(s callerid.Standard, samples []int16) []callerid.Message {
	var r receiver = callerid.NewDTMFReceiver()
	if s == callerid.Bell202 || s == callerid.V23 {
		r = callerid.NewReceiver(s)
	}
	var ms []callerid.Message
	for len(samples) > 0 {
		n, ok := r.Process(samples)
		if ok {
			ms = append(ms, r.Message())
		}
		samples = samples[n:]
	}
	return ms
}

// printCID prints a message as key=value lines.
func printCID(w io.Writer, m callerid.Message) {
	fmt.Fprintf(w, "standard=%v\n", m.Standard)
	if m.Standard == callerid.Bell202 || m.Standard == callerid.V23 {
		fmt.Fprintf(w, "format=%v\n", m.Format)
	}
	if m.VMWI != callerid.VMWINone {
		fmt.Fprintf(w, "vmwi=%v\n", m.VMWI)
		return
	}
	var t string
	if !m.Time.IsZero() {
		t = m.Time.String()
	}
	fmt.Fprintf(w, "number=%s\nname=%s\ntime=%s\nreason=%v\nname_reason=%v\n", m.Number, m.Name, t, m.NumberReason, m.NameReason)
}
