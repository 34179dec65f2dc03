// Package client is the devices' side of sync, on resty: enrol with a
// one-time code, push the record log (each batch answered by a receipt the
// device checks and keeps), and pull the public lists as a change feed.
// Every request that changes state carries an idempotency key, so resty's
// retries can never duplicate anything; the platform answers a repeat with
// the same receipt.
package client

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/sanxiang-desk/sanxiang/app/store/seal"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/app/config"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/app/publish"
	"github.com/sanxiang-desk/sanxiang/app/review"
	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// Identity is what enrolment gives a device; kept in sync.json (0600).
type Identity struct {
	Platform string `json:"platform"`
	DeviceID string `json:"device_id"`
	// Token is the bearer token. On a sealed data folder it is kept only
	// sealed (TokenSealed) and is "" until the vault is unlocked; the
	// plaintext "token" field is read from folders kept before sealing
	// and written only where no keys are given.
	Token string `json:"token,omitempty"`
	// TokenSealed is the token sealed under the data key (context
	// "token"): a copy of the folder does not give it away.
	TokenSealed []byte `json:"token_sealed,omitempty"`
	PlatformKey string `json:"platform_key"`
	// Kind is the kind of device the platform enrolled (api.DeviceKiosk,
	// DeviceWindow, DeviceOfficer); "" in an identity kept before it was
	// recorded, taken as an officer's.
	Kind string `json:"kind,omitempty"`
	// TLSPin is the pin (api.SPKIPin) of the platform's TLS certificate
	// from the enrolment code, checked on every connection for good; ""
	// if the code carried none (the certificate is then checked against
	// the trusted authorities only).
	TLSPin string `json:"tls_pin,omitempty"`
}

// IdentityFile is the file in the data folder that holds the identity.
const IdentityFile = config.IdentityFile

// tokenContext binds the sealed token to its field.
var tokenContext = []byte("token")

// ErrLocked is a sealed token asked for while nobody is signed in: the
// device's data key is not held, so it cannot reach the platform as
// itself (public lists still come).
var ErrLocked = errors.New("the device's token is sealed: sign in to sync")

// LoadIdentity reads dir/sync.json; os.ErrNotExist before enrolment. A
// sealed token is opened with keys; while they are locked (or nil) the
// identity comes without its token (Token ""), and Locked says so.
func LoadIdentity(dir string, keys seal.Keys) (_ Identity, err error) {
	defer wrap(&err, "load the device identity")
	var id Identity
	data, err := os.ReadFile(filepath.Join(dir, IdentityFile))
	if err != nil {
		return id, err
	}
	if err := json.Unmarshal(data, &id); err != nil {
		return id, err
	}
	if len(id.TokenSealed) == 0 || keys == nil {
		return id, nil
	}
	tok, err := seal.Open(keys, id.TokenSealed, tokenContext)
	if errors.Is(err, seal.ErrLocked) {
		return id, nil
	}
	if err != nil {
		return id, fmt.Errorf("the token: %w", err)
	}
	id.Token = string(tok)
	return id, nil
}

// Locked says whether the identity's token is sealed and not opened.
func (id Identity) Locked() bool { return id.Token == "" && len(id.TokenSealed) > 0 }

// SaveIdentity writes dir/sync.json readable by its owner only, the token
// sealed under keys (nil keeps it in plaintext: only for folders that have
// no vault).
func SaveIdentity(dir string, id Identity, keys seal.Keys) error {
	if keys != nil && id.Token != "" {
		b, err := seal.Seal(keys, []byte(id.Token), tokenContext)
		if err != nil {
			return fmt.Errorf("keep the device identity: %w", err)
		}
		id.TokenSealed, id.Token = b, ""
	}
	if keys != nil && id.Token == "" && len(id.TokenSealed) == 0 {
		return fmt.Errorf("keep the device identity: %w", ErrLocked)
	}
	data, err := json.MarshalIndent(id, "", "  ")
	if err != nil {
		return fmt.Errorf("keep the device identity: %w", err)
	}
	tmp := filepath.Join(dir, IdentityFile+".tmp")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("keep the device identity: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, IdentityFile)); err != nil {
		return fmt.Errorf("keep the device identity: %w", err)
	}
	return nil
}

// Error is a refusal from the platform, with its message for people.
type Error struct {
	Status  int
	Problem api.Problem
}

func (e *Error) Error() string {
	return fmt.Sprintf("platform %d %s: %s %s", e.Status, e.Problem.Code, e.Problem.Message, e.Problem.Detail)
}

