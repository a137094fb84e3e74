// Command tipring is the firmware of the tipring analog and ISDN BRI to SIP
// gateway: "tipring serve" runs the gateway, the other subcommands drive and
// inspect it, and "tipring dsp" runs its signal processing on WAV files.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	err := dispatch("tipring", commands(), args, stdout, stderr)
	if err == nil {
		return 0
	}
	if !errors.Is(err, errReported) {
		fmt.Fprintf(stderr, "tipring: %v\n", err)
	}
	return 1
}

func commands() []command {
	return []command{
		{"serve", "run the gateway", runServe},
		{"status", "show the lines and the frame loop of the running gateway", runStatus},
		{"sim", "act as the phones and PSTN lines of the simulated board", runSim},
		{"config", "check a configuration file, or print the built-in one", runConfig},
		{"dsp", "signal processing on 8 kHz WAV files (DTMF, tones, caller ID, G.711, loss concealment)", runDSP},
		{"version", "print the version", runVersion},
	}
}

// dspCommands are the "tipring dsp" tools.
func dspCommands() []command {
	return []command{
		{"dtmf-detect", "list the DTMF digits in a WAV file, with their times", runDTMFDetect},
		{"dtmf-gen", "write DTMF digits to a WAV file", runDTMFGen},
		{"tone", "write a country's call-progress tone to a WAV file", runTone},
		{"cpt-detect", "list the call-progress tones in a WAV file, with their times", runCPTDetect},
		{"cid-gen", "write a caller ID signal to a WAV file", runCIDGen},
		{"cid-detect", "decode the caller ID signals in a WAV file", runCIDDetect},
		{"g711", "convert between WAV files and raw G.711 (µ-law or A-law)", runG711},
		{"plc", "drop frames of a WAV file at random and conceal the gaps (G.711 Appendix I)", runPLC},
		{"echo", "cancel the echo of a far-end WAV file in a near-end one (G.168), printing ERLE", runEcho},
	}
}

func runDSP(args []string, stdout, stderr io.Writer) error {
	return dispatch("tipring dsp", dspCommands(), args, stdout, stderr)
}
