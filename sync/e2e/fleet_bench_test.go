package e2e

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/casefile/casefiletest"
	"github.com/sanxiang-desk/sanxiang/app/ledger"
	"github.com/sanxiang-desk/sanxiang/sync/api"
	"github.com/sanxiang-desk/sanxiang/sync/client"
	"github.com/sanxiang-desk/sanxiang/sync/server"
	"github.com/sanxiang-desk/sanxiang/sync/server/servertest"
	"github.com/sanxiang-desk/sanxiang/sync/server/sqldb"
)

// A city's fleet: every device syncs at the start of the day.
const (
	fleetDevices = 2000
	fleetRecords = 20 // a case opened and 19 notes, each signed by its officer, under one checkpoint
)

// BenchmarkFleet2000: ours is 2,000 devices pushing at once, through a
// round-robin balancer on loopback, to two platform instances that share
// one PostgreSQL database and one S3 bucket; each device sends its 20
// records signed by its officer and the device's checkpoint, and keeps the
// receipt once it has checked it against its own tree. An iteration is one
// whole fleet on a fresh database (made, with the enrolments and the
// officers' key activations, off the clock); after it, every record is
// held exactly once and every device holds a receipt for all of its log.
// p50-ms and p99-ms are the devices' push latencies, records/s the
// verified intake. The baseline inserts the same rows, 20 to a
// transaction as the platform takes them, straight into a table of the
// same shape in the same PostgreSQL, with as many connections as the two
// instances have.
func BenchmarkFleet2000(b *testing.B) {
	ctx := context.Background()
	raiseFileLimit(b)
	be, pg := cityBackend(b)
	fleet := makeFleet(b, fleetDevices, fleetRecords)

	b.Run("ours", func(b *testing.B) {
		var lat []time.Duration
		var took time.Duration
		runs := 0
		for b.Loop() {
			b.StopTimer()
			city := openCity(b, be, fleet)
			b.StartTimer()
			t0 := time.Now()
			l := city.pushAll(b, fleet)
			took += time.Since(t0)
			b.StopTimer()
			city.check(b, fleet)
			city.close()
			lat = append(lat, l...)
			runs++
			b.StartTimer()
		}
		slices.Sort(lat)
		b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
		b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
		b.ReportMetric(float64(runs*fleetDevices*fleetRecords)/took.Seconds(), "records/s")
		b.Logf("%d runs of %d devices × %d records: p50 %v, p99 %v, max %v", runs, fleetDevices, fleetRecords,
			lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1])
	})

	b.Run("baseline", func(b *testing.B) {
		db, err := sql.Open("pgx", servertest.Schema(b, pg))
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		db.SetMaxOpenConns(2 * sqldb.MaxConns)
		db.SetMaxIdleConns(2 * sqldb.MaxConns)
		if _, err := db.ExecContext(ctx, `CREATE TABLE raw_records (device TEXT NOT NULL, seq INTEGER NOT NULL, data BYTEA NOT NULL,
			PRIMARY KEY (device, seq))`); err != nil {
			b.Fatal(err)
		}
		var took time.Duration
		runs := 0
		for b.Loop() {
			b.StopTimer()
			if _, err := db.ExecContext(ctx, `TRUNCATE raw_records`); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			t0 := time.Now()
			var wg sync.WaitGroup
			errs := make([]error, len(fleet))
			start := make(chan struct{})
			for i, d := range fleet {
				wg.Go(func() {
					<-start
					errs[i] = rawInsert(ctx, db, d.name, d.recs)
				})
			}
			close(start)
			wg.Wait()
			took += time.Since(t0)
			b.StopTimer()
			for _, err := range errs {
				if err != nil {
					b.Fatal(err)
				}
			}
			var n int
			if err := db.QueryRowContext(ctx, `SELECT count(*) FROM raw_records`).Scan(&n); err != nil || n != len(fleet)*fleetRecords {
				b.Fatalf("raw rows: %d %v", n, err)
			}
			runs++
			b.StartTimer()
		}
		b.ReportMetric(float64(runs*fleetDevices*fleetRecords)/took.Seconds(), "records/s")
	})
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// rawInsert is the baseline's push: one transaction, one INSERT a row.
func rawInsert(ctx context.Context, db *sql.DB, device string, recs []ledger.RawRecord) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("raw insert: %w", err)
	}
	for _, r := range recs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO raw_records (device, seq, data) VALUES ($1, $2, $3)`, device, r.Seq, r.Data); err != nil {
			tx.Rollback()
			return fmt.Errorf("raw insert: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("raw insert: %w", err)
	}
	return nil
}

// fleetFiles is how many files the fleet may hold open at its peak, with
// room: each device its log (the database, its WAL and shared memory) and
// a connection through the balancer (its end, the balancer's two, the
// instance's end), and the instances their pools: about 14,100 was seen.
const fleetFiles = 8 * fleetDevices

// raiseFileLimit lifts the limit on open files to what the fleet needs:
// the soft limit to the hard one, and the hard one too where the process
// may (root, as on CI's fresh machine).
func raiseFileLimit(b *testing.B) {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		b.Fatal(err)
	}
	want := r
	want.Max = max(r.Max, fleetFiles)
	want.Cur = want.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
		// Not allowed to raise the hard limit: up to it, then.
		want = syscall.Rlimit{Cur: r.Max, Max: r.Max}
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
			b.Fatal(err)
		}
	}
	if want.Cur < fleetFiles {
		b.Fatalf("a fleet of %d devices needs about %d open files; the hard limit is %d (ulimit -Hn)", fleetDevices, fleetFiles, r.Max)
	}
}

// cityBackend is PostgreSQL with S3, the city deployment, and the
// PostgreSQL server's URL; without them the benchmark is skipped, or
// fails under SANXIANG_TEST_REQUIRE_ALL=1 (servertest.Backends).
func cityBackend(b *testing.B) (servertest.Backend, string) {
	for _, be := range servertest.Backends(b) {
		if be.Name == "postgres+s3" {
			return be, os.Getenv("SANXIANG_TEST_POSTGRES")
		}
	}
	b.Skip("the fleet runs on PostgreSQL and S3: set SANXIANG_TEST_POSTGRES and SANXIANG_TEST_S3 (./dev bench starts them)")
	return servertest.Backend{}, ""
}

// fleetDevice is one device: its log, its officer and the officer's key.
type fleetDevice struct {
	name    string
	log     *casefile.Log
	officer string
	key     ed25519.PrivateKey
	recs    []ledger.RawRecord // the log as pushed
}

// makeFleet makes n devices' logs of records each, in memory-backed files
// where the machine has them (the devices' disks are not the platform's
// cost). The logs are reused by every run: each run's platform is new.
func makeFleet(b *testing.B, n, records int) []*fleetDevice {
	ctx := context.Background()
	base := ""
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		base = "/dev/shm"
	}
	dir, err := os.MkdirTemp(base, "sanxiang-fleet-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	fleet := make([]*fleetDevice, n)
	t0 := time.Now()
	err = parallel(n, func(i int) error {
		d := &fleetDevice{name: fmt.Sprintf("CITY-%04d", i), officer: fmt.Sprintf("9901%08d", 100000+i)}
		l, err := casefile.Open(ctx, filepath.Join(dir, d.name+".db"), filepath.Join(dir, "m"), d.name, nil)
		if err != nil {
			return err
		}
		b.Cleanup(func() { l.Close() })
		d.log = l
		d.key = casefiletest.SignAs(b, l, d.officer)[d.officer]
		c, err := l.OpenCase(ctx, d.officer, casefile.Opening{Act: "inspection", Agency: "01", ItemID: "E1", ItemName: "检查",
			Party: casefile.Party{Kind: "org", Name: fmt.Sprintf("某公司%d", i)}, Officers: []casefile.Officer{{CertNo: d.officer}}})
		if err != nil {
			return fmt.Errorf("%s: open case: %w", d.name, err)
		}
		batch := make([]*casefile.Record, records-1)
		for j := range batch {
			batch[j] = &casefile.Record{Case: c, Kind: "note", Author: d.officer,
				Body: json.RawMessage(fmt.Sprintf(`{"text":"现场检查笔录第%d页：经营场所、证照、台账逐项核对"}`, j+1))}
		}
		if err := l.AppendBatch(ctx, batch); err != nil {
			return fmt.Errorf("%s: append: %w", d.name, err)
		}
		if d.recs, _, err = l.Since(ctx, 0); err != nil || len(d.recs) != records {
			return fmt.Errorf("%s: %d records: %v", d.name, len(d.recs), err)
		}
		// Each run's platform is new: the receipts of the last run go.
		if _, err := l.DB().ExecContext(ctx, `DROP TRIGGER IF EXISTS receipts_no_delete`); err != nil {
			return err
		}
		// A device holds one log open, not a pool of idle connections
		// (three files each): 2,000 of them would run out of files.
		l.DB().SetMaxIdleConns(1)
		fleet[i] = d
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d device logs of %d records made in %v", n, records, time.Since(t0))
	return fleet
}

// parallel runs fn(0..n-1) on as many workers as there are cores, twice
// over (half of each is waiting on the database or the network).
func parallel(n int, fn func(i int) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for range 2 * runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}

// city is two platform instances on one database and bucket, behind a
// round-robin balancer, with the fleet enrolled and its officers' keys
// activated.
type city struct {
	inst []*server.Server
	http []*httptest.Server
	lb   *roundRobin
	db   string
	ids  []client.Identity
}

func openCity(b *testing.B, be servertest.Backend, fleet []*fleetDevice) *city {
	ctx := context.Background()
	db, media := be.Where(b)
	c := &city{db: db}
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	var backends []string
	for range 2 {
		s, err := server.Open(ctx, db, server.Options{Media: media, AdminToken: admin, Logger: quiet, KeyFile: servertest.KeyFile(db)})
		if err != nil {
			b.Fatal(err)
		}
		h := httptest.NewServer(s.Handler())
		c.inst, c.http = append(c.inst, s), append(c.http, h)
		backends = append(backends, h.Listener.Addr().String())
	}
	c.lb = newRoundRobin(b, backends...)
	url := "http://" + c.lb.Addr()
	c.ids = make([]client.Identity, len(fleet))
	err := parallel(len(fleet), func(i int) error {
		d := fleet[i]
		s := c.inst[i%2]
		code, err := s.NewEnrolCode(ctx, api.DeviceOfficer)
		if err != nil {
			return err
		}
		id, err := client.Enrol(ctx, url, code, d.name, api.DeviceOfficer, d.log.Verifier)
		if err != nil {
			return fmt.Errorf("%s: %w", d.name, err)
		}
		if err := s.People().Put(ctx, api.Person{ID: d.officer, Name: "执法员" + d.officer[8:], Agency: "01",
			Role: api.RoleOfficer, Active: true}); err != nil {
			return fmt.Errorf("%s: %w", d.officer, err)
		}
		acode, _, err := s.People().NewActivationCode(ctx, d.officer)
		if err != nil {
			return err
		}
		if _, err := client.New(id).Activate(ctx, acode, d.key); err != nil {
			return fmt.Errorf("%s on %s: %w", d.officer, d.name, err)
		}
		if _, err := d.log.DB().ExecContext(ctx, `DELETE FROM receipts`); err != nil {
			return err
		}
		c.ids[i] = id
		return nil
	})
	if err != nil {
		c.close()
		b.Fatal(err)
	}
	return c
}

// pushAll has every device push at once and returns their latencies.
func (c *city) pushAll(b *testing.B, fleet []*fleetDevice) []time.Duration {
	ctx := context.Background()
	lat := make([]time.Duration, len(fleet))
	errs := make([]error, len(fleet))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, d := range fleet {
		cl := client.New(c.ids[i])
		wg.Go(func() {
			<-start
			t0 := time.Now()
			var res client.PushResult
			res, errs[i] = cl.Push(ctx, d.log)
			lat[i] = time.Since(t0)
			if errs[i] == nil && (res.Size != fleetRecords || res.Receipts != 1) {
				errs[i] = fmt.Errorf("%s: pushed to %d with %d receipts", d.name, res.Size, res.Receipts)
			}
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	return lat
}

// check: every device's records held exactly once, as the device has
// them, and a receipt for the whole log that the device verified (against
// the platform's key and its own tree) and kept.
func (c *city) check(b *testing.B, fleet []*fleetDevice) {
	ctx := context.Background()
	err := parallel(len(fleet), func(i int) error {
		d := fleet[i]
		held, err := c.inst[i%2].LogRecords(ctx, c.ids[i].DeviceID)
		if err != nil {
			return err
		}
		if len(held) != len(d.recs) {
			return fmt.Errorf("%s: the platform holds %d of %d records", d.name, len(held), len(d.recs))
		}
		for j := range held {
			if string(held[j]) != string(d.recs[j].Data) {
				return fmt.Errorf("%s: record %d differs", d.name, j)
			}
		}
		if n, err := d.log.Receipted(ctx); err != nil || n != int64(len(d.recs)) {
			return fmt.Errorf("%s: receipt kept for %d records (%v)", d.name, n, err)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	db, err := sqldb.Open(ctx, c.db)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var records, receipts int
	if err := db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM log_records), (SELECT count(*) FROM receipts)`).Scan(&records, &receipts); err != nil {
		b.Fatal(err)
	}
	if records != len(fleet)*fleetRecords || receipts != len(fleet) {
		b.Fatalf("the platform holds %d records and %d receipts; the fleet pushed %d and was owed %d",
			records, receipts, len(fleet)*fleetRecords, len(fleet))
	}
}

