package sim

import (
	"testing"
	"time"

	"tipring/dsp/callerid"
	"tipring/hal"
)

// sendFSK sends m to the phone of line 1 in std, on hook.
func (r *rig) sendFSK(std callerid.Standard, m callerid.Message) {
	r.t.Helper()
	data, err := std.Encode(m)
	if err != nil {
		r.t.Fatal(err)
	}
	r.run(time.Duration(len(data)+hal.FrameSamples)*time.Second/hal.SampleRate+100*time.Millisecond, func(tx []hal.Frame) {
		data = data[copy(tx[0][:], data):]
	})
}

func TestPhoneMessageWaitingLamp(t *testing.T) {
	for _, std := range []callerid.Standard{callerid.Bell202, callerid.V23} {
		t.Run(std.String(), func(t *testing.T) {
			r := newRig(t, "US", hal.KindFXS)
			p := r.b.FXS(1)
			p.SetLinefeed(hal.LinefeedForwardOHT)
			r.sendFSK(std, callerid.Message{VMWI: callerid.VMWIOn})
			if st := p.State(); !st.MessageWaiting || st.CallerID != nil {
				t.Fatalf("after VMWI on the phone shows %+v", st)
			}
			r.sendFSK(std, callerid.Message{Number: "5551234"})
			if st := p.State(); !st.MessageWaiting || st.CallerID == nil || st.CallerID.Number != "5551234" {
				t.Fatalf("a caller changed the lamp, or was not shown: %+v", st)
			}
			r.sendFSK(std, callerid.Message{VMWI: callerid.VMWIOff})
			if p.State().MessageWaiting {
				t.Fatal("the lamp stays lit after VMWI off")
			}
		})
	}
}
