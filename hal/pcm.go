package hal

import "time"

// The audio format of the PCM bus: 8 kHz, 16-bit linear, 20 ms frames.
const (
	SampleRate    = 8000
	FrameSamples  = 160
	FrameDuration = 20 * time.Millisecond
)

// A Frame is 20 ms of one channel's audio.
type Frame [FrameSamples]int16

// PCM is the bus that carries every port's audio. Channel n belongs to the
// port whose Channel method returns n.
type PCM interface {
	// Channels returns the number of channels on the bus.
	Channels() int
	// Transfer waits for the next frame boundary of the bus clock, then
	// fills rx with the 20 ms each line carried towards the gateway and
	// takes tx, the next 20 ms to send to each line. rx and tx hold one
	// frame per channel.
	Transfer(rx, tx []Frame) error
	// Close stops the bus; a blocked Transfer returns ErrClosed.
	Close() error
}
