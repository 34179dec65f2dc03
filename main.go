// Command sanxiang is the desk application of the three enforcement systems
// (行政执法三项制度): the hall kiosk, the service window, and the officer's
// case desk, in one binary. See README.md.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
