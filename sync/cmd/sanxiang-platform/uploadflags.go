package main

import (
	"flag"
	"strconv"

	"github.com/sanxiang-desk/sanxiang/sync/server/media"
)

// sizeFlag is a size in bytes as administrators write it (2GiB, 500MiB).
type sizeFlag int64

func (f *sizeFlag) String() string { return strconv.FormatInt(int64(*f), 10) }

func (f *sizeFlag) Set(s string) error {
	n, err := media.ParseSize(s)
	if err != nil {
		return err
	}
	*f = sizeFlag(n)
	return nil
}

// The upload limits (issue 19, item 4), beside the other flags.
var (
	maxUpload    = sizeFlag(media.DefaultMaxUpload)
	deviceQuota  = sizeFlag(media.DefaultDeviceQuota)
	uploadExpiry = flag.Duration("upload-expiry", media.DefaultExpiry, "an unfinished upload is removed, with its bytes, this long after it was begun")
)

func init() {
	flag.Var(&maxUpload, "max-upload", "the largest evidence file one upload may declare (2GiB, 500MiB, …)")
	flag.Var(&deviceQuota, "device-quota", "what one device's unfinished uploads may reserve together (8GiB, …); finished evidence is not counted")
}

// uploadLimits are the limits the flags set.
func uploadLimits() media.Limits {
	return media.Limits{MaxUpload: int64(maxUpload), DeviceQuota: int64(deviceQuota), Expiry: *uploadExpiry}
}
