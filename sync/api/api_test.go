package api

import "testing"

func TestPublicURL(t *testing.T) {
	for _, tc := range []struct{ base, kind, id, want string }{
		{"http://127.0.0.1:8421", "officer", "990101000001", "http://127.0.0.1:8421/p/officer/990101000001"},
		{"https://zf.example.cn/gs/", "guide", "G01", "https://zf.example.cn/gs/p/guide/G01"},
		{"https://h", "fee", "a/b c", "https://h/p/fee/a%2Fb%20c"},
	} {
		if got := PublicURL(tc.base, tc.kind, tc.id); got != tc.want {
			t.Errorf("PublicURL(%q, %q, %q) = %q, want %q", tc.base, tc.kind, tc.id, got, tc.want)
		}
	}
}
