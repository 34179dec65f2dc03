// Package document fills the standard enforcement documents (文书) from a
// case and the officer's input, and prints documents and whole case files
// as PDF with the bundled Chinese font. The text stored in the record is
// the text printed, so the electronic and the paper version are identical.
// Pure Go: the platform can print what a device recorded.
package document

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sanxiang-desk/sanxiang/app/casefile"
	"github.com/sanxiang-desk/sanxiang/app/catalog"
	"github.com/sanxiang-desk/sanxiang/assets"
)

// Field is one input a template asks the officer for.
type Field struct {
	Key     string `json:"key"`
	Label   string `json:"label"`
	Default string `json:"default"`
}

// Template is a standard document.
type Template struct {
	ID     string        `json:"id"`
	Title  string        `json:"title"`
	Acts   []catalog.Act `json:"acts"`
	Fields []Field       `json:"fields"`
	Body   string        `json:"body"`
}

// Templates returns the bundled templates.
func Templates() ([]Template, error) {
	var ts []Template
	if err := json.Unmarshal(assets.DocumentTemplates, &ts); err != nil {
		return nil, fmt.Errorf("document templates: %w", err)
	}
	return ts, nil
}

// For lists the templates that apply to an act.
func For(ts []Template, act catalog.Act) []Template {
	var out []Template
	for _, t := range ts {
		for _, a := range t.Acts {
			if a == act {
				out = append(out, t)
			}
		}
	}
	return out
}

// Doc is a filled-in document, the body of a document record.
type Doc struct {
	Template string            `json:"template"`
	Title    string            `json:"title"`
	Inputs   map[string]string `json:"inputs"`
	Text     string            `json:"text"`
}

// ErrMissingInput names a field the officer left empty.
var ErrMissingInput = errors.New("a document field is empty")

// Fill makes the document from the case and the officer's inputs. Every
// field must be filled (a default counts); the case supplies the rest.
func Fill(t Template, c *casefile.Case, agency string, inputs map[string]string, now time.Time) (Doc, error) {
	o := c.Opening
	var officers []string
	for _, of := range o.Officers {
		officers = append(officers, fmt.Sprintf(words["officer_cert"], of.Name, of.CertNo))
	}
	values := map[string]string{
		"case_id": c.ID, "item": o.ItemName, "party": o.Party.Name, "party_id": o.Party.IDNo,
		"party_address": o.Party.Address, "place": o.Place, "summary": o.Summary, "agency": agency,
		"officers": strings.Join(officers, "、"), "date": now.Format(words["fill_date_format"]),
	}
	used := map[string]string{}
	for _, f := range t.Fields {
		v := strings.TrimSpace(inputs[f.Key])
		if v == "" {
			v = strings.TrimSpace(f.Default)
		}
		if v == "" {
			return Doc{}, fmt.Errorf("%w: %s", ErrMissingInput, f.Label)
		}
		used[f.Key] = v
	}
	pairs := []string{}
	for k, v := range used {
		pairs = append(pairs, "{"+k+"}", v)
	}
	for k, v := range values {
		pairs = append(pairs, "{"+k+"}", v)
	}
	r := strings.NewReplacer(pairs...)
	// Twice: a default may itself name a case value ({agency}).
	text := r.Replace(r.Replace(t.Body))
	return Doc{Template: t.ID, Title: t.Title, Inputs: used, Text: text}, nil
}