// Sentinels callers branch on.
var (
	ErrUnauthorized = errors.New("the platform does not accept this device's token")
	ErrFork         = errors.New("the platform holds a different history of this log")
	// ErrUnreachable: no answer from the platform (no network, the
	// platform down, a timeout), after the retries.
	ErrUnreachable = errors.New("platform unreachable")
)

// newResty is a client of the platform at base whose every request is
// retried by the Retry transport (connection failures and 5xx), each
// attempt within a minute. resty's own retries stay off: retry is written
// once, below the calls. Its connections check the platform's certificate
// against pin, if not "", and it sends nothing to http:// off this machine
// (transport).
func newResty(base, pin string) *resty.Client {
	rt := NewRetry(transport(pin))
	rt.Timeout = 60 * time.Second
	return resty.New().SetBaseURL(base).SetTransport(rt).
		SetHeader("User-Agent", "sanxiang-desk").
		SetLogger(quiet{}) // failures are returned and shown in the person's words
}

func fail(resp *resty.Response, err error) error {
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	if resp.IsSuccess() {
		return nil
	}
	e := &Error{Status: resp.StatusCode()}
	// A body that is not a problem document (a proxy's page) leaves
	// Problem empty on purpose: the status says what there is to say.
	_ = json.Unmarshal(resp.Body(), &e.Problem)
	switch resp.StatusCode() {
	case http.StatusUnauthorized:
		return fmt.Errorf("%w: %v", ErrUnauthorized, e)
	case http.StatusConflict:
		return fmt.Errorf("%w: %v", ErrFork, e)
	}
	return e
}

// Enrol exchanges a one-time code (api.EnrolCode) for the device's
// identity. It refuses an http:// platform off this machine, and a code
// without the platform key's fingerprint for a platform off this machine
// (nothing would say whom the device enrols with); the TLS peer must match
// the code's pin before the code is sent, and the key the platform answers
// with must match the code's fingerprint. The identity pins both.
func Enrol(ctx context.Context, base, code, name, kind, verifier string) (_ Identity, err error) {
	defer wrap(&err, "enrol")
	c, err := api.ParseEnrolCode(code)
	if err != nil {
		return Identity{}, &TrustError{Code: ErrMalformedCode.Code, Detail: err.Error()}
	}
	if err := CheckPlatformURL(base); err != nil {
		return Identity{}, err
	}
	if c.Fingerprint == "" && !Loopback(base) {
		return Identity{}, &TrustError{Code: ErrNoFingerprint.Code, Detail: "the code carries no fingerprint of the platform key, so whom this device enrols with cannot be checked"}
	}
	if c.Pin != "" && !strings.HasPrefix(strings.ToLower(base), "https://") {
		return Identity{}, &TrustError{Code: ErrInsecureURL.Code, Detail: "the code pins a TLS certificate, but the platform address is not https://"}
	}
	var out api.EnrolResponse
	resp, err := newResty(base, c.Pin).R().SetContext(ctx).SetHeader(api.HeaderIdem, "enrol-"+c.Secret).
		SetBody(api.EnrolRequest{Code: c.Secret, Name: name, Kind: kind, Verifier: verifier}).SetResult(&out).Post(api.PathEnrol)
	if err := fail(resp, err); err != nil {
		return Identity{}, err
	}
	if got := api.KeyFingerprint(out.PlatformKey); c.Fingerprint != "" && got != c.Fingerprint {
		return Identity{}, &TrustError{Code: ErrWrongFingerprint.Code,
			Detail: fmt.Sprintf("the platform's key has fingerprint %s, the code says %s", got, c.Fingerprint)}
	}
	return Identity{Platform: base, DeviceID: out.DeviceID, Token: out.Token, PlatformKey: out.PlatformKey, Kind: out.Kind, TLSPin: c.Pin}, nil
}

// Client talks to the platform as one enrolled device.
type Client struct {
	id Identity
	r  *resty.Client
	// Batch is how many records one push carries at most.
	Batch int
	// Chunk is how many bytes one upload PATCH carries at most
	// (ChunkSize if 0).
	Chunk int64
	// Rotated keeps the identity after the client followed the
	// platform's key rotation (rotate.go); nil keeps it in memory only.
	Rotated func(Identity) error
}

// New makes a client for an enrolled device.
func New(id Identity) *Client {
	return &Client{id: id, r: newResty(id.Platform, id.TLSPin).SetAuthToken(id.Token), Batch: 2000}
}

