// Command benchtable reads `go test -bench` output on stdin and prints one
// Markdown table: each benchmark's "ours" sub-benchmark against its
// "baseline" from the same run, the ratio baseline/ours (how many times
// faster ours is), the goal from .ci/bench-goals and whether it was met.
package main

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var (
	line = regexp.MustCompile(`^(Benchmark\S+?)/(ours|baseline)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(.*)$`)
	// p95 is a metric a benchmark may report: the 95th percentile of one step.
	p95 = regexp.MustCompile(`([\d.]+) p95-ms`)
)

func main() {
	goals := map[string]float64{}
	p95Goals := map[string]float64{} // ms, from an optional third field "p95<N"
	if f, err := os.Open(".ci/bench-goals"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) >= 2 && !strings.HasPrefix(fields[0], "#") {
				g, err := strconv.ParseFloat(fields[1], 64)
				if err == nil {
					goals[fields[0]] = g
				}
				if len(fields) >= 3 {
					if v, ok := strings.CutPrefix(fields[2], "p95<"); ok {
						if ms, err := strconv.ParseFloat(v, 64); err == nil {
							p95Goals[fields[0]] = ms
						}
					}
				}
			}
		}
		f.Close()
	}
	type pair struct {
		ours, base         float64
		oursNote, baseNote string
		oursP95            float64
	}
	rows := map[string]*pair{}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		fmt.Fprintln(os.Stderr, sc.Text())
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		v, _ := strconv.ParseFloat(m[3], 64)
		p := rows[m[1]]
		if p == nil {
			p = &pair{}
			rows[m[1]] = p
		}
		note := ""
		if pm := p95.FindStringSubmatch(m[4]); pm != nil {
			ms, _ := strconv.ParseFloat(pm[1], 64)
			note = " (p95 " + dur(ms*1e6) + ")"
		}
		if m[2] == "ours" {
			p.ours, p.oursNote = v, note
			if pm := p95.FindStringSubmatch(m[4]); pm != nil {
				p.oursP95, _ = strconv.ParseFloat(pm[1], 64)
			}
		} else {
			p.base, p.baseNote = v, note
		}
	}
	names := make([]string, 0, len(rows))
	for n := range rows {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Println("| benchmark | ours | baseline | ratio | goal | met |")
	fmt.Println("|---|---|---|---|---|---|")
	failed := false
	for _, n := range names {
		p := rows[n]
		if p.ours == 0 || p.base == 0 {
			fmt.Printf("| %s | %s | %s | – | – | no pair |\n", n, dur(p.ours), dur(p.base))
			failed = true
			continue
		}
		ratio := p.base / p.ours
		goal, met := "–", "–"
		if g, ok := goals[n]; ok {
			goal = fmt.Sprintf("≥ %.1f×", g)
			met = "yes"
			if ratio < g {
				met = "no"
			}
		}
		if ms, ok := p95Goals[n]; ok {
			goal += fmt.Sprintf(", p95 < %g ms", ms)
			if p.oursP95 == 0 || p.oursP95 >= ms {
				met = "no"
			}
		}
		fmt.Printf("| %s | %s%s | %s%s | %.1f× | %s | %s |\n", n, dur(p.ours), p.oursNote, dur(p.base), p.baseNote, ratio, goal, met)
	}
	if len(names) == 0 || failed {
		os.Exit(1)
	}
}

func dur(ns float64) string {
	switch {
	case ns == 0:
		return "–"
	case ns >= 1e9:
		return fmt.Sprintf("%.2f s", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}
