// Command sanxiang-platform is the reference central platform: devices
// enrol and push their record logs, kiosks pull the public lists, and
// citizens' phones open the public pages behind the kiosks' QR codes.
// It needs no cgo and no GUI libraries: build it with CGO_ENABLED=0.
//
//	sanxiang-platform --listen 127.0.0.1:8421 --db platform.db --media media/ --admin-token "$TOKEN" [--demo]
//	sanxiang-platform --db platform.db --new-code officer      (prints a one-time enrolment code)
//	sanxiang-platform --db platform.db --set-procedures procedures.json   (agencies' own procedures, checked whole)
//	sanxiang-platform --listen :443 --tls-cert cert.pem --tls-key key.pem …   (HTTPS; listen.go)
//	sanxiang-platform --listen :8421 --behind-proxy [--proxy-addr 10.0.0.5] [--proxy-cert proxy.pem] …
//	sanxiang-platform admin add --db platform.db --login L --name N --role city   (the first administrator; password from the terminal)
//
// People administer the platform in its console (/admin/login) with their
// own accounts; programs call the administrator API with scoped API tokens
// ("admin token add"). --admin-token is a bootstrap token for automation
// with every scope, named "configured" in the audit log.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/sanxiang-desk/sanxiang/app/calendar"
	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/demoload"
)

// Set at build time with -ldflags "-X main.version=… -X main.build=…"
// (packaging/package.sh, from FyneApp.toml).
var (
	version = "0.1.0"
	build   = "dev"
)

