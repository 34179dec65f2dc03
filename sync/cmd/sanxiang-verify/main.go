// Command sanxiang-verify checks an exported case bundle for auditors,
// courts and parties, with nothing but the bundle, the city's witness
// policy and the time-stamping authority's root certificates:
//
//	sanxiang-verify [--policy FILE] [--roots FILE.pem] [--key VKEY] [--json] [--lang zh|en] BUNDLE
//
// It prints one line per check (app/bundlecheck) grouped under the four
// factors of 《人民法院在线诉讼规则》第十七条, in Chinese unless --lang en,
// or the JSON report of app/bundlecheck with --json. Exit status: 0 every
// check passed (some may be reported not checked, and say why), 1 a check
// failed, 2 bad usage or input that cannot be read (not a bundle, a
// policy or roots file that does not parse). Its words are the platform's
// (sync/server/words: the translation files, no Fyne); it is cgo-free and
// builds for Linux and Windows.
package main

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sanxiang-desk/sanxiang/app/bundlecheck"
	"github.com/sanxiang-desk/sanxiang/app/witness"
	"github.com/sanxiang-desk/sanxiang/sync/server/words"
)

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

func main() {
	restore := consoleUTF8()
	code := run(os.Args[1:], os.Stdout, os.Stderr)
	restore()
	os.Exit(code)
}

// usageError is bad usage or unreadable input, worded for people.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sanxiang-verify", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	policyFile := fs.String("policy", "", "")
	rootsFile := fs.String("roots", "", "")
	key := fs.String("key", "", "")
	asJSON := fs.Bool("json", false, "")
	langFlag := fs.String("lang", "zh", "")
	lang := words.Chinese
	for _, a := range args { // the usage's own language, before parsing
		if a == "--lang=en" || a == "-lang=en" {
			lang = words.English
		}
	}
	for i, a := range args {
		if (a == "--lang" || a == "-lang") && i+1 < len(args) && args[i+1] == "en" {
			lang = words.English
		}
	}
	usage := func() string { return words.In(lang, "verify.tool.usage") }
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(stdout, usage())
		return exitOK
	} else if err != nil {
		fmt.Fprintf(stderr, "%s\n%s\n", err, usage())
		return exitUsage
	}
	switch *langFlag {
	case "zh", "zh-Hans", "zh-CN":
		lang = words.Chinese
	case "en":
		lang = words.English
	default:
		fmt.Fprintln(stderr, words.In(lang, "verify.tool.bad_lang", map[string]any{"Lang": *langFlag}))
		return exitUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, usage())
		return exitUsage
	}
	rep, err := verify(fs.Arg(0), *policyFile, *rootsFile, *key, lang)
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(stderr, ue.msg)
		return exitUsage
	} else if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	for i := range rep.Checks {
		rep.Checks[i].Message = words.In(lang, rep.Checks[i].Key, joined(rep.Checks[i].Detail, lang))
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintln(stderr, err)
			return exitUsage
		}
	} else {
		fmt.Fprint(stdout, text(rep, lang))
	}
	if !rep.OK {
		return exitFailed
	}
	return exitOK
}

