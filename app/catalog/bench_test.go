package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func officers(n int) *Dataset {
	ds := &Dataset{Agencies: []Agency{{Code: "01", Name: "青禾市市场监督管理局"}}}
	names := []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗伟强磊军勇杰涛斌超明芳娜敏静丽")
	for i := range n {
		name := string(names[i%len(names)]) + string(names[(i*7+3)%len(names)]) + string(names[(i*13+5)%len(names)])
		ds.Officers = append(ds.Officers, Officer{ID: fmt.Sprint(i), Name: name, AgencyCode: "01",
			Unit: "青禾市市场监督管理局", CertNo: fmt.Sprintf("990101%06d", i), Status: CertValid})
	}
	return ds
}

// BenchmarkCatalogReplace: ours loads a catalog in one transaction through a
// prepared statement; the baseline is what naive code does, one autocommit
// INSERT a row (each its own WAL commit).
func BenchmarkCatalogReplace(b *testing.B) {
	const n = 2000
	ds := officers(n)
	ctx := context.Background()
	b.Run("ours", func(b *testing.B) {
		c, err := Open(ctx, filepath.Join(b.TempDir(), "c.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		for b.Loop() {
			if err := c.Replace(ctx, ds, time.Now()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline", func(b *testing.B) {
		c, err := Open(ctx, filepath.Join(b.TempDir(), "c.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		for b.Loop() {
			c.db.ExecContext(ctx, `DELETE FROM items`)
			for i := range ds.Officers {
				o := &ds.Officers[i]
				data, _ := json.Marshal(o)
				_, err := c.db.ExecContext(ctx, `INSERT INTO items (kind, id, agency, category, title, sort, search, data)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, string(o.Kind()), o.Key(), o.Agency(), "", o.Title(),
					strings.Join(readings(o.Title()), " "), o.searchKey(), string(data))
				if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
