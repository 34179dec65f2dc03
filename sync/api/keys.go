package api

// KeySet is what GET PathPubKey answers: the platform's current receipt
// verifier, every verifier it has signed with (oldest first, so receipts
// signed before a rotation still verify), and the rotation notes, each
// naming an old key and its successor and signed by both. A device moves
// from the key it pinned to a newer one only along rotation notes its
// pinned key signed.
type KeySet struct {
	Verifier  string   `json:"verifier"`
	Verifiers []string `json:"verifiers,omitempty"`
	Rotations []string `json:"rotations,omitempty"`
	// Recovery are the city's recovery keys, each a note signed by the
	// platform's key ("sanxiang recovery key\n<alg>:<base64>\nsince …"):
	// a device wraps its data key to each one that verifies under the key
	// it pinned (vault.OpenRecoveryNote).
	Recovery []string `json:"recovery,omitempty"`
}
