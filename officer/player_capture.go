package officer

import (
	"errors"

	"github.com/sanxiang-desk/sanxiang/app/capture"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
)

// openCaptureAVI is the adapter to capture's reader of the desk's own
// AVIs, which reads from a path; a sealed file has none, and is read by
// mediaimport.OpenAVIAt instead. When capture.OpenAVI takes an
// io.ReaderAt (the sealed recording work), this becomes
// capture.OpenAVI(f, f.Size()) for every file. The reader closes f.
func openCaptureAVI(f ledger.MediaFile) (*capture.AVIReader, error) {
	named, ok := f.(interface{ Name() string })
	if !ok {
		return nil, errors.New("capture reads AVIs from a path")
	}
	r, err := capture.OpenAVI(named.Name())
	if err != nil {
		return nil, err
	}
	f.Close()
	return r, nil
}
