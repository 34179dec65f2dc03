package console

import (
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/draw"
)

// Whatever bytes an administrator uploads as a target list, reading them
// never panics, and a list read without faults is one a draw accepts:
// every target with a code and a name, no code twice.
func FuzzReadTargets(f *testing.F) {
	f.Add("t.csv", []byte("统一社会信用代码,名称,所属单位,地址\n91350102MA00000001,福满楼餐饮店,城东所,明湖路1号\n"))
	f.Add("t.csv", []byte("id,name\nA,甲\nA,乙\n"))
	f.Add("t.csv", []byte("\xef\xbb\xbfcode,name\n\"A\n\",\"x\"\"y\"\n"))
	f.Add("t.xlsx", []byte("PK\x03\x04 not really a workbook"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		targets, faults := ReadTargets(name, data)
		if len(faults) > 0 {
			if len(targets) != 0 {
				t.Fatalf("%d faults and %d targets", len(faults), len(targets))
			}
			return
		}
		if len(targets) == 0 {
			return
		}
		l := draw.Lists{Targets: targets, Inspectors: []draw.Inspector{{CertNo: "1"}, {CertNo: "2"}}}
		if err := l.Check(); err != nil {
			t.Fatalf("a list read without faults is refused by the draw: %v", err)
		}
	})
}
