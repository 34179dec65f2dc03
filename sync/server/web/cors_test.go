package web

import (
	"errors"
	"testing"
)

// Configured origins take the form browsers send in Origin, or are refused.
var originCases = []struct{ in, want string }{
	{"https://app.example.gov.cn", "https://app.example.gov.cn"},
	{" HTTPS://App.Example.GOV.cn/ ", "https://app.example.gov.cn"},
	{"https://app.example.gov.cn:443", "https://app.example.gov.cn"},
	{"http://app.example.gov.cn:80", "http://app.example.gov.cn"},
	{"http://app.example.gov.cn:443", "http://app.example.gov.cn:443"},
	{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
	{"http://[::1]:8080", "http://[::1]:8080"},
	{"https://[2001:DB8::1]", "https://[2001:db8::1]"},
	{"*", ""},
	{"null", ""},
	{"", ""},
	{"app.example.gov.cn", ""},
	{"//app.example.gov.cn", ""},
	{"https://", ""},
	{"https://app.example.gov.cn:", ""},
	{"https://app.example.gov.cn/api", ""},
	{"https://app.example.gov.cn?a=1", ""},
	{"https://app.example.gov.cn#x", ""},
	{"https://u:p@app.example.gov.cn", ""},
	{"ftp://app.example.gov.cn", ""},
	{"file:///etc/passwd", ""},
	{"javascript:alert(1)", ""},
}

func TestParseOrigin(t *testing.T) {
	for _, c := range originCases {
		got, err := ParseOrigin(c.in)
		if c.want == "" {
			if !errors.Is(err, ErrBadOrigin) || got != "" {
				t.Errorf("ParseOrigin(%q) = %q, %v; want ErrBadOrigin", c.in, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseOrigin(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

// An origin ParseOrigin gives is one it gives back unchanged: what is
// listed is what a browser's Origin is compared with.
func FuzzParseOrigin(f *testing.F) {
	for _, c := range originCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseOrigin(s)
		if err != nil {
			return
		}
		again, err := ParseOrigin(o)
		if err != nil || again != o {
			t.Fatalf("ParseOrigin(%q) = %q, then %q, %v", s, o, again, err)
		}
	})
}

func TestCleanPath(t *testing.T) {
	for in, want := range map[string]string{"": "/", "/": "/", "/p/": "/p/", "/p/../api/v1/x": "/api/v1/x", "//api//v1/": "/api/v1/",
		"/p/./draws/": "/p/draws/", "/../../p": "/p", "/api/v1/media/..": "/api/v1"} {
		if got := cleanPath(in); got != want {
			t.Errorf("cleanPath(%q) = %q, want %q", in, got, want)
		}
	}
}
