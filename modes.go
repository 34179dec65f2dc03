package main

import (
	"context"
	"io"
	"os"
	"runtime/debug"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"

	"github.com/sanxiang-desk/sanxiang/app/account"
	"github.com/sanxiang-desk/sanxiang/app/capture"
	"github.com/sanxiang-desk/sanxiang/app/device"
	"github.com/sanxiang-desk/sanxiang/app/shell"
	"github.com/sanxiang-desk/sanxiang/app/shell/winui"
	"github.com/sanxiang-desk/sanxiang/kiosk"
	"github.com/sanxiang-desk/sanxiang/officer"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
)

// listsPeriod is how often a kiosk or a window pulls the public lists.
const listsPeriod = 5 * time.Minute

func runKiosk(o *options, _ io.Writer) error {
	dev, err := o.open("kiosk", device.Catalog|device.Ledger)
	if err != nil {
		return err
	}
	defer dev.Close()
	a := shell.NewApp(kiosk.Theme(dev.Config))
	k, err := kiosk.New(dev.Catalog, dev.Config)
	if err != nil {
		return err
	}
	k.Dress(dev.Dir)
	if err := k.KeepLockout(dev.Dir); err != nil {
		return err
	}
	// Building the search indexes leaves garbage the size of the catalog;
	// hand it back now rather than keep it resident for the kiosk's life.
	debug.FreeOSMemory()
	w := a.NewWindow(shell.L("app.kiosk_title"))
	w.SetContent(k.Content())
	w.Resize(fyne.NewSize(1280, 800))
	w.SetPadded(false)
	k.Attach(w)
	w.SetFullScreen(!o.windowed)
	a.Driver().SetDisableScreenBlanking(true)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	shell.OnQuit(func() { stop(); shell.LogError("close the data folder", dev.Close()) })
	go k.RunIdleTimer(ctx)
	hl := client.NewHallLog(dev) // kiosk administrators' signed records, pushed
	k.SetAdmins(dev.Book, client.Activator{Dev: dev}, hl)
	go hl.Run(ctx, listsPeriod, nil)
	pl := client.NewLists(dev.Config.PlatformURL, dev.Catalog).OnDevice(dev.Dir)
	k.SetPull(pl)
	go pl.Every(ctx, listsPeriod, func(n int, err error) {
		shell.LogError("catalog sync", err)
		if n > 0 {
			fyne.Do(k.Refresh)
		}
	})
	w.ShowAndRun()
	return nil
}

func runWindow(o *options, _ io.Writer) error {
	dev, err := o.open("window", device.Catalog|device.Ledger)
	if err != nil {
		return err
	}
	defer dev.Close()
	a := shell.NewApp(shell.Theme{}) // before any widget exists
	desk, err := kiosk.NewWindowDesk(dev.Catalog, dev.Book, dev.Config)
	if err != nil {
		return err
	}
	if o.windowNo != "" {
		if err := desk.SetWindowNo(o.windowNo); err != nil {
			return plainError(shell.L("cli.bad_window_no", map[string]any{"N": o.windowNo, "Windows": desk.WindowNumbers()}))
		}
	}
	console := a.NewWindow(shell.L("app.window_title"))
	console.SetContent(desk.Console())
	console.Resize(fyne.NewSize(900, 640))
	console.SetMaster()
	shell.QuitOnClose(console)
	// The citizen-facing display: a second window, drawn large, put on the
	// second monitor where there is one (on Windows: winui); with
	// --fullscreen-display it fills that monitor.
	display := a.NewWindow(shell.L("app.window_display_title"))
	display.SetContent(desk.Display.Content())
	display.Resize(fyne.NewSize(1280, 800))
	display.SetFullScreen(o.fullscreenDisplay)
	display.SetCloseIntercept(func() {}) // only signing out clears it; closing the console quits
	desk.Display.OnTitle = display.SetTitle
	display.Show()
	if _, err := winui.PlaceOnSecondMonitor(display, o.fullscreenDisplay); err != nil {
		fyne.LogError("citizen display: second monitor", err)
	}
	console.RequestFocus() // staff type at the console, not at the display opened after it
	desk.Attach(console)
	a.Driver().SetDisableScreenBlanking(true)
	pl := client.NewLists(dev.Config.PlatformURL, dev.Catalog).OnDevice(dev.Dir)
	desk.SetPull(pl)
	desk.SetActivate(client.Activator{Dev: dev})
	hl := client.NewHallLog(dev) // staff's signed sign-ins and sign-outs, pushed
	desk.SetHall(hl)
	desk.SetRatings(hl) // 好差评: each rating signed by the staff member who served, pushed
	hl.OnWindows = func(open []api.OpenWindow) { fyne.Do(func() { desk.SetOpenWindows(open) }) }
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	shell.OnQuit(func() { stop(); shell.LogError("close the data folder", dev.Close()) })
	go hl.Run(ctx, listsPeriod, nil)
	go desk.Display.TurnPages(ctx) // a guide too long for the screen turns by itself
	go pl.Every(ctx, listsPeriod, func(n int, err error) {
		shell.LogError("catalog sync", err)
		fyne.Do(func() {
			if !desk.UpdateNow.Disabled() { // else a pull asked for is under way and will say
				desk.ShowPull(n, err)
			}
			if n > 0 {
				desk.Refresh() // staff scrolling a list keep their place otherwise
			}
		})
	})
	console.ShowAndRun()
	return nil
}

