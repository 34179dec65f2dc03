package client

import (
	"context"

	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/sync/api"
)

// NoticesFile keeps the notices (通报) the platform holds about this
// device's cases, as the last round found them, so the officer's desk
// shows them on the case offline. They name parties' cases, so the file
// is sealed.
const NoticesFile = "notices.json"

// PullNotices fetches the notices about this device's cases (the
// platform gives a device its own and no other's).
func (c *Client) PullNotices(ctx context.Context) (_ []api.Notice, err error) {
	defer wrap(&err, "pull notices")
	out := []api.Notice{}
	resp, err := c.r.R().SetContext(ctx).SetResult(&out).Get(api.PathDeviceNotices)
	return out, fail(resp, err)
}

// LoadNotices reads the notices the last round kept; none before one
// has (seal.ErrLocked while nobody is signed in).
func LoadNotices(dev *device.Device) (_ []api.Notice, err error) {
	defer wrap(&err, "read "+NoticesFile)
	out := []api.Notice{}
	return out, dev.ReadSealedJSON(NoticesFile, &out)
}

// SaveNotices keeps the notices a round pulled, in place of the last.
func SaveNotices(dev *device.Device, list []api.Notice) (err error) {
	defer wrap(&err, "keep "+NoticesFile)
	return dev.SaveSealedJSON(NoticesFile, list)
}
