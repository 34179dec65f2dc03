package media_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/internal/npmtools"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/server/media"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
)

// nodeUpload uploads a file with tus-js-client (tools/npm) in Node, as a
// city's app or an auditor's script would, and prints what Node received:
// the Sanxiang-Receipt header of the last PATCH's answer, exactly as Node
// hands it to its caller, and how many PATCHes went.
const nodeUpload = `
const fs = require('fs');
const tus = require('tus-js-client');
const [endpoint, token, file, sha256] = process.argv.slice(2);
const data = fs.readFileSync(file);
let patches = 0;
const upload = new tus.Upload(data, {
  endpoint,
  headers: { Authorization: 'Bearer ' + token },
  metadata: { sha256 },
  uploadSize: data.length,
  chunkSize: 64 * 1024,
  retryDelays: null,
  storeFingerprintForResuming: false,
  onAfterResponse(req, res) {
    if (req.getMethod() === 'PATCH') patches++;
  },
  onError(err) {
    console.error(String(err));
    process.exit(1);
  },
  onSuccess({ lastResponse }) {
    process.stdout.write(JSON.stringify({
      status: lastResponse.getStatus(),
      receipt: lastResponse.getHeader('Sanxiang-Receipt'),
      patches,
    }));
  },
});
upload.start();
`

// TestNodeUploadReceiptVerifies: a file uploaded to the real platform by
// tus-js-client in Node gets a receipt that, as Node received it, decodes
// and verifies with the platform's key as the desk checks it, names the
// file's SHA-256 and size, and is the receipt the platform keeps. The
// same value with one character changed is refused by its own error. The
// older form of the header, read as Node reads a header (Latin-1), does not
// verify: the fault this encoding mends.
func TestNodeUploadReceiptVerifies(t *testing.T) {
	node := npmtools.Node(t)
	npmtools.Path(t, "tus-js-client/package.json")
	servertest.Each(t, func(t *testing.T, b servertest.Backend) {
		p := open(t, b, media.Limits{})
		token, _ := p.enrol(t, "node-uploader")
		data := randomBytes(200<<10 + 3) // four PATCHes of 64 KiB
		sum := sha256.Sum256(data)
		sha := hex.EncodeToString(sum[:])
		dir := t.TempDir()
		file := filepath.Join(dir, "evidence.bin")
		script := filepath.Join(dir, "upload.js")
		if err := os.WriteFile(file, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(script, []byte(nodeUpload), 0o600); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, node, script, p.h.URL+api.PathMedia, token, file, sha)
		cmd.Env = append(os.Environ(), "NODE_PATH="+npmtools.Dir(t))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("node upload: %v\n%s", err, stderr.Bytes())
		}
		var got struct {
			Status  int    `json:"status"`
			Receipt string `json:"receipt"`
			Patches int    `json:"patches"`
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("node printed %q: %v", out, err)
		}
		if got.Status != http.StatusNoContent || got.Patches != 4 || got.Receipt == "" {
			t.Fatalf("node's last answer: %+v; want 204 after 4 PATCHes, with a receipt", got)
		}
		if bad := servertest.NonASCIIHeader(http.Header{api.HeaderReceipt: {got.Receipt}}); bad != "" {
			t.Fatalf("the receipt as Node received it is not printable ASCII: %q", bad)
		}
		if !bytes.Equal(p.held(t, data), data) {
			t.Fatal("the platform's copy differs from what Node sent")
		}

		key := platformKey(t, p)
		d, err := ledger.ParseDigest(sha)
		if err != nil {
			t.Fatal(err)
		}
		verify := func(v string) error {
			msg, err := api.DecodeReceipt(v)
			if err != nil {
				return err
			}
			_, err = ledger.VerifyMediaReceipt(msg, key, d, int64(len(data)))
			return err
		}
		if err := verify(got.Receipt); err != nil {
			t.Fatalf("the receipt Node received does not verify: %v\n%q", err, got.Receipt)
		}
		msg, _ := api.DecodeReceipt(got.Receipt)
		if held := heldReceipt(t, p, sha); msg != held {
			t.Fatalf("Node's receipt %q is not the one the platform keeps, %q", msg, held)
		}
		// Another size is refused: the receipt names this file's.
		if _, err := ledger.VerifyMediaReceipt(msg, key, d, int64(len(data))+1); !errors.Is(err, ledger.ErrBadReceipt) {
			t.Fatalf("verified for another size: %v", err)
		}

		// One character changed on its way: to one outside base64, the
		// header is refused as such; to another of base64's (here in the
		// signature, near the end), the signature fails.
		mid := len(got.Receipt) / 2
		if err := verify(got.Receipt[:mid] + "*" + got.Receipt[mid+1:]); !errors.Is(err, api.ErrReceiptHeader) {
			t.Errorf("a receipt changed to a non-base64 character: %v; want api.ErrReceiptHeader", err)
		}
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
		i := len(got.Receipt) - 8
		k := strings.IndexByte(alphabet, got.Receipt[i])
		if k < 0 {
			t.Fatalf("%q is not base64", got.Receipt[i])
		}
		flipped := []byte(got.Receipt)
		flipped[i] = alphabet[k^1] // one bit of the six it stands for
		if err := verify(string(flipped)); !errors.Is(err, ledger.ErrReceiptForged) {
			t.Errorf("a receipt with one bit of its signature flipped: %v; want ledger.ErrReceiptForged", err)
		}

		// The older form, read as Node reads a header (each byte a Latin-1
		// character), no longer verifies.
		var latin1 strings.Builder
		for _, c := range []byte(strings.ReplaceAll(msg, "\n", "|")) {
			latin1.WriteRune(rune(c))
		}
		if err := verify(latin1.String()); !errors.Is(err, ledger.ErrReceiptForged) {
			t.Errorf("the older header as Node read it: %v; want ledger.ErrReceiptForged", err)
		}
	})
}

// platformKey is the platform's receipt verifier, as a device reads it.
func platformKey(t *testing.T, p *platform) string {
	t.Helper()
	resp, err := http.Get(p.h.URL + api.PathPubKey)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ks api.KeySet
	if err := json.NewDecoder(resp.Body).Decode(&ks); err != nil || ks.Verifier == "" {
		t.Fatalf("platform key: %d %v", resp.StatusCode, err)
	}
	return ks.Verifier
}

// heldReceipt is the receipt GET media-by-sha answers for a device.
func heldReceipt(t *testing.T, p *platform, sha string) string {
	t.Helper()
	token, _ := p.enrol(t, "asker")
	a := p.tus(t, token, http.MethodGet, api.PathMediaSHA+sha, nil, nil)
	var body struct {
		Receipt string `json:"receipt"`
	}
	if err := json.Unmarshal(a.body, &body); a.status != http.StatusOK || err != nil {
		t.Fatalf("media-by-sha: %v", a)
	}
	return body.Receipt
}
