package rtpstream

import (
	"math"
	"testing"
)

func TestReceptionSequence(t *testing.T) {
	tests := []struct {
		name     string
		seqs     []uint16
		verdicts []seqVerdict
		lost     int64
		extMax   uint32
	}{
		{"in order", []uint16{5, 6, 7, 8}, []seqVerdict{seqNext, seqNext, seqNext, seqNext}, 0, 8},
		{"gap", []uint16{5, 6, 9}, []seqVerdict{seqNext, seqNext, seqNext}, 2, 9},
		{"late fills gap", []uint16{5, 7, 6}, []seqVerdict{seqNext, seqNext, seqLate}, 0, 7},
		{"duplicates", []uint16{5, 6, 6, 7, 5}, []seqVerdict{seqNext, seqNext, seqDuplicate, seqNext, seqDuplicate}, 0, 7},
		{"wrap", []uint16{65534, 65535, 0, 1}, []seqVerdict{seqNext, seqNext, seqNext, seqNext}, 0, 1<<16 + 1},
		{"late across wrap", []uint16{65535, 1, 0}, []seqVerdict{seqNext, seqNext, seqLate}, 0, 1<<16 + 1},
		{"jump not believed", []uint16{10, 11, 20000, 12}, []seqVerdict{seqNext, seqNext, seqJump, seqNext}, 0, 12},
		{"jump confirmed", []uint16{10, 11, 20000, 20001, 20002}, []seqVerdict{seqNext, seqNext, seqJump, seqNext, seqNext}, 0, 20002},
		{"too old", []uint16{1000, 800}, []seqVerdict{seqNext, seqJump}, 0, 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r reception
			for i, seq := range tt.seqs {
				if got := r.update(seq); got != tt.verdicts[i] {
					t.Errorf("packet %d (seq %d): verdict %d, want %d", i, seq, got, tt.verdicts[i])
				}
			}
			if got := r.lost(); got != tt.lost {
				t.Errorf("lost = %d, want %d", got, tt.lost)
			}
			if got := r.extendedMax(); got != tt.extMax {
				t.Errorf("extended max = %d, want %d", got, tt.extMax)
			}
		})
	}
}

func TestReceptionFractionLost(t *testing.T) {
	var r reception
	// Interval 1: 0-19 without 3, 7, 11: 3 of 20 lost.
	for seq := uint16(0); seq < 20; seq++ {
		if seq != 3 && seq != 7 && seq != 11 {
			r.update(seq)
		}
	}
	if got, want := r.report(), uint8(3*256/20); got != want {
		t.Errorf("first interval: fraction %d, want %d", got, want)
	}
	// Interval 2: 20-29 all there, and 7 arrives late: more received
	// than expected counts as no loss.
	for seq := uint16(20); seq < 30; seq++ {
		r.update(seq)
	}
	r.update(7)
	if got := r.report(); got != 0 {
		t.Errorf("second interval: fraction %d, want 0", got)
	}
	if got := r.lost(); got != 2 {
		t.Errorf("lost = %d, want 2", got)
	}
	// Interval 3: nothing arrived.
	if got := r.report(); got != 0 {
		t.Errorf("empty interval: fraction %d, want 0", got)
	}
}

func TestReceptionJitter(t *testing.T) {
	// RFC 3550 A.8 by hand: packets sent every 160 units arrive with
	// transit times 0, 40, 0, 40, ...: |D| is 40 each time after the first.
	var r reception
	want := 0.0
	for i := range 200 {
		ts := uint32(1000 + 160*i)
		arrival := ts + 5000
		if i%2 == 1 {
			arrival += 40
		}
		r.arrived(arrival, ts)
		if i > 0 {
			want += (40 - want) / 16
		}
	}
	if math.Abs(r.jitter-want) > 1e-9 {
		t.Errorf("jitter = %v, want %v", r.jitter, want)
	}
	// It tends to the mean |D|.
	if math.Abs(r.jitter-40) > 1 {
		t.Errorf("jitter after 200 packets = %v, want about 40", r.jitter)
	}
}
