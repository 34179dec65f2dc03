// Package wrap names the operation an error came from, once per
// operation: a function that returns an error starts with
//
//	defer wrap.Err(&err, "set A/V lists")
//
// and every error it returns reads "set A/V lists: …", with the error
// it wraps still seen by errors.Is and errors.As.
package wrap

import "fmt"

// Err wraps *err, if it is not nil, with the operation format names.
func Err(err *error, format string, args ...any) {
	if *err != nil {
		*err = fmt.Errorf(format+": %w", append(args, *err)...)
	}
}
