package sim

import "tipring/hal"

// eventQueue delivers a port's events; like a driver's interrupt queue it
// drops the newest when nobody reads, and counts what it dropped.
type eventQueue struct {
	ch      chan hal.Event
	dropped int
}

func newEventQueue() eventQueue { return eventQueue{ch: make(chan hal.Event, 64)} }

func (q *eventQueue) send(e hal.Event) {
	select {
	case q.ch <- e:
	default:
		q.dropped++
	}
}
