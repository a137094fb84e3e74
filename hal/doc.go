// Package hal defines what tipring needs from a gateway board's hardware:
// FXS ports (a phone on the line: the board feeds and rings it), FXO ports (a
// PSTN line: the board answers and seizes it), and the PCM bus that carries
// every port's audio as 20 ms frames of 8 kHz linear samples.
//
// Chip drivers (one package per chip below hal) and the simulated board
// (board/sim) implement these interfaces; the telephony layer uses nothing
// else. The PCM bus is the clock of the whole gateway: Transfer returns once
// per 20 ms, and everything that happens on a line is timed in bus time.
package hal