// verify reads the inputs and checks the bundle.
func verify(path, policyFile, rootsFile, key, lang string) (bundlecheck.Report, error) {
	in := bundlecheck.Inputs{Key: key}
	if policyFile != "" {
		data, err := os.ReadFile(policyFile)
		if err != nil {
			return bundlecheck.Report{}, usageError{words.In(lang, "verify.tool.unreadable_policy", map[string]any{"File": policyFile, "Detail": err.Error()})}
		}
		p, err := witness.ParsePolicy(data)
		if err != nil {
			return bundlecheck.Report{}, usageError{words.In(lang, "verify.tool.unreadable_policy", map[string]any{"File": policyFile, "Detail": err.Error()})}
		}
		in.Policy = &p
	}
	if rootsFile != "" {
		data, err := os.ReadFile(rootsFile)
		if err == nil {
			in.Roots, in.Intermediates, err = readRoots(data)
		}
		if err != nil {
			return bundlecheck.Report{}, usageError{words.In(lang, "verify.tool.unreadable_roots", map[string]any{"File": rootsFile, "Detail": err.Error()})}
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return bundlecheck.Report{}, usageError{words.In(lang, "verify.tool.unreadable_bundle", map[string]any{"File": path, "Detail": err.Error()})}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return bundlecheck.Report{}, usageError{words.In(lang, "verify.tool.unreadable_bundle", map[string]any{"File": path, "Detail": err.Error()})}
	}
	rep, err := bundlecheck.Verify(f, st.Size(), in)
	if err != nil {
		return bundlecheck.Report{}, usageError{words.In(lang, "verify.tool.unreadable_bundle", map[string]any{"File": path, "Detail": err.Error()})}
	}
	rep.Bundle = path
	return rep, nil
}

// joined is detail with its lists joined as the language lists things.
func joined(detail map[string]any, lang string) map[string]any {
	sep := "、"
	if lang == words.English {
		sep = ", "
	}
	out := make(map[string]any, len(detail))
	for k, v := range detail {
		if l, ok := v.([]string); ok {
			v = strings.Join(l, sep)
		}
		out[k] = v
	}
	return out
}

// readRoots reads PEM certificates: the self-signed ones are roots, the
// others intermediates a token's chain may pass through.
func readRoots(data []byte) (roots, intermediates *x509.CertPool, err error) {
	roots, intermediates = x509.NewCertPool(), x509.NewCertPool()
	n := 0
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, nil, fmt.Errorf("certificate %d: %w", n+1, err)
		}
		if c.CheckSignatureFrom(c) == nil {
			roots.AddCert(c)
			n++
		} else {
			intermediates.AddCert(c)
		}
	}
	if n == 0 {
		return nil, nil, errors.New("no self-signed root certificate in PEM form")
	}
	return roots, intermediates, nil
}

// text is the report for people: the bundle, then each factor of article
// 17 with its checks, then the conclusion.
func text(rep bundlecheck.Report, lang string) string {
	var b strings.Builder
	fmt.Fprintln(&b, words.In(lang, "verify.tool.title", map[string]any{"Bundle": rep.Bundle, "Case": rep.Case, "Origin": rep.Origin}))
	counts := map[bundlecheck.Status]int{}
	for f := 1; f <= 4; f++ {
		fmt.Fprintf(&b, "\n%s\n", words.In(lang, fmt.Sprintf("verify.tool.factor.%d", f)))
		for _, c := range rep.Checks {
			if c.Factors[0] != f {
				continue
			}
			counts[c.Status]++
			mark := map[bundlecheck.Status]string{bundlecheck.Pass: "✔", bundlecheck.Fail: "✘", bundlecheck.NotChecked: "○"}[c.Status]
			line := fmt.Sprintf("  %s %s：%s", mark, words.In(lang, "verify.tool.check."+c.Code), c.Message)
			if lang == words.English {
				line = fmt.Sprintf("  %s %s: %s", mark, words.In(lang, "verify.tool.check."+c.Code), c.Message)
			}
			if len(c.Factors) > 1 {
				var also []string
				for _, o := range c.Factors[1:] {
					also = append(also, words.In(lang, fmt.Sprintf("verify.tool.factor_short.%d", o)))
				}
				line += words.In(lang, "verify.tool.also", map[string]any{"Factors": strings.Join(also, ", ")})
			}
			fmt.Fprintln(&b, line)
		}
	}
	args := map[string]any{"Pass": counts[bundlecheck.Pass], "Fail": counts[bundlecheck.Fail], "NotChecked": counts[bundlecheck.NotChecked]}
	fmt.Fprintln(&b)
	if rep.OK {
		fmt.Fprintln(&b, words.In(lang, "verify.tool.result_ok", args))
	} else {
		fmt.Fprintln(&b, words.In(lang, "verify.tool.result_failed", args))
	}
	fmt.Fprintln(&b, words.In(lang, "verify.tool.disclaimer"))
	return b.String()
}
