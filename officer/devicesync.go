package officer

import (
	"context"

	"fyne.io/fyne/v2"

	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/sync/client"
)

// DeviceSync is the officer desk's Syncer: a sync round over the device,
// after which the desk uses what arrived, even when another step failed.
type DeviceSync struct {
	Dev  *device.Device
	Desk *Desk
}

func (s DeviceSync) Sync(ctx context.Context, progress func(client.Upload)) (client.Result, error) {
	res, err := client.Round(ctx, s.Dev, progress)
	for _, f := range res.Failed {
		fyne.LogError("sync: "+f.Step, f.Err)
	}
	av, aerr := s.Dev.AVLists()
	cal, cerr := s.Dev.Calendar()
	city := s.Dev.CityLists()
	tasks, terr := client.LoadTasks(s.Dev)
	notices, nerr := client.LoadNotices(s.Dev)
	for _, e := range []error{aerr, cerr} {
		if e != nil {
			fyne.LogError("after sync", e)
		}
	}
	fyne.Do(func() {
		if aerr == nil {
			s.Desk.SetAVList(av)
		}
		if cerr == nil {
			s.Desk.SetCalendar(cal)
		}
		s.Desk.SetCityLists(city)
		s.Desk.SetDeadlines(s.Dev.Deadlines())
		s.Desk.SetTasks(tasks, terr)
		s.Desk.SetNotices(notices, nerr)
	})
	return res, err
}

// Checkpoint sends the device's latest checkpoint alone (RunCheckpoints).
func (s DeviceSync) Checkpoint(ctx context.Context) error {
	_, err := client.CheckpointOnce(ctx, s.Dev)
	return err
}
