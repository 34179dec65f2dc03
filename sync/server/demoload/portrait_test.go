package demoload_test

import (
	"bytes"
	"image/png"
	"testing"

	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
)

// The same seed draws the same portrait, another seed another one: the
// demo's photos do not change from run to run, and people tell them apart.
func TestPortraitIsDeterministic(t *testing.T) {
	enc := func(seed string) []byte {
		var b bytes.Buffer
		if err := png.Encode(&b, demoload.Portrait(seed, 120, 160)); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	a, again, other := enc("990101000001"), enc("990101000001"), enc("990102000004")
	if !bytes.Equal(a, again) {
		t.Error("one seed drew two portraits")
	}
	if bytes.Equal(a, other) {
		t.Error("two seeds drew one portrait")
	}
}