// PushResult says how far the platform has acknowledged the log.
type PushResult struct {
	Pushed   int   // records sent in this call
	Receipts int   // receipts kept
	Size     int64 // the log size the newest receipt covers
	// Flags are what the platform found wrong in the records on arrival
	// (a major decision without a passed legal review), for people to see.
	Flags []string
	// PlatformTime is the platform's receive time signed in the newest
	// receipt kept: the device's clock may not fall behind it.
	PlatformTime time.Time
	// Timestamps is how many time-stamp tokens were kept (PullTimestamps);
	// TimestampsErr why the rest were not (a token altered on the way, of
	// another log, the platform unreachable), the push itself being done.
	Timestamps    int
	TimestampsErr error
}

// Push sends every record the platform has not acknowledged, in batches
// that end where the device signed a checkpoint, and keeps each receipt
// once it has checked it against its own tree.
func (c *Client) Push(ctx context.Context, l *casefile.Log) (_ PushResult, err error) {
	defer wrap(&err, "push")
	var res PushResult
	for {
		done, err := l.Receipted(ctx)
		if err != nil {
			return res, err
		}
		res.Size = done
		latest, err := l.Latest(ctx)
		if err != nil {
			return res, err
		}
		if latest.Size <= done {
			// What the platform stamped of this log since: its tokens
			// come with the receipts they stamp, or at a later push.
			// A token the device cannot take does not undo the push: the
			// receipts are kept; the caller is told (TimestampsErr).
			res.Timestamps, res.TimestampsErr = c.PullTimestamps(ctx, l.Log)
			return res, nil
		}
		end := min(latest.Size, done+int64(c.Batch))
		cp, err := l.CheckpointAt(ctx, end)
		if err != nil {
			return res, err
		}
		if cp.Size <= done { // a batch larger than Batch was appended at once
			cp = latest
		}
		recs, _, err := l.Since(ctx, done)
		if err != nil {
			return res, err
		}
		var body api.PushRequest
		for _, r := range recs {
			if r.Seq >= cp.Size {
				break
			}
			body.Records = append(body.Records, api.WireRecord{Seq: r.Seq, Data: r.Data})
		}
		body.Checkpoint = string(cp.Note)
		sum := sha256.Sum256([]byte(body.Checkpoint))
		var rc api.Receipt
		resp, err := c.r.R().SetContext(ctx).SetHeader(api.HeaderIdem, "push-"+hex.EncodeToString(sum[:16])).
			SetBody(body).SetResult(&rc).Post(api.PathPush)
		if err := fail(resp, err); err != nil {
			return res, err
		}
		// The receipt's time is the one under the platform's signature;
		// a time beside it that says otherwise was changed on the way.
		var signed ledger.Receipt
		if err := c.keep(ctx, rc.Note, func(key string) error {
			var err error
			if signed, err = ledger.ParseReceipt(rc.Note, key); err != nil {
				return err
			}
			if !rc.ReceivedAt.IsZero() && !rc.ReceivedAt.Equal(signed.Time) {
				return fmt.Errorf("%w: %w: the receipt says it was received at %s, its signed text %s", ledger.ErrBadReceipt, ledger.ErrReceiptForged,
					rc.ReceivedAt.UTC().Format(time.RFC3339), signed.Time.UTC().Format(time.RFC3339))
			}
			_, err = l.KeepReceipt(ctx, rc.Note, key)
			return err
		}); err != nil {
			return res, err
		}
		res.PlatformTime = signed.Time
		res.Pushed += len(body.Records)
		res.Receipts++
		res.Flags = append(res.Flags, rc.Flags...)
	}
}

// Pull applies the catalog changes since the kiosk's cursor, page by page;
// each page and its cursor commit together, so an interrupted pull resumes.
func (c *Client) Pull(ctx context.Context, cat *catalog.Catalog) (int, error) {
	return Pull(ctx, c.r, cat)
}

// PullPublic pulls the public lists without a device identity (kiosks and
// windows read public data only).
func PullPublic(ctx context.Context, base string, cat *catalog.Catalog) (int, error) {
	return Pull(ctx, newResty(base, ""), cat)
}

// PullPinned is PullPublic over a connection checked against pin (the
// identity's TLSPin when base is the platform the device enrolled with).
func PullPinned(ctx context.Context, base, pin string, cat *catalog.Catalog) (int, error) {
	return Pull(ctx, newResty(base, pin), cat)
}