func runOfficer(o *options, _ io.Writer) error {
	dev, err := o.open("officer", device.Catalog|device.Ledger)
	if err != nil {
		return err
	}
	defer dev.Close()
	cal, err := dev.Calendar()
	if err != nil {
		return err
	}
	av, err := dev.AVLists()
	if err != nil {
		return err
	}
	a := shell.NewApp(shell.Theme{})
	w := a.NewWindow(shell.L("app.officer_title"))
	shell.QuitOnClose(w)
	// Copies handed to the system player are plaintext: a crash left
	// them, and quitting removes them.
	shell.LogError("sweep the system player's copies", officer.SweepPlayCopies())
	shell.OnQuit(func() { shell.LogError("sweep the system player's copies", officer.SweepPlayCopies()) })
	desk := officer.New(dev.Catalog, dev.Book, dev.Config, w)
	desk.SetCaseFile(dev.Log, cal, av)
	desk.SetDeadlines(dev.Deadlines())
	desk.SetCityLists(dev.CityLists())
	desk.SetTasks(client.LoadTasks(dev))
	desk.SetCapture(&officer.Capture{
		OpenAudio: func() (*capture.Audio, error) { return capture.OpenAudio(os.Getenv("SANXIANG_AUDIO") == "null") },
		Cameras:   cameras(),
	})
	// The desk's data is sealed until someone signs in: then a recording
	// a crash cut short is repaired and recorded (signed by its author,
	// who is the one signed in), and the drawn tasks are read.
	desk.SetOnSignIn(func(account.Account) {
		recovered, rerr := capture.Recover(context.Background(), dev.Log)
		tasks, terr := client.LoadTasks(dev)
		fyne.Do(func() {
			desk.SetTasks(tasks, terr)
			if len(recovered) > 0 || rerr != nil {
				msg := shell.L("media.recovered_notice", map[string]any{"N": len(recovered)})
				if rerr != nil {
					msg = shell.L("media.recover_failed", map[string]any{"Error": rerr.Error()})
				}
				dialog.ShowInformation(shell.L("record.media"), msg, w)
			}
		})
	})
	desk.SetReview(dev.Review)
	desk.SetSync(officer.DeviceSync{Dev: dev, Desk: desk})
	desk.SetActivate(client.Activator{Dev: dev})
	desk.SetReviewOpener(func(ctx context.Context, agency, device, caseID string) error {
		return client.OpenForReview(ctx, dev, agency, device, caseID)
	})
	w.SetContent(desk.Content())
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	shell.OnQuit(func() { stop(); shell.LogError("close the data folder", dev.Close()) })
	go desk.RunLockTimer(ctx)
	if _, err := client.LoadIdentity(dev.Dir, dev.Keys()); err == nil {
		// An enrolled device sends by itself; one not enrolled has
		// nowhere to send to (its 同步 button still pulls the lists).
		go desk.RunAutoSync(ctx, time.Duration(dev.Config.OfficerSyncMinutes)*time.Minute)
		go desk.RunCheckpoints(ctx, client.CheckpointEvery, officer.DeviceSync{Dev: dev, Desk: desk})
	}
	w.Resize(fyne.NewSize(1000, 700))
	w.ShowAndRun()
	return nil
}

// cameras are the system's cameras; the synthetic test pattern is offered
// only in the demo (and where SANXIANG_TEST_CAMERA is set), so that no
// officer records a test pattern into a real case.
func cameras() []capture.Camera {
	cams := capture.Webcams()
	if os.Getenv("SANXIANG_TEST_CAMERA") != "" {
		cams = append(cams, &capture.Synthetic{})
	}
	return cams
}
