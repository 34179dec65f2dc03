// Package timestamp asks an RFC 3161 time-stamping authority (TSA) to fix
// when some bytes existed, and checks the token it answers: the TSA's
// signature, its certificate's chain to roots the caller trusts (with the
// timeStamping extended key usage) and that the token is over those bytes.
//
// It is pure Go and knows nothing of the desk, the platform or Fyne: the
// platform, the device and the standalone verifier check a token with the
// same code. The ASN.1 and CMS work is github.com/digitorus/timestamp and
// github.com/digitorus/pkcs7 (what sigstore's timestamp authority itself
// signs and parses with); this package adds the checks a court relies on
// and keeps their failures apart.
package timestamp

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/digitorus/pkcs7"
	dts "github.com/digitorus/timestamp"
)

// The ways a token fails, for callers to branch on and say apart.
var (
	// ErrBadToken is bytes that are not a time-stamp token at all.
	ErrBadToken = errors.New("timestamp: not a time-stamp token")
	// ErrImprint is a token over other bytes than the ones given.
	ErrImprint = errors.New("timestamp: the token is over other data")
	// ErrUntrusted is a token whose signer does not chain to the given
	// roots as a time-stamping authority.
	ErrUntrusted = errors.New("timestamp: the signer is not a trusted time-stamping authority")
	// ErrSignature is a token whose signature does not hold.
	ErrSignature = errors.New("timestamp: the signature does not hold")
	// ErrRefused is a TSA that answered but granted no token.
	ErrRefused = errors.New("timestamp: the authority refused")
	// ErrResponse is a TSA answer that does not match the request (another
	// nonce, another imprint) or is not a time-stamp response.
	ErrResponse = errors.New("timestamp: the authority's answer does not match the request")
)

// maxResponse bounds what is read from a TSA: a token with its chain is a
// few kilobytes.
const maxResponse = 1 << 20

// Request asks the TSA at url for a token over SHA-256 of data, with a
// fresh nonce and the TSA's certificate in the token, and returns the DER
// TimeStampToken once the answer is granted, carries the nonce and the
// imprint asked for, and its signature holds. It does not check the chain:
// Verify does, against the roots the caller trusts.
func Request(ctx context.Context, client *http.Client, url string, data []byte) ([]byte, error) {
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		return nil, fmt.Errorf("timestamp request: nonce: %w", err)
	}
	q, err := dts.CreateRequest(bytes.NewReader(data), &dts.RequestOptions{Hash: crypto.SHA256, Certificates: true, Nonce: nonce})
	if err != nil {
		return nil, fmt.Errorf("timestamp request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(q))
	if err != nil {
		return nil, fmt.Errorf("timestamp request: %w", err)
	}
	req.Header.Set("Content-Type", "application/timestamp-query")
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("timestamp request: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, fmt.Errorf("timestamp request: read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return nil, fmt.Errorf("timestamp request: %s answered %s", url, resp.Status)
	}
	token, err := Token(body)
	if err != nil {
		return nil, fmt.Errorf("timestamp request: %w", err)
	}
	ts, err := dts.Parse(token)
	if err != nil {
		return nil, fmt.Errorf("timestamp request: %w: %v", ErrResponse, err)
	}
	if ts.Nonce == nil || ts.Nonce.Cmp(nonce) != 0 {
		return nil, fmt.Errorf("timestamp request: %w: another nonce", ErrResponse)
	}
	sum := sha256.Sum256(data)
	if ts.HashAlgorithm != crypto.SHA256 || !bytes.Equal(ts.HashedMessage, sum[:]) {
		return nil, fmt.Errorf("timestamp request: %w: another imprint", ErrResponse)
	}
	return token, nil
}

// response is RFC 3161's TimeStampResp.
type response struct {
	Status struct {
		Status       int
		StatusString []string       `asn1:"optional,utf8"`
		FailInfo     asn1.BitString `asn1:"optional"`
	}
	TimeStampToken asn1.RawValue `asn1:"optional"`
}

// Token takes the TimeStampToken out of a DER TimeStampResp (a .tsr as
// openssl ts -reply writes it), refusing a response that granted none.
func Token(resp []byte) ([]byte, error) {
	var r response
	rest, err := asn1.Unmarshal(resp, &r)
	if err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("%w: not a time-stamp response", ErrResponse)
	}
	// 0 granted, 1 granted with modifications; the rest are refusals.
	if r.Status.Status > 1 {
		return nil, fmt.Errorf("%w: status %d %s", ErrRefused, r.Status.Status, strings.Join(r.Status.StatusString, "; "))
	}
	if len(r.TimeStampToken.FullBytes) == 0 {
		return nil, fmt.Errorf("%w: granted without a token", ErrResponse)
	}
	return r.TimeStampToken.FullBytes, nil
}

