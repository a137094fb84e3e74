// Package sim is the simulated board: a gateway with no hardware, whose FXS
// ports have virtual phones on them and whose FXO ports are virtual PSTN
// lines with an exchange behind them. It implements the hal interfaces, so
// the rest of tipring runs on it unchanged, and it lets a test or a person act
// as the phone or the exchange: take a phone off hook and dial, ring the
// gateway with a caller ID, hear what the gateway dials, hang up the far end,
// play audio into any line and record what the gateway sends to it.
//
// Time on the board is bus time: each PCM transfer advances it by 20 ms.
// When paced, Transfer waits for the wall clock like a real PCM bus; unpaced,
// the caller is the clock, which makes tests exact and fast.
package sim
