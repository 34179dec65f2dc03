package officer

import (
	"github.com/sanxiang-desk/sanxiang/app/capture"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
)

// openCaptureAVI reads a stored AVI as the desk writes it, through
// capture's reader at random (sealed or not). On success the reader owns
// f and closes it; on failure f stays open for the camera reader.
func openCaptureAVI(f ledger.MediaFile) (*capture.AVIReader, error) {
	return capture.OpenAVIAt(f, f.Size())
}
