package api

// PathTimestamps is where a device reads the RFC 3161 time-stamp tokens
// the platform got for its log (GET, ?since=the last seq it holds).
const PathTimestamps = "/api/v1/logs/timestamps"

// Timestamp is one time-stamp token over bytes the platform gave the
// device for its log: a receipt note, or a cosigned checkpoint.
type Timestamp struct {
	// Seq is its place among the device's tokens: ask again with since=Seq.
	Seq int64 `json:"seq"`
	// Size is the device log's size the stamped bytes cover.
	Size int64 `json:"size"`
	// Data is the exact bytes stamped.
	Data []byte `json:"data"`
	// Token is the DER TimeStampToken (RFC 3161), verified by the platform
	// against the authority's roots it was configured with.
	Token []byte `json:"token"`
}

// TimestampsResponse is the device's tokens after since, oldest first.
type TimestampsResponse struct {
	Timestamps []Timestamp `json:"timestamps"`
}
