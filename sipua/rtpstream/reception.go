package rtpstream

// RFC 3550 appendix A.1: a sequence number up to maxDropout ahead of the
// newest is taken as loss, one up to maxMisorder behind as reordering; a
// jump between the two is believed only when the next packet follows it.
const (
	maxDropout  = 3000
	maxMisorder = 100
)

// seqVerdict says where a packet's sequence number puts it.
type seqVerdict uint8

const (
	seqNext      seqVerdict = iota // newer than every packet before it, perhaps after a gap
	seqLate                        // older than the newest and not seen before
	seqDuplicate                   // seen before
	seqJump                        // an unbelievable jump: drop the packet
)

// reception is what a receiver keeps about one source for its reception
// reports: the sequence number state of RFC 3550 A.1, the loss counts of
// A.3 and the interarrival jitter of A.8.
type reception struct {
	started       bool
	maxSeq        uint16 // the newest sequence number
	cycles        uint32 // sequence number wraps, times 1<<16
	baseSeq       uint32
	badSeq        int32  // the sequence number that would confirm a jump; -1 for none
	seen          uint64 // bit i is set when sequence number maxSeq-i arrived
	received      uint32 // packets counted, duplicates not included
	expectedPrior uint32 // expected at the last report
	receivedPrior uint32 // received at the last report

	transit     int32 // arrival minus RTP timestamp of the last packet, in timestamp units
	haveTransit bool
	jitter      float64 // in timestamp units
}

// restart starts counting afresh at seq. Jitter carries on: the clock is
// the same.
func (r *reception) restart(seq uint16) {
	r.started = true
	r.maxSeq = seq
	r.cycles = 0
	r.baseSeq = uint32(seq)
	r.badSeq = -1
	r.seen = 1
	r.received = 1
	r.expectedPrior = 0
	r.receivedPrior = 0
}

// update takes in the sequence number of an arriving packet.
func (r *reception) update(seq uint16) seqVerdict {
	if !r.started {
		r.restart(seq)
		return seqNext
	}
	delta := seq - r.maxSeq
	switch {
	case delta == 0:
		return seqDuplicate
	case delta < maxDropout:
		if seq < r.maxSeq {
			r.cycles += 1 << 16
		}
		r.maxSeq = seq
		if delta < 64 {
			r.seen = r.seen<<delta | 1
		} else {
			r.seen = 1
		}
		r.received++
		return seqNext
	case delta <= 1<<16-maxMisorder:
		if r.badSeq == int32(seq) {
			// Two packets in sequence after the jump: the sender restarted.
			r.restart(seq)
			return seqNext
		}
		r.badSeq = int32(seq + 1)
		return seqJump
	}
	back := r.maxSeq - seq // 1..maxMisorder
	if back < 64 {
		if r.seen&(1<<back) != 0 {
			return seqDuplicate
		}
		r.seen |= 1 << back
	}
	r.received++
	return seqLate
}

// extendedMax is the newest sequence number extended by its wrap count.
func (r *reception) extendedMax() uint32 { return r.cycles + uint32(r.maxSeq) }

// lost is the cumulative number of packets lost (A.3): expected minus
// received. Late packets make up for the loss counted at their gap.
func (r *reception) lost() int64 {
	if !r.started {
		return 0
	}
	expected := r.extendedMax() - r.baseSeq + 1
	return int64(expected) - int64(r.received)
}

// report returns the fraction lost since the previous report, in 1/256
// (A.3), and starts a new reporting interval.
func (r *reception) report() (fraction uint8) {
	expected := r.extendedMax() - r.baseSeq + 1
	expectedInterval := expected - r.expectedPrior
	receivedInterval := r.received - r.receivedPrior
	r.expectedPrior, r.receivedPrior = expected, r.received
	lostInterval := int64(expectedInterval) - int64(receivedInterval)
	if expectedInterval == 0 || lostInterval <= 0 {
		return 0
	}
	return uint8(min(lostInterval<<8/int64(expectedInterval), 255))
}

// arrived updates the jitter estimate (A.8) with a packet that carries RTP
// timestamp ts and arrived at arrival, both in timestamp units.
func (r *reception) arrived(arrival, ts uint32) {
	transit := int32(arrival - ts)
	if r.haveTransit {
		d := float64(transit - r.transit)
		if d < 0 {
			d = -d
		}
		r.jitter += (d - r.jitter) / 16
	}
	r.transit, r.haveTransit = transit, true
}
