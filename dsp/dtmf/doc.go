// Package dtmf generates and detects DTMF (touch-tone) signalling, the
// sixteen dual-tone digits of ITU-T Q.23, on 8 kHz 16-bit linear PCM.
//
// The Generator renders digits with a chosen level, twist and cadence into
// caller-provided buffers. The Detector recognises digits in a stream of
// samples cut into blocks of any size, to the receiver limits of ITU-T Q.24
// (the North American column by default, the NTT column as an option), and
// reports when each digit starts and ends.
//
// Both are pure computation: no goroutines, no I/O, and no allocation once
// constructed, so they can run in the 20 ms media loop.
package dtmf