// Stamp is what a verified token says.
type Stamp struct {
	Time   time.Time // the TSA's time (genTime)
	TSA    string    // the signing certificate's subject
	Serial *big.Int  // the token's serial number at that TSA
}

// Verify checks token as a time-stamp over data by a TSA whose certificate
// chains to roots (through the token's certificates and intermediates)
// with the timeStamping extended key usage, at the token's own time. Each
// failure wraps its own error: ErrBadToken, ErrSignature, ErrUntrusted,
// ErrImprint.
func Verify(token, data []byte, roots, intermediates *x509.CertPool) (Stamp, error) {
	if roots == nil {
		return Stamp{}, fmt.Errorf("%w: no roots given", ErrUntrusted)
	}
	return check(token, data, roots, intermediates)
}

// Inspect checks all Verify does but the chain: that token is a strict,
// well-signed time-stamp over data by the certificate it carries. It is
// for a holder with no roots to trust (a device keeping the token the
// platform verified); whose the certificate is, only Verify says.
func Inspect(token, data []byte) (Stamp, error) {
	return check(token, data, nil, nil)
}

func check(token, data []byte, roots, intermediates *x509.CertPool) (Stamp, error) {
	// The CMS parser reads BER and re-encodes what the signature covers,
	// so bytes that parse alike (a length written another way) would
	// pass unnoticed: a token must be strict DER throughout first.
	if err := strictDER(token, 0); err != nil {
		return Stamp{}, fmt.Errorf("%w: %v", ErrBadToken, err)
	}
	ci, err := strictCMS(token)
	if err != nil {
		return Stamp{}, fmt.Errorf("%w: %v", ErrBadToken, err)
	}
	p7, err := pkcs7.Parse(token)
	if err != nil {
		return Stamp{}, fmt.Errorf("%w: %v", ErrBadToken, err)
	}
	if len(p7.Signers) != 1 {
		return Stamp{}, fmt.Errorf("%w: %d signers", ErrBadToken, len(p7.Signers))
	}
	signer := p7.GetOnlySigner()
	if signer == nil {
		return Stamp{}, fmt.Errorf("%w: the token carries no signer's certificate", ErrBadToken)
	}
	sid := ci.Content.SignerInfos[0].Sid
	if !bytes.Equal(sid.Issuer.FullBytes, signer.RawIssuer) || sid.Serial == nil || sid.Serial.Cmp(signer.SerialNumber) != 0 {
		return Stamp{}, fmt.Errorf("%w: the signer named is not the certificate carried", ErrBadToken)
	}
	if err := p7.Verify(); err != nil {
		return Stamp{}, fmt.Errorf("%w: %v", ErrSignature, err)
	}
	ts, err := dts.Parse(token)
	if err != nil {
		return Stamp{}, fmt.Errorf("%w: %v", ErrBadToken, err)
	}
	pool := x509.NewCertPool()
	if intermediates != nil {
		pool = intermediates.Clone()
	}
	for _, c := range p7.Certificates {
		if c != signer {
			pool.AddCert(c)
		}
	}
	if roots == nil {
		return imprint(ts, signer, data)
	}
	chains, err := signer.Verify(x509.VerifyOptions{Roots: roots, Intermediates: pool, CurrentTime: ts.Time,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}})
	if err != nil {
		return Stamp{}, fmt.Errorf("%w: %v", ErrUntrusted, err)
	}
	// Every certificate the token carries must be one of its chain's: a
	// token is evidence, and nothing in it may be bytes that no check
	// covers (a changed copy of the root would otherwise pass unread).
	for _, c := range p7.Certificates {
		if !inChains(c, chains) {
			return Stamp{}, fmt.Errorf("%w: it carries a certificate (%s) outside its chain", ErrUntrusted, c.Subject)
		}
	}
	return imprint(ts, signer, data)
}

