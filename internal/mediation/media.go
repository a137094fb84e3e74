package mediation

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/pion/srtp/v3"

	"tipring/dsp/g711"
	"tipring/sipua/rtpstream"
	"tipring/sipua/sdpoa"
)

// SampleRate is the rate of the audio a Media plays and hears: G.711's.
const SampleRate = 8000

// frameTime is the length of one frame of G.711 audio.
const frameTime = 20 * time.Millisecond

// Media is the server's end of one call's audio: an RTP stream on
// 127.0.0.1, plain or SRTP as its SDP exchange settles, that plays a signal
// over and over and keeps all it hears. Its own goroutine runs the stream's
// frame loop at real time; the SDP methods are for one goroutine, the
// test's.
type Media struct {
	sess   *sdpoa.Session
	stream *rtpstream.Stream
	result sdpoa.Result
	stop   chan struct{}
	done   chan struct{}

	mu      sync.Mutex
	ulaw    bool          // the negotiated codec is PCMU, else PCMA
	heard   []int16       // from the start, a frame's silence for each frame not heard
	changed chan struct{} // closed, and replaced, at every frame heard
}

// NewMedia opens a stream on a port pair of ports, to be keyed as enc has
// it, sending play over and over once an offer or answer says where (nil
// plays silence). The offer or answer is the caller's to send; Close ends
// the stream.
func NewMedia(ports *rtpstream.PortRange, enc sdpoa.Encryption, play []int16) (*Media, error) {
	s, err := rtpstream.Open(ports, rtpstream.Options{Local: netip.AddrFrom4([4]byte{127, 0, 0, 1})})
	if err != nil {
		return nil, err
	}
	sess, err := sdpoa.NewSession(sdpoa.Config{Local: s.LocalAddr(), Encryption: enc})
	if err != nil {
		s.Close()
		return nil, err
	}
	m := &Media{sess: sess, stream: s, stop: make(chan struct{}), done: make(chan struct{}),
		ulaw: true, changed: make(chan struct{})}
	go m.run(play)
	return m, nil
}

// Offer returns an SDP offer of the stream.
func (m *Media) Offer() ([]byte, error) { return m.sess.Offer() }

// AcceptAnswer takes the answer to Offer's offer, from a 183 or the 200,
// and keys the stream with it.
func (m *Media) AcceptAnswer(answer []byte) error {
	r, err := m.sess.AcceptAnswer(answer)
	if err != nil {
		return err
	}
	return m.apply(r)
}

// Answer answers a gateway's offer and keys the stream with the answer.
func (m *Media) Answer(offer []byte) ([]byte, error) {
	answer, r, err := m.sess.Answer(offer)
	if err != nil {
		return nil, err
	}
	return answer, m.apply(r)
}

// Result is what the last offer and answer settled: the codec, the
// gateway's address, and the SRTP keys, whose Suite is zero for plain RTP.
func (m *Media) Result() sdpoa.Result { return m.result }

// srtpProfiles are the SRTP protection profiles of the SDES suites.
var srtpProfiles = map[sdpoa.Suite]srtp.ProtectionProfile{
	sdpoa.AES_CM_128_HMAC_SHA1_80: srtp.ProtectionProfileAes128CmHmacSha1_80,
	sdpoa.AES_CM_128_HMAC_SHA1_32: srtp.ProtectionProfileAes128CmHmacSha1_32,
}

func masterKey(k sdpoa.MasterKey) rtpstream.MasterKey {
	return rtpstream.MasterKey{Key: k.Key[:], Salt: k.Salt[:], MKI: k.MKIBytes()}
}

// apply points the stream at what an offer and answer settled.
func (m *Media) apply(r sdpoa.Result) error {
	if !r.Remote.IsValid() {
		return errors.New("mediation: the audio stream was refused")
	}
	rem := rtpstream.Remote{Addr: r.Remote, PayloadType: r.Codec.PayloadType, Direction: rtpstream.SendRecv}
	if k := r.SRTP; k.Suite != 0 {
		rem.SRTP = &rtpstream.SRTP{Profile: srtpProfiles[k.Suite], Local: masterKey(k.Local), Remote: masterKey(k.Remote)}
	}
	m.mu.Lock()
	m.ulaw = strings.EqualFold(r.Codec.Name, sdpoa.PCMU.Name)
	m.mu.Unlock()
	m.result = r
	return m.stream.SetRemote(rem)
}

// maxBacklog is how many frames the frame loop catches up on after being
// late; beyond that it drops them, neither sent nor heard, as a sound
// card's buffer overruns. Five frames burst out fit the stream's send
// queue.
const maxBacklog = 5

// run is the frame loop: every 20 ms the next frame of play goes out and
// the frame due comes in. Frames are counted from the start, not from the
// ticks, so a loop late on a loaded machine catches up.
func (m *Media) run(play []int16) {
	defer close(m.done)
	tick := time.NewTicker(frameTime)
	defer tick.Stop()
	start := time.Now()
	var (
		frames  int64
		pos     int
		out, in [rtpstream.FrameSize]byte
		pcm     [rtpstream.FrameSize]int16
	)
	for {
		select {
		case <-m.stop:
			return
		case <-tick.C:
		}
		due := int64(time.Since(start) / frameTime)
		frames = max(frames, due-maxBacklog)
		for ; frames < due; frames++ {
			m.mu.Lock()
			ulaw := m.ulaw
			m.mu.Unlock()
			for i := range pcm {
				pcm[i] = 0
				if len(play) > 0 {
					pcm[i] = play[pos]
					pos = (pos + 1) % len(play)
				}
			}
			encode(ulaw, out[:], pcm[:])
			m.stream.Send(&out)

			clear(pcm[:]) // missing audio and comfort noise are kept as silence
			if m.stream.Receive(&in) == rtpstream.Audio {
				decode(ulaw, pcm[:], in[:])
			}
			m.mu.Lock()
			m.heard = append(m.heard, pcm[:]...)
			close(m.changed)
			m.changed = make(chan struct{})
			m.mu.Unlock()
		}
	}
}

func encode(ulaw bool, dst []byte, src []int16) {
	if ulaw {
		g711.EncodeUlaw(dst, src)
	} else {
		g711.EncodeAlaw(dst, src)
	}
}

func decode(ulaw bool, dst []int16, src []byte) {
	if ulaw {
		g711.DecodeUlaw(dst, src)
	} else {
		g711.DecodeAlaw(dst, src)
	}
}

// Listen returns the next d of what the stream hears, from now on; it
// fails only when ctx ends first.
func (m *Media) Listen(ctx context.Context, d time.Duration) ([]int16, error) {
	n := int(d.Seconds() * SampleRate)
	m.mu.Lock()
	from := len(m.heard)
	m.mu.Unlock()
	for {
		m.mu.Lock()
		if len(m.heard) >= from+n {
			s := append([]int16(nil), m.heard[from:from+n]...)
			m.mu.Unlock()
			return s, nil
		}
		changed := m.changed
		m.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Stats returns the stream's counters: SRTPFailed counts what did not
// authenticate.
func (m *Media) Stats() rtpstream.Stats { return m.stream.Stats() }

// Close stops the stream.
func (m *Media) Close() error {
	select {
	case <-m.stop:
	default:
		close(m.stop)
	}
	<-m.done
	return m.stream.Close()
}
