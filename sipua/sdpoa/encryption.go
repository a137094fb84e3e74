package sdpoa

// Encryption is a policy for SRTP (RFC 3711) keyed in the session
// description (SDES, RFC 4568), named after the a=encryption attribute of
// Microsoft's SDP ([MS-SDPEXT]).
type Encryption uint8

const (
	// EncryptionRejected sends and accepts plain RTP only: offers carry
	// no keys, and offers with keys are answered in the clear when they
	// allow it.
	EncryptionRejected Encryption = iota
	// EncryptionOptional offers keys but takes plain RTP from a peer that
	// does not answer with one.
	EncryptionOptional
	// EncryptionRequired offers and accepts SRTP only; a peer that cannot
	// do it gets 488.
	EncryptionRequired
)

func (e Encryption) String() string {
	switch e {
	case EncryptionRejected:
		return "rejected"
	case EncryptionOptional:
		return "optional"
	case EncryptionRequired:
		return "required"
	}
	return "Encryption(?)"
}
