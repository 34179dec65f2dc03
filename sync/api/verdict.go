package api

// PathVerdict is the platform's public verdict on a printed document
// (扫码验真): GET /v/{device}/{n}?h=HEX for record n of a device's log,
// ?root=HEX for the log's checkpoint of size n (a case file's cover).
// The desk's QR codes open it (app/document builds the same path).
const PathVerdict = "/v/"

// PathVerify is the public page that explains how to check a printed
// document and takes a typed reference and hash.
const PathVerify = "/p/verify"

// The verdicts.
const (
	// VerdictGenuine: the platform holds that record (or that checkpoint)
	// with exactly this hash, and a checkpoint covering it was cosigned by
	// the witnesses the policy asks for.
	VerdictGenuine = "genuine"
	// VerdictPending: received with this hash, not yet witnessed.
	VerdictPending = "pending"
	// VerdictAltered: the platform holds that record with another hash:
	// the paper does not match what was recorded.
	VerdictAltered = "altered"
	// VerdictUnknown: the platform holds no such record (not yet synced,
	// or not a record at all).
	VerdictUnknown = "unknown"
)

// Verdict is what the platform says about one printed document. It shows
// nothing that is not public: times, witnesses and the time-stamping
// authority; a published decision's public page; never a party, a text
// or a case number.
type Verdict struct {
	Verdict string `json:"verdict"`
	Device  string `json:"device"`
	// N is the record's seq, or the log's size when Log.
	N   int64 `json:"n"`
	Log bool  `json:"log"`
	// Digits is how many hex digits of the hash were compared (64 for the
	// whole hash, fewer for the short hash typed from paper).
	Digits int `json:"digits"`
	// Received is when the platform received the record (RFC 3339);
	// empty when unknown.
	Received string `json:"received,omitempty"`
	// Witnessed is when a checkpoint covering it was first cosigned, and
	// Witnesses who cosigned it; empty while pending.
	Witnessed string   `json:"witnessed,omitempty"`
	Witnesses []string `json:"witnesses"`
	// Stamped is the time-stamping authority's time of the first token
	// covering it, and TSA the authority; empty while none.
	Stamped string `json:"stamped,omitempty"`
	TSA     string `json:"tsa,omitempty"`
	// Public is the public page of the published decision the document
	// is, if it is one.
	Public string `json:"public,omitempty"`
}
