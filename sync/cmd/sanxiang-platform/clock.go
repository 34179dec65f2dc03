package main

import (
	"flag"

	"github.com/sanxiang-desk/sanxiang/sync/server/intake"
)

// The settings of the platform's doubt about device clocks (issue 19,
// item 2); intake.ClockPolicy says why the defaults are what they are.
var (
	clockFuture = flag.Duration("clock-future", intake.DefaultClockFuture,
		"flag records dated more than this after they arrive (the device clock is ahead)")
	clockPast = flag.Duration("clock-past", intake.DefaultClockPast,
		"flag records dated more than this before they arrive (longer than offline work explains)")
)

// clockPolicy is the flags' intake.ClockPolicy.
func clockPolicy() intake.ClockPolicy {
	return intake.ClockPolicy{Future: *clockFuture, Past: *clockPast}
}
