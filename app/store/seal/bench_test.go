package seal_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/store/seal"
	"github.com/sanxiang-desk/sanxiang/app/store/seal/sealtest"
)

// One op seals 64 MB in 1 MiB chunks in memory (no disk, no hash): ours is
// SM4-GCM, the default suite; the baseline is AES-256-GCM. The ratio says
// what choosing SM4 costs; both report MB/s.
func BenchmarkSuite(b *testing.B) {
	const size = 64 << 20
	plain := bytes.Repeat([]byte("sanxiang"), seal.ChunkSizeForBench/8)
	dk := sealtest.Keys(b).DK
	for _, c := range []struct {
		name  string
		suite seal.Suite
	}{{"ours", seal.SM4GCM}, {"baseline", seal.AES256GCM}} {
		b.Run(c.name, func(b *testing.B) {
			w, err := seal.NewChunkSealer(seal.Static{DK: dk, Suite: c.suite})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(size)
			b.ResetTimer()
			for range b.N {
				for i := range size / len(plain) {
					if err := w.Seal(uint64(i), plain); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkSealFile is the whole SealFile pipeline (hash, seal on two
// workers, write, fsync) of 64 MB under each suite, for the table in
// keys.md; the evidence goal itself is the ledger's BenchmarkSealEvidence.
func BenchmarkSealFile(b *testing.B) {
	const size = 64 << 20
	plain := bytes.Repeat([]byte("sanxiang"), size/8)
	dk := sealtest.Keys(b).DK
	for _, su := range []seal.Suite{seal.SM4GCM, seal.AES256GCM} {
		b.Run(su.String(), func(b *testing.B) {
			dir := b.TempDir()
			b.SetBytes(size)
			for i := range b.N {
				if _, _, err := seal.SealFile(filepath.Join(dir, string(rune('a'+i%26))+string(rune('0'+i/26))), bytes.NewReader(plain), seal.Static{DK: dk, Suite: su}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
