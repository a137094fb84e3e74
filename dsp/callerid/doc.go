// Package callerid generates and decodes the caller ID signals of analog
// telephone lines: the number, name and time of a call, or a message-waiting
// lamp state, sent to a phone before or between rings, or during a call.
//
// Three physical layers carry the same message:
//
//   - Bell 202 FSK (Telcordia GR-30-CORE): 1200 baud, mark 1200 Hz, space
//     2200 Hz, SDMF and MDMF messages; used in North America.
//   - V.23 FSK (ETSI EN 300 659-1/-2/-3, ITU-T V.23): 1200 baud, mark
//     1300 Hz, space 2100 Hz, MDMF-style messages; used in most of Europe.
//     The alerting before it (line reversal, DT-AS tone, ring pulse) is
//     described as a signal Plan that the telephony layer executes.
//   - DTMF digits (ETS 300 659-1 annex C for DTMF-based networks, and the
//     Danish, Indian and Brazilian variants): a start digit, the number, an
//     end digit.
//
// Call-waiting caller ID (Type II, off hook) is the same FSK without channel
// seizure, after a CAS alert tone that the phone acknowledges with a DTMF
// digit.
//
// Audio is 8 kHz 16-bit linear PCM. Levels are in dBm0 under the G.711 µ-law
// convention (see FullScaleDBm0). Receivers are streaming state objects fed
// with blocks of any size; they do not allocate per block.
//
// References: Telcordia GR-30-CORE (Voiceband Data Transmission Interface);
// ETSI EN 300 659-1, -2, -3 (Subscriber line protocol over the local loop for
// display services); ETSI EN 300 778; ITU-T V.23; ITU-T G.711.
package callerid
