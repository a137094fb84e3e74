// Package telephony runs the gateway's lines: the media engine, one loop
// paced by the PCM bus that carries every channel's audio each 20 ms, and the
// state of each line as its port reports it (hook, ringing, polarity, loop
// current).
package telephony
