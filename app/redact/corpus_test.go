package redact

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The annotated corpus in testdata/corpus: decisions of many agencies and
// shapes, written for these tests (the people and addresses are invented).
// Each personal item is written [[original|expected mask]], each public item
// that must survive {{as is}}; the rest of the text is kept as it stands.
// The expected masks were read line by line by a person.
var (
	personal = regexp.MustCompile(`\[\[([^|\]]+)\|([^\]]*)\]\]`)
	public   = regexp.MustCompile(`\{\{([^}]+)\}\}`)
)

type annotated struct {
	name, original, expected string
	personal, public         []string
}

func readCorpus(t testing.TB) []annotated {
	files, err := filepath.Glob("testdata/corpus/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out []annotated
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		a := annotated{name: filepath.Base(f)}
		for _, m := range personal.FindAllStringSubmatch(s, -1) {
			a.personal = append(a.personal, m[1])
		}
		for _, m := range public.FindAllStringSubmatch(s, -1) {
			a.public = append(a.public, m[1])
		}
		a.original = public.ReplaceAllString(personal.ReplaceAllString(s, "$1"), "$1")
		a.expected = public.ReplaceAllString(personal.ReplaceAllString(s, "$2"), "$1")
		out = append(out, a)
	}
	return out
}

func TestAnnotatedCorpus(t *testing.T) {
	corpus := readCorpus(t)
	if len(corpus) < 35 {
		t.Fatalf("only %d annotated decisions", len(corpus))
	}
	items := 0
	for _, a := range corpus {
		t.Run(a.name, func(t *testing.T) {
			got := Text(a.original)
			for _, p := range a.personal {
				items++
				if strings.Contains(got, p) {
					t.Errorf("personal %q published", p)
				}
			}
			for _, p := range a.public {
				if !strings.Contains(got, p) {
					t.Errorf("public %q lost", p)
				}
			}
			if got != a.expected {
				t.Errorf("differs from the expected redaction:\n%s", diff(a.expected, got))
			}
			if leak := idLeft(got); leak != "" {
				t.Errorf("identity number %s left", leak)
			}
		})
	}
	t.Logf("%d decisions, %d personal items", len(corpus), items)
}