// Pull is the change-feed loop over any resty client, then the halls
// (pullHalls) and the photos the lists name that the device does not hold
// yet (PullPhotos): each step runs whatever the one before did, and the
// error names every step that failed. It counts the changes, and a change
// of the halls as one.
func Pull(ctx context.Context, r *resty.Client, cat *catalog.Catalog) (int, error) {
	n, err := pullChanges(ctx, r, cat)
	changed, herr := pullHalls(ctx, r, cat)
	if changed {
		n++
	}
	_, perr := PullPhotos(ctx, r, cat)
	return n, errors.Join(err, herr, perr)
}

// pullChanges is the change-feed loop over any resty client.
func pullChanges(ctx context.Context, r *resty.Client, cat *catalog.Catalog) (_ int, err error) {
	defer wrap(&err, "pull the public lists")
	n := 0
	for {
		since, err := cat.Cursor(ctx)
		if err != nil {
			return n, err
		}
		var page api.ChangesResponse
		resp, err := r.R().SetContext(ctx).SetQueryParam("since", strconv.FormatInt(since, 10)).
			SetResult(&page).Get(api.PathChanges)
		if err := fail(resp, err); err != nil {
			return n, err
		}
		if len(page.Changes) == 0 {
			return n, nil
		}
		changes := make([]catalog.Change, len(page.Changes))
		for i, ch := range page.Changes {
			changes[i] = catalog.Change{Cursor: ch.Cursor, Kind: ch.Kind, ID: ch.ID, Deleted: ch.Deleted, Data: ch.Data}
		}
		if err := cat.Apply(ctx, changes, page.Next, time.Now()); err != nil {
			return n, err
		}
		n += len(changes)
		if !page.More {
			return n, nil
		}
	}
}

// wrap names the operation an error came from.
func wrap(err *error, op string) {
	if *err != nil {
		*err = fmt.Errorf("%s: %w", op, *err)
	}
}

// quiet drops resty's own log lines.
type quiet struct{}

func (quiet) Errorf(string, ...any) {}
func (quiet) Warnf(string, ...any)  {}
func (quiet) Debugf(string, ...any) {}

// PullPolicies fetches the agencies' major-decision lists, which the
// device's review gate checks decisions against while offline.
func (c *Client) PullPolicies(ctx context.Context) (_ review.Policies, err error) {
	defer wrap(&err, "pull major-decision lists")
	resp, err := c.r.R().SetContext(ctx).Get(api.PathPolicies)
	if err := fail(resp, err); err != nil {
		return nil, err
	}
	return review.ParsePolicies(resp.Body())
}

// PullReviewQueue fetches other devices' cases of an agency waiting for
// legal review, for a reviewer of that agency signed in on this device,
// who signs the request: the parties' personal data comes masked until
// the reviewer opens a case (OpenReviewCase).
func (c *Client) PullReviewQueue(ctx context.Context, agency string, reviewer ledger.Signer) (_ []review.RemoteCase, err error) {
	defer wrap(&err, "pull the review queue of "+agency)
	var out []review.RemoteCase
	resp, err := c.asPerson(ctx, api.PathQueue, "queue "+agency, reviewer).SetQueryParam("agency", agency).SetResult(&out).Get(api.PathQueue)
	return out, fail(resp, err)
}

// OpenReviewCase opens a case of the review queue for the reviewer: its
// records whole. The platform records the opening.
func (c *Client) OpenReviewCase(ctx context.Context, device, caseID string, reviewer ledger.Signer) (_ review.RemoteCase, err error) {
	defer wrap(&err, "open "+device+"/"+caseID+" for review")
	var out review.RemoteCase
	resp, err := c.asPerson(ctx, api.PathReviewOpen, "open "+device+"/"+caseID, reviewer).
		SetBody(api.ReviewOpenRequest{Device: device, Case: caseID}).SetResult(&out).Post(api.PathReviewOpen)
	return out, fail(resp, err)
}

// asPerson is a request made for a person signed in on this device: it
// carries their signature of what it asks for, at this time.
func (c *Client) asPerson(ctx context.Context, path, subject string, p ledger.Signer) *resty.Request {
	at := time.Now().UTC().Format(time.RFC3339)
	sig := p.Sign(api.PersonMessage(path, c.id.DeviceID, subject, at))
	return c.r.R().SetContext(ctx).SetHeader(api.HeaderPerson, p.Person()).SetHeader(api.HeaderPersonTime, at).
		SetHeader(api.HeaderPersonSig, base64.StdEncoding.EncodeToString(sig))
}

