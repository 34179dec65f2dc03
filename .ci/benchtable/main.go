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
	// metric is any other measure a benchmark reports, such as p95-ms (the
	// 95th percentile of one step) or rss-MB (resident memory).
	metric = regexp.MustCompile(`([\d.]+) ([a-zA-Z0-9/-]+)`)
)

func main() {
	goals := map[string]float64{}
	limits := map[string][][2]string{} // further fields "metric<value": a bound on ours
	if f, err := os.Open(".ci/bench-goals"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) >= 2 && !strings.HasPrefix(fields[0], "#") {
				g, err := strconv.ParseFloat(fields[1], 64)
				if err == nil {
					goals[fields[0]] = g
				}
				for _, f := range fields[2:] {
					if name, v, ok := strings.Cut(f, "<"); ok {
						limits[fields[0]] = append(limits[fields[0]], [2]string{name, v})
					}
				}
			}
		}
		f.Close()
	}
	type pair struct {
		ours, base         float64
		oursNote, baseNote string
		oursMetrics        map[string]float64
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
		metrics := map[string]float64{"ns/op": v}
		for _, mm := range metric.FindAllStringSubmatch(m[4], -1) {
			x, _ := strconv.ParseFloat(mm[1], 64)
			metrics[mm[2]] = x
			switch mm[2] {
			case "p95-ms":
				note += ", p95 " + dur(x*1e6)
			case "rss-MB":
				note += fmt.Sprintf(", RSS %.0f MB", x)
			case "cpu-share":
				note += fmt.Sprintf(", %.0f%% of one core", x*100)
			case "p50-ms":
				note += ", p50 " + dur(x*1e6)
			case "p99-ms":
				note += ", p99 " + dur(x*1e6)
			case "records/s":
				note += fmt.Sprintf(", %.0f records/s", x)
			case "MB/s":
				note += fmt.Sprintf(", %.0f MB/s", x)
			case "openssl-MB/s":
				note += fmt.Sprintf(", openssl %.0f MB/s", x)
			}
		}
		if note != "" {
			note = " (" + note[2:] + ")"
		}
		if m[2] == "ours" {
			p.ours, p.oursNote, p.oursMetrics = v, note, metrics
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
		for _, l := range limits[n] {
			bound, _ := strconv.ParseFloat(l[1], 64)
			if goal == "–" {
				goal, met = "", "yes"
			} else {
				goal += ", "
			}
			switch l[0] {
			case "ns/op":
				goal += "< " + dur(bound)
			default:
				goal += fmt.Sprintf("%s < %s", l[0], l[1])
			}
			if x, ok := p.oursMetrics[l[0]]; !ok || x >= bound {
				met = "no"
			}
		}
		fmt.Printf("| %s | %s%s | %s%s | %s× | %s | %s |\n", n, dur(p.ours), p.oursNote, dur(p.base), p.baseNote, ratioText(ratio), goal, met)
	}
	// A benchmark with a goal that printed nothing (its runs failed) is
	// shown as missing, not left out.
	var missing []string
	for n := range goals {
		if rows[n] == nil {
			missing = append(missing, n)
		}
	}
	for n := range limits {
		if _, ok := goals[n]; !ok && rows[n] == nil {
			missing = append(missing, n)
		}
	}
	sort.Strings(missing)
	for _, n := range missing {
		fmt.Printf("| %s | – | – | – | – | missing: no |\n", n)
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

// ratioText keeps two significant digits, so a ratio just under its goal
// does not print as the goal.
func ratioText(r float64) string {
	switch {
	case r < 0.1:
		return fmt.Sprintf("%.3f", r)
	case r < 10:
		return fmt.Sprintf("%.2f", r)
	}
	return fmt.Sprintf("%.1f", r)
}