func imprint(ts *dts.Timestamp, signer *x509.Certificate, data []byte) (Stamp, error) {
	sum := sha256.Sum256(data)
	if ts.HashAlgorithm != crypto.SHA256 || !bytes.Equal(ts.HashedMessage, sum[:]) {
		return Stamp{}, fmt.Errorf("%w: token over %x (%v), data SHA-256 %x", ErrImprint, ts.HashedMessage, ts.HashAlgorithm, sum)
	}
	return Stamp{Time: ts.Time.UTC(), TSA: signer.Subject.String(), Serial: ts.SerialNumber}, nil
}

func inChains(c *x509.Certificate, chains [][]*x509.Certificate) bool {
	for _, ch := range chains {
		for _, x := range ch {
			if x.Equal(c) {
				return true
			}
		}
	}
	return false
}

// strictDER checks that b is exactly one DER element whose constructed
// parts are, recursively, DER elements filling them exactly (encoding/asn1
// refuses non-minimal and indefinite lengths).
func strictDER(b []byte, depth int) error {
	if depth > 64 {
		return errors.New("nested too deep")
	}
	var v asn1.RawValue
	rest, err := asn1.Unmarshal(b, &v)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("%d bytes after the element", len(rest))
	}
	if !v.IsCompound {
		return nil
	}
	for in := v.Bytes; len(in) > 0; {
		var c asn1.RawValue
		next, err := asn1.Unmarshal(in, &c)
		if err != nil {
			return err
		}
		if err := strictDER(c.FullBytes, depth+1); err != nil {
			return err
		}
		in = next
	}
	return nil
}

// The CMS SignedData of a token (RFC 5652 §5), read strictly: the CMS
// parser skips fields it does not use (the digest algorithms, the
// signer's identifier), so a token whose bytes there were changed would
// otherwise still verify.
type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     signedData `asn1:"explicit,tag:0"`
}

type signedData struct {
	Version          int
	DigestAlgorithms []pkix.AlgorithmIdentifier `asn1:"set"`
	EncapContent     struct {
		Type    asn1.ObjectIdentifier
		Content []byte `asn1:"explicit,tag:0"`
	}
	Certificates asn1.RawValue `asn1:"optional,tag:0"`
	CRLs         asn1.RawValue `asn1:"optional,tag:1"`
	SignerInfos  []signerInfo  `asn1:"set"`
}

type signerInfo struct {
	Version int
	Sid     struct {
		Issuer asn1.RawValue
		Serial *big.Int
	}
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
}

var (
	oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidTSTInfo    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
)

// strictCMS parses token as a SignedData over a TSTInfo and checks that it
// re-encodes to exactly its own bytes.
func strictCMS(token []byte) (contentInfo, error) {
	var ci contentInfo
	rest, err := asn1.Unmarshal(token, &ci)
	if err != nil {
		return ci, err
	}
	if len(rest) > 0 {
		return ci, fmt.Errorf("%d bytes after the token", len(rest))
	}
	if !ci.ContentType.Equal(oidSignedData) || !ci.Content.EncapContent.Type.Equal(oidTSTInfo) {
		return ci, errors.New("not signed TSTInfo")
	}
	if len(ci.Content.SignerInfos) != 1 {
		return ci, fmt.Errorf("%d signers", len(ci.Content.SignerInfos))
	}
	again, err := asn1.Marshal(ci)
	if err != nil {
		return ci, err
	}
	if !bytes.Equal(again, token) {
		return ci, errors.New("not in its one DER encoding")
	}
	// The digest algorithms listed are the signer's, and the signer named
	// is the certificate the signature is checked with (Verify).
	si := ci.Content.SignerInfos[0]
	// RFC 5652 §5.1, §5.3: version 3 for content other than id-data, 1
	// for a signer named by issuer and serial number.
	if ci.Content.Version != 3 || si.Version != 1 {
		return ci, fmt.Errorf("versions %d and %d, not 3 and 1", ci.Content.Version, si.Version)
	}
	if len(ci.Content.DigestAlgorithms) != 1 || !ci.Content.DigestAlgorithms[0].Algorithm.Equal(si.DigestAlgorithm.Algorithm) {
		return ci, errors.New("the digest algorithms listed are not the signer's")
	}
	return ci, nil
}