// PullCalendar fetches the platform's working-day calendar, checked.
func (c *Client) PullCalendar(ctx context.Context) (_ []byte, err error) {
	defer wrap(&err, "pull the calendar")
	resp, err := c.r.R().SetContext(ctx).Get(api.PathCalendar)
	if err := fail(resp, err); err != nil {
		return nil, err
	}
	if _, err := calendar.Parse(resp.Body()); err != nil {
		return nil, err
	}
	return resp.Body(), nil
}

// PullAVLists fetches every agency's audio/video requirement list.
func (c *Client) PullAVLists(ctx context.Context) (_ []casefile.AVRequirement, err error) {
	defer wrap(&err, "pull A/V lists")
	var out []casefile.AVRequirement
	resp, err := c.r.R().SetContext(ctx).SetResult(&out).Get(api.PathAVLists)
	return out, fail(resp, err)
}

// PullProcedures fetches the agencies' own versions of the procedures,
// checked with the national defaults (casefile.WithAgencies): a list that
// does not make a set is refused, and the device keeps the one it holds.
func (c *Client) PullProcedures(ctx context.Context) (_ []casefile.Procedure, err error) {
	defer wrap(&err, "pull procedures")
	resp, err := c.r.R().SetContext(ctx).Get(api.PathProcedures)
	if err := fail(resp, err); err != nil {
		return nil, err
	}
	list, err := casefile.ParseProcedures(resp.Body())
	if err != nil {
		return nil, err
	}
	if _, err := casefile.WithAgencies(list); err != nil {
		return nil, err
	}
	return list, nil
}

// PullDeadlines fetches the agencies' own deadlines to publish decisions.
func (c *Client) PullDeadlines(ctx context.Context) (_ publish.Deadlines, err error) {
	defer wrap(&err, "pull publication deadlines")
	var out publish.Deadlines
	resp, err := c.r.R().SetContext(ctx).SetResult(&out).Get(api.PathDeadlines)
	return out, fail(resp, err)
}

// PullReviewers fetches the registry of legal reviewers.
func (c *Client) PullReviewers(ctx context.Context) (_ []review.Reviewer, err error) {
	defer wrap(&err, "pull reviewers")
	var out []review.Reviewer
	resp, err := c.r.R().SetContext(ctx).SetResult(&out).Get(api.PathReviewers)
	return out, fail(resp, err)
}

// TakeOpinions fetches the opinions reviewers signed elsewhere on this
// device's cases and takes into each case those it still waits for; it
// returns how many it took.
func (c *Client) TakeOpinions(ctx context.Context, svc *review.Service) (_ int, err error) {
	defer wrap(&err, "take opinions")
	var list []api.DeliveredOpinion
	resp, err := c.r.R().SetContext(ctx).SetResult(&list).Get(api.PathOpinions)
	if err := fail(resp, err); err != nil {
		return 0, err
	}
	n := 0
	var refused []error
	for _, o := range list {
		_, err := svc.ReceiveOpinion(ctx, o.Case, review.SignedOpinion{Origin: o.LogOrigin, Record: o.Record})
		switch {
		case errors.Is(err, review.ErrNoPending):
			// taken before, or the case moved on: nothing to do
		case errors.Is(err, review.ErrUnsignedOpinion):
			// the platform checked it; one that fails here is refused and
			// the others still taken
			refused = append(refused, fmt.Errorf("opinion from %s on case %s: %w", o.Origin, o.Case, err))
		case err != nil:
			return n, fmt.Errorf("opinion from %s on case %s: %w", o.Origin, o.Case, err)
		default:
			n++
		}
	}
	return n, errors.Join(refused...)
}

// Activate registers, with a person's one-time code, the key this device
// made for them, proving it holds the private half; the platform answers
// with the person as it holds them.
func (c *Client) Activate(ctx context.Context, code string, key ed25519.PrivateKey) (_ api.Person, err error) {
	defer wrap(&err, "activate")
	req := api.ActivateRequest{Code: code, Key: account.PublicKeyOf(key),
		Proof: base64.StdEncoding.EncodeToString(ed25519.Sign(key, api.ActivationMessage(code, c.id.DeviceID)))}
	var p api.Person
	resp, err := c.r.R().SetContext(ctx).SetBody(req).SetResult(&p).Post(api.PathActivate)
	return p, fail(resp, err)
}

// PullPeople fetches what the platform says of the people's standing:
// who is active, which keys are revoked.
func (c *Client) PullPeople(ctx context.Context) (_ account.Roster, err error) {
	defer wrap(&err, "pull people's standing")
	var r account.Roster
	resp, err := c.r.R().SetContext(ctx).SetResult(&r).Get(api.PathStanding)
	return r, fail(resp, err)
}
