package shell

import (
	"errors"
	"strings"
)

// Keyed is a message for people as a translation key and its values, as
// the core packages give it (they never word anything themselves).
type Keyed interface {
	Keyed() (key string, args map[string]any)
}

// T translates a keyed message; values that are Keyed are translated
// first, so a message may name another (a step, a reason).
func T(m Keyed) string {
	key, args := m.Keyed()
	if len(args) == 0 {
		return L(key)
	}
	data := make(map[string]any, len(args))
	for k, v := range args {
		if inner, ok := v.(Keyed); ok {
			v = T(inner)
		}
		data[k] = v
	}
	return strings.TrimSpace(L(key, data))
}

// ErrorText says in the person's words what err says: each Keyed error
// joined in it translated, one a line, and any other error as it reads.
func ErrorText(err error) string {
	if err == nil {
		return ""
	}
	// An error that words itself comes first: it may also unwrap to
	// several (a verify failure and the seal error beneath it).
	if k, ok := err.(Keyed); ok {
		return T(k)
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var lines []string
		for _, e := range joined.Unwrap() {
			lines = append(lines, ErrorText(e))
		}
		return strings.Join(lines, "\n")
	}
	var k Keyed
	if errors.As(err, &k) {
		return T(k)
	}
	return err.Error()
}
