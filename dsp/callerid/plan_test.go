package callerid

import (
	"math"
	"slices"
	"testing"
	"time"

	"tipring/dsp/dtmf"
)

func TestPlanSteps(t *testing.T) {
	call := Message{Time: Time{1, 1, 12, 0}, Number: "0123456789"}
	tests := []struct {
		std   Standard
		alert Alerting
		m     Message
		want  []StepKind
	}{
		{Bell202, AfterFirstRing, call, []StepKind{StepFirstRing, StepPause, StepAudio, StepRinging}},
		{V23, LineReversalDTAS, call, []StepKind{StepReverse, StepPause, StepAudio, StepPause, StepAudio, StepPause, StepRinging}},
		{V23, LineReversalDTAS, Message{VMWI: VMWIOn}, []StepKind{StepReverse, StepPause, StepAudio, StepPause, StepAudio, StepReverse}},
		{V23, DTAS, call, []StepKind{StepAudio, StepPause, StepAudio, StepPause, StepRinging}},
		{V23, RPAS, call, []StepKind{StepRingPulse, StepPause, StepAudio, StepPause, StepRinging}},
		{Bell202, DTAS, Message{VMWI: VMWIOff}, []StepKind{StepAudio, StepPause, StepAudio}},
		{DTMF, LineReversal, Message{Number: "0123"}, []StepKind{StepReverse, StepPause, StepAudio, StepPause, StepReverse, StepRinging}},
		{DTMFBrazil, AfterFirstRing, Message{Number: "0123"}, []StepKind{StepFirstRing, StepPause, StepAudio, StepRinging}},
		{Bell202, CallWaiting, call, []StepKind{StepAudio, StepAwaitAck, StepPause, StepAudio}},
	}
	for _, tt := range tests {
		p, err := Generator{Standard: tt.std}.Plan(tt.alert, tt.m)
		if err != nil {
			t.Fatalf("%v %v: %v", tt.std, tt.alert, err)
		}
		var kinds []StepKind
		for _, s := range p {
			kinds = append(kinds, s.Kind)
			if s.Kind == StepAudio && s.Duration != samplesDuration(len(s.Audio)) {
				t.Errorf("%v %v: audio step of %v holds %d samples", tt.std, tt.alert, s.Duration, len(s.Audio))
			}
		}
		if !slices.Equal(kinds, tt.want) {
			t.Errorf("%v %v: steps %v, want %v", tt.std, tt.alert, kinds, tt.want)
		}
		want := tt.m
		want.Standard = tt.std
		if tt.std == DTMFBrazil {
			want.Standard = DTMF
		}
		if got := Decode(p.Audio()); len(got) != 1 || got[0] != want {
			t.Errorf("%v %v: plan audio decodes as %+v", tt.std, tt.alert, got)
		}
	}
	bad := []struct {
		std   Standard
		alert Alerting
		m     Message
	}{
		{DTMF, CallWaiting, Message{Number: "1"}},
		{DTMF, DTAS, Message{Number: "1"}},
		{Bell202, AfterFirstRing, Message{VMWI: VMWIOn}},
		{Bell202, Alerting(99), Message{Number: "1"}},
	}
	for _, tt := range bad {
		if _, err := (Generator{Standard: tt.std}).Plan(tt.alert, tt.m); err == nil {
			t.Errorf("%v %v %+v: no error", tt.std, tt.alert, tt.m)
		}
	}
}

// TestCallWaiting checks the Type II pieces: the CAS is the 2130 + 2750 Hz
// dual tone for 80 ms, the FSK has no channel seizure, and the ACK detector
// takes A or D but nothing else.
func TestCallWaiting(t *testing.T) {
	p, err := Generator{Standard: Bell202}.Plan(CallWaiting, Message{Number: "5551234"})
	if err != nil {
		t.Fatal(err)
	}
	cas := p[0].Audio
	if len(cas) != 640 {
		t.Errorf("CAS has %d samples, want 640", len(cas))
	}
	for _, f := range []float64{alertLow, alertHigh} {
		if l := toneLevel(cas, f); l < DefaultLevel-0.5 || l > DefaultLevel+0.5 {
			t.Errorf("CAS tone %v Hz at %.1f dBm0, want %v", f, l, DefaultLevel)
		}
	}
	if p[1].Duration != 160*time.Millisecond {
		t.Errorf("ACK wait %v", p[1].Duration)
	}
	onHook, _ := Bell202.Encode(Message{Number: "5551234"})
	// 400 bits fewer, to within the rounding of the last bit to a sample.
	if d, want := len(onHook)-len(p[3].Audio), (seizureBits+markBits-offHookMarks)*SampleRate/baud; d < want || d > want+1 {
		t.Errorf("off-hook FSK is %d samples shorter than on-hook", d)
	}
	for _, tt := range []struct {
		digits string
		want   byte
	}{{"A", 'A'}, {"D", 'D'}, {"1", 0}, {"B", 0}, {"", 0}} {
		s, err := dtmf.Render(tt.digits, dtmf.GenOpts{Level: -20, On: 60 * time.Millisecond, Off: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		a := NewAckDetector()
		var got byte
		for len(s) > 0 {
			k := min(160, len(s))
			if d := a.Process(s[:k]); d != 0 {
				got = d
			}
			s = s[k:]
		}
		if got != tt.want {
			t.Errorf("ACK %q: got %q, want %q", tt.digits, got, tt.want)
		}
	}
}

// toneLevel returns the level in dBm0 of the f Hz component of s.
func toneLevel(s []int16, f float64) float64 {
	var re, im float64
	for i, v := range s {
		w := 2 * math.Pi * f * float64(i) / SampleRate
		re += float64(v) * math.Cos(w)
		im += float64(v) * math.Sin(w)
	}
	a := 2 * math.Hypot(re, im) / float64(len(s))
	return FullScaleDBm0 + 20*math.Log10(a/32767)
}