func main() {
	if len(os.Args) > 1 && (os.Args[1] == "-version" || os.Args[1] == "--version") {
		fmt.Printf("sanxiang-platform %s (%s)\n", version, build)
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "admin" {
		if err := adminSubcommand(os.Args[2:], os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "key" {
		if err := keySubcommand(os.Args[2:], os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	listen := flag.String("listen", "127.0.0.1:8421", "address to serve on")
	dbPath := flag.String("db", "platform.db", "database: a SQLite file, or postgres://USER:PASS@HOST/DB for several instances")
	mediaDir := flag.String("media", "", "evidence files by SHA-256: a folder (default: media beside a SQLite database), or an S3 bucket s3://KEY:SECRET@HOST/BUCKET (s3+http:// without TLS)")
	adminToken := flag.String("admin-token", os.Getenv("SANXIANG_ADMIN_TOKEN"), "a bootstrap API token for automation with every scope, named \"configured\" in the audit log (or $SANXIANG_ADMIN_TOKEN); people log in to /admin/ with their own accounts, programs should get scoped tokens (admin token add)")
	withDemo := flag.Bool("demo", false, "load the demo city (public lists, major-decision lists, reviewers) if the catalog is empty")
	newCode := flag.String("new-code", "", "print a one-time enrolment code for a device of this kind (kiosk, window, officer) and exit")
	importFile := flag.String("import", "", "import one public list from a .csv or .xlsx file (with --kind) and exit; every bad row is reported and nothing is imported then")
	kind := flag.String("kind", "", "the list --import reads: officer, fee, guide, item, inspection, decision, result")
	devices := flag.Bool("devices", false, "list enrolled devices with their sync status and exit")
	revoke := flag.String("revoke", "", "revoke the device with this ID and exit")
	alerts := flag.Bool("alerts", false, "list what the platform flagged (forks, decisions without a required review) and exit")
	edit := flag.String("edit", "", "change one item, KIND/ID, with field=value arguments after the flags (checked as an import row), and exit")
	withdraw := flag.String("withdraw", "", "withdraw one item, KIND/ID, from the public lists and exit")
	calFile := flag.String("calendar", "", "add or replace years of the working-day calendar from a JSON file "+
		`({"years":{"2027":{"holidays":["2027-01-01",…],"workdays":[…]}}}) and exit`)
	avFile := flag.String("av-lists", "", "set every agency's audio/video requirement list (音像记录事项清单) from a JSON file "+
		`([{"agency":"01","stages":["notify"],"full_process":["enforce"]}, …]; agency "*" for all) and exit`)
	procFile := flag.String("set-procedures", "", "set agencies' own versions of the procedures (执法程序) from a JSON file "+
		`([{"id":"penalty","act":"penalty","agency":"01","title":…,"stages":[…]}, …], national.json's form with each agency named); `+
		"each agency named has its versions replaced; a malformed file changes nothing; and exit")
	drawItem := flag.String("draw", "", "draw targets for this random-inspection item (双随机): with --targets FILE (one target a line) and --count N; prints and publishes the draw, and exits")
	targetsFile := flag.String("targets", "", "the target list --draw draws from")
	drawCount := flag.Int("count", 0, "how many targets --draw draws")
	drawSeed := flag.Uint64("seed", 0, "the seed --draw uses (default: a random one, printed and kept)")
	redraw := flag.Int64("redraw", 0, "draw the draw with this number again from its seed and lists and say whether it is the same, and exit")
	drawResult := flag.Int64("draw-result", 0, "record the result of one target of the draw with this number (with --target and --result), and exit")
	target := flag.String("target", "", "the drawn target --draw-result is about")
	result := flag.String("result", "", "the inspection's result, as published")
	flag.Parse()
	if err := settleSecrets(dbPath, mediaDir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if *drawItem != "" || *redraw != 0 || *drawResult != 0 {
		if err := drawCommand(*dbPath, *mediaDir, *drawItem, *targetsFile, *drawCount, *drawSeed, *redraw, *drawResult, *target, *result); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if *devices || *revoke != "" || *alerts || *edit != "" || *withdraw != "" {
		if err := adminCommand(*dbPath, *mediaDir, *devices, *revoke, *alerts, *edit, *withdraw, flag.Args()); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if *calFile != "" {
		if err := addCalendar(*dbPath, *mediaDir, *calFile); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if *avFile != "" {
		if err := setAVLists(*dbPath, *mediaDir, *avFile); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if *procFile != "" {
		if err := setProcedures(*dbPath, *mediaDir, *procFile, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if *importFile != "" {
		if err := importList(*dbPath, *mediaDir, *importFile, catalog.Kind(*kind)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*listen, *dbPath, *mediaDir, *adminToken, *withDemo, *newCode, log); err != nil {
		log.Error("platform stopped", "err", err)
		os.Exit(1)
	}
}

func run(listen, dbPath, mediaDir, adminToken string, withDemo bool, newCode string, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	origins, err := corsOriginList()
	if err != nil {
		return err
	}
	tsa, err := timestampConfig(*tsaURL, *tsaRoots, *tsaChain)
	if err != nil {
		return err
	}
	witnesses, err := witnessPolicy(*witnessPolicyFile)
	if err != nil {
		return err
	}
	// Only the serving instance takes the SQLite file's lock: a second one
	// is refused, the administrator's commands are not.
	s, err := server.Open(ctx, dbPath, withKey(server.Options{AdminToken: adminToken, Logger: log, Media: mediaDir, Exclusive: newCode == "",
		Uploads: uploadLimits(), Clock: clockPolicy(), CORSOrigins: origins, Timestamps: tsa,
		Witnesses: witnesses, WitnessRetry: *witnessRetry}))
	if err != nil {
		return err
	}
	defer s.Close()
	tr, err := platformTransport(s, log)
	if err != nil {
		return err
	}
	if newCode != "" {
		code, err := s.NewEnrolCode(ctx, newCode)
		if err != nil {
			return err
		}
		fmt.Println(code)
		return nil
	}
	if withDemo {
		if err := demoload.Load(ctx, s); err != nil {
			return err
		}
		if err := demoload.Plans(ctx, s); err != nil {
			return err
		}
		if err := demoload.Hall(ctx, s); err != nil {
			return err
		}
		log.Info("demo city loaded (lists, major-decision lists, reviewers) where the catalog was empty")
	}
	srv := newHTTPServer(listen, tr.handler(s.Handler()), log)
	ln, err := tr.listen(listen)
	if err != nil {
		return err
	}
	log.Info("platform serving", "listen", listen, "tls", tr.cert != nil, "behind_proxy", tr.proxies != nil, "db", redactDB(dbPath),
		"platform_key", s.PlatformKey(), "fingerprint", s.KeyFingerprint(), "cors_origins", origins)
	// serve returns once the requests in flight are done (or cut after
	// drainTimeout); only then does the deferred Close close the database.
	return serve(ctx, srv, func() error { return tr.serve(srv, ln) }, log)
}

// importList imports one public list from a file into the platform.
// addCalendar adds years to the working-day calendar devices count
// deadlines with; a file that does not parse changes nothing.
func addCalendar(dbPath, media, file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	ctx := context.Background()
	s, err := server.Open(ctx, dbPath, withKey(server.Options{Media: media}))
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.AddCalendarYears(ctx, data); err != nil {
		return fmt.Errorf("工作日日历格式有误，未作任何更改 (the calendar does not parse; nothing changed): %w", err)
	}
	all, _ := s.CalendarFile(ctx)
	cal, err := calendar.Parse(all)
	if err != nil {
		return err
	}
	fmt.Printf("工作日日历已更新，现收录 %v 年，设备下次同步时获取。\n", cal.Years())
	return nil
}

// setAVLists replaces the audio/video requirement lists from a JSON file;
// a file that does not parse, or names a stage no procedure has, changes
// nothing.
func setAVLists(dbPath, media, file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var lists []casefile.AVRequirement
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&lists); err != nil {
		return fmt.Errorf("音像记录事项清单格式有误，未作任何更改 (the A/V lists do not parse; nothing changed): %w", err)
	}
	for _, l := range lists {
		for _, st := range append(append([]string{}, l.Stages...), l.FullProcess...) {
			if !casefile.National().Knows(st) {
				return fmt.Errorf("音像记录事项清单中机关 %s 的环节 %q 不存在，未作任何更改 (no such stage; nothing changed)", l.Agency, st)
			}
		}
	}
	ctx := context.Background()
	s, err := server.Open(ctx, dbPath, withKey(server.Options{Media: media}))
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.SetAVLists(ctx, lists); err != nil {
		return err
	}
	fmt.Printf("已更新 %d 个机关的音像记录事项清单，设备下次同步时获取。\n", len(lists))
	return nil
}

// setProcedures sets agencies' own versions of the procedures from a JSON
// file: checked whole (casefile.ParseProcedures and NewSet with the
// national defaults) before anything is stored; one malformed procedure,
// or one naming an unknown act or no agency, changes nothing.
func setProcedures(dbPath, media, file string, out io.Writer) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("执法程序文件无法读取，未作任何更改 (cannot read the procedures file; nothing changed): %w", err)
	}
	list, err := casefile.ParseProcedures(data)
	if err == nil {
		_, err = casefile.WithAgencies(list)
	}
	if err != nil {
		return fmt.Errorf("执法程序文件有误，未作任何更改 (the procedures are malformed or name an unknown act or no agency; nothing changed): %w", err)
	}
	ctx := context.Background()
	s, err := server.Open(ctx, dbPath, withKey(server.Options{Media: media}))
	if err != nil {
		return err
	}
	defer s.Close()
	stored, err := s.SetProcedures(ctx, list)
	if err != nil {
		return fmt.Errorf("执法程序未能保存，未作任何更改 (procedures not stored; nothing changed): %w", err)
	}
	for _, p := range stored {
		fmt.Fprintf(out, "机关 %s：%s（%s）第 %d 版\n", p.Agency, p.Title, p.ID, p.Version)
	}
	fmt.Fprintf(out, "已设定 %d 个机关自定的执法程序，设备下次同步时获取。\n", len(stored))
	return nil
}

func importList(dbPath, media, file string, kind catalog.Kind) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	parse := server.ParseCSV
	if strings.HasSuffix(strings.ToLower(file), ".xlsx") {
		parse = server.ParseXLSX
	}
	items, err := parse(kind, f)
	if err != nil {
		return fmt.Errorf("导入失败，未导入任何内容 (import failed, nothing imported): %w", err)
	}
	ctx := context.Background()
	s, err := server.Open(ctx, dbPath, withKey(server.Options{Media: media}))
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Publish(ctx, items, nil); err != nil {
		return err
	}
	fmt.Printf("imported %d %s items\n", len(items), kind)
	return nil
}

// adminCommand runs one administrator tool against the platform's storage
// (the same database every instance uses) and prints the result.
func adminCommand(dbPath, media string, devices bool, revoke string, alerts bool, edit, withdraw string, args []string) error {
	ctx := context.Background()
	s, err := server.Open(ctx, dbPath, withKey(server.Options{Media: media}))
	if err != nil {
		return err
	}
	defer s.Close()
	w := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	defer w.Flush()
	switch {
	case devices:
		list, err := s.Devices(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, "ID\tNAME\tKIND\tREVOKED\tENROLLED\tLAST SEEN\tRECORDS ACKNOWLEDGED")
		for _, d := range list {
			fmt.Fprintf(w, "%s\t%s\t%s\t%v\t%s\t%s\t%d\n", d.ID, d.Name, d.Kind, d.Revoked, d.Enrolled, d.LastSeen, d.RecordsAcknowledged)
		}
	case revoke != "":
		if err := s.Revoke(ctx, revoke); err != nil {
			return err
		}
		fmt.Fprintf(w, "revoked %s\n", revoke)
	case alerts:
		list, err := s.AlertList(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, "AT\tDEVICE\tKIND\tDETAIL")
		for _, a := range list {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", a.At, a.Device, a.Kind, a.Detail)
		}
	case edit != "":
		kind, id, ok := strings.Cut(edit, "/")
		if !ok || id == "" {
			return fmt.Errorf("--edit wants KIND/ID, got %q", edit)
		}
		fields := map[string]string{}
		for _, a := range args {
			k, v, ok := strings.Cut(a, "=")
			if !ok || k == "" {
				return fmt.Errorf("field=value expected, got %q", a)
			}
			fields[k] = v
		}
		if len(fields) == 0 {
			return fmt.Errorf("--edit %s: no field=value given", edit)
		}
		if err := s.EditItem(ctx, catalog.Kind(kind), id, fields); err != nil {
			return fmt.Errorf("未作修改 (nothing changed): %w", err)
		}
		fmt.Fprintf(w, "changed %s; kiosks get it on their next pull\n", edit)
	case withdraw != "":
		kind, id, ok := strings.Cut(withdraw, "/")
		if !ok || id == "" {
			return fmt.Errorf("--withdraw wants KIND/ID, got %q", withdraw)
		}
		if err := s.Withdraw(ctx, catalog.Kind(kind), id); err != nil {
			return fmt.Errorf("withdraw %s: %w", withdraw, err)
		}
		fmt.Fprintf(w, "withdrew %s\n", withdraw)
	}
	return nil
}

// drawCommand makes, checks or completes a random inspection draw.
func drawCommand(dbPath, media, item, targetsFile string, count int, seed uint64, redraw, resultID int64, target, result string) error {
	ctx := context.Background()
	s, err := server.Open(ctx, dbPath, withKey(server.Options{Media: media}))
	if err != nil {
		return err
	}
	defer s.Close()
	switch {
	case redraw != 0:
		same, err := s.Redraw(ctx, redraw)
		if err != nil {
			return err
		}
		if !same {
			return fmt.Errorf("抽查 %d 复核不一致 (the draw does not come out the same)", redraw)
		}
		fmt.Printf("draw %d drawn again from its seed and lists: the same\n", redraw)
	case resultID != 0:
		if target == "" || strings.TrimSpace(result) == "" {
			return fmt.Errorf("--draw-result needs --target and --result")
		}
		if err := s.SetDrawResult(ctx, resultID, target, result); err != nil {
			return err
		}
		fmt.Printf("result of %s recorded and published\n", target)
	default:
		data, err := os.ReadFile(targetsFile)
		if err != nil {
			return fmt.Errorf("--targets: %w", err)
		}
		var targets []string
		for _, l := range strings.Split(string(data), "\n") {
			if l = strings.TrimSpace(strings.TrimPrefix(l, "\ufeff")); l != "" {
				targets = append(targets, l)
			}
		}
		rec, err := s.NewDraw(ctx, item, count, seed, targets)
		if err != nil {
			return err
		}
		fmt.Printf("draw %d: item %s, seed %d, lists sha256 %s\n", rec.ID, rec.Draw.Item, rec.Draw.Seed, rec.Draw.ListsSHA)
		for i, t := range rec.Draw.Tasks {
			fmt.Printf("%3d  %s  %s\n", i+1, t.Target, t.Team())
		}
		fmt.Printf("published at /p/draws/%d\n", rec.ID)
	}
	return nil
}