func (c *city) close() {
	if c.lb != nil {
		c.lb.Close()
	}
	for _, h := range c.http {
		h.Close()
	}
	for _, s := range c.inst {
		s.Close()
	}
}

// roundRobin is a city's TCP load balancer on loopback: each connection
// goes to the next instance in turn, bytes copied both ways.
type roundRobin struct {
	ln    net.Listener
	to    []string
	next  atomic.Uint64
	mu    sync.Mutex
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

func newRoundRobin(b testing.TB, to ...string) *roundRobin {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	rr := &roundRobin{ln: ln, to: to, conns: map[net.Conn]bool{}}
	rr.wg.Go(rr.accept)
	return rr
}

func (rr *roundRobin) Addr() string { return rr.ln.Addr().String() }

func (rr *roundRobin) accept() {
	for {
		in, err := rr.ln.Accept()
		if err != nil {
			return
		}
		target := rr.to[rr.next.Add(1)%uint64(len(rr.to))]
		rr.wg.Go(func() {
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				return
			}
			if !rr.track(in, out) {
				return
			}
			done := make(chan struct{}, 2)
			pipe := func(dst, src net.Conn) {
				// Copied through a buffer, not io.Copy: between two TCP
				// connections that splices through a kernel pipe (two
				// files) kept in a pool until a GC, and 2,000 connections'
				// pipes ran the process out of files.
				io.CopyBuffer(struct{ io.Writer }{dst}, struct{ io.Reader }{src}, make([]byte, 32<<10))
				if tc, ok := dst.(*net.TCPConn); ok {
					tc.CloseWrite()
				}
				done <- struct{}{}
			}
			go pipe(out, in)
			go pipe(in, out)
			<-done
			<-done
			rr.untrack(in, out)
		})
	}
}

// track keeps a pair of connections to close with the balancer; false
// (and both closed) if it is closing.
func (rr *roundRobin) track(cs ...net.Conn) bool {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	if rr.conns == nil {
		for _, c := range cs {
			c.Close()
		}
		return false
	}
	for _, c := range cs {
		rr.conns[c] = true
	}
	return true
}

func (rr *roundRobin) untrack(cs ...net.Conn) {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	for _, c := range cs {
		c.Close()
		delete(rr.conns, c)
	}
}

func (rr *roundRobin) Close() {
	rr.ln.Close()
	rr.mu.Lock()
	for c := range rr.conns {
		c.Close()
	}
	rr.conns = nil
	rr.mu.Unlock()
	rr.wg.Wait()
}
