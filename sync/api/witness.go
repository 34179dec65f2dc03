package api

import "time"

// PathCheckpoint takes a device's latest checkpoint alone (issue 25, part
// 3): as soon as a device is online and every few minutes while it
// records, so that a log's state is fixed by the platform and its
// witnesses long before its records are pushed. It proves that the device
// committed to this tree at this time — not what the records are, which
// the platform has not seen until they are pushed and checked against it.
// The answer carries the newest cosigned checkpoint of the device's log.
const PathCheckpoint = "/api/v1/logs/checkpoint"

// CheckpointRequest is a device's signed checkpoint note, alone.
type CheckpointRequest struct {
	Checkpoint string `json:"checkpoint"`
	// ProofFrom and Proof are the consistency proof (base64 hashes) from
	// the newest cosigned checkpoint the device keeps to this one: the
	// platform relays it to the witnesses, who check it, when it does not
	// hold the records to prove from itself.
	ProofFrom int64    `json:"proof_from,omitempty"`
	Proof     []string `json:"proof,omitempty"`
}

// CheckpointAnswer is what the platform holds of a device's checkpoints:
// when it received this one, and the newest the witnesses cosigned.
type CheckpointAnswer struct {
	Size       int64     `json:"size"`
	ReceivedAt time.Time `json:"received_at"`
	// Cosigned is the newest cosigned checkpoint of the log (the device's
	// note with one tlog-cosignature line a witness), "" when none is yet.
	Cosigned     string `json:"cosigned"`
	CosignedSize int64  `json:"cosigned_size"`
}
