package hall

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/sanxiang-desk/sanxiang/app/ledger"
)

const visit = "0123456789abcdef0123456789abcdef"

var ratingCases = []struct {
	name string
	b    RatingBody
	want error
}{
	{"very satisfied", RatingBody{Level: LevelVerySatisfied}, nil},
	{"basic", RatingBody{Level: LevelBasic}, nil},
	{"unrated", RatingBody{Level: LevelUnrated}, nil},
	{"dissatisfied with a reason", RatingBody{Level: LevelDissatisfied, Reasons: []string{ReasonLongWait}}, nil},
	{"very dissatisfied, reasons and words", RatingBody{Level: LevelVeryDissatisfied, Reasons: []string{ReasonAttitude, ReasonNotDone}, Text: "排队两小时"}, nil},
	{"other with words", RatingBody{Level: LevelDissatisfied, Reasons: []string{ReasonOtherWords}, Text: "wifi"}, nil},
	{"no such level", RatingBody{Level: "great"}, ErrRatingLevel},
	{"no level", RatingBody{}, ErrRatingLevel},
	{"a level's Chinese name", RatingBody{Level: "不满意", Reasons: []string{ReasonLongWait}}, ErrRatingLevel},
	{"no visit", RatingBody{Level: LevelSatisfied, Visit: "-"}, ErrRatingLevel},
	{"upper-case visit", RatingBody{Level: LevelSatisfied, Visit: strings.ToUpper(visit)}, ErrRatingLevel},
	{"dissatisfied without a reason", RatingBody{Level: LevelDissatisfied}, ErrRatingReason},
	{"very dissatisfied with words only", RatingBody{Level: LevelVeryDissatisfied, Text: "不好"}, ErrRatingReason},
	{"unknown reason", RatingBody{Level: LevelDissatisfied, Reasons: []string{"weather"}}, ErrRatingReason},
	{"a reason twice", RatingBody{Level: LevelDissatisfied, Reasons: []string{ReasonSlow, ReasonSlow}}, ErrRatingReason},
	{"a reason on a good rating", RatingBody{Level: LevelSatisfied, Reasons: []string{ReasonSlow}}, ErrRatingReason},
	{"words on an unrated one", RatingBody{Level: LevelUnrated, Text: "x"}, ErrRatingReason},
	{"other without words", RatingBody{Level: LevelDissatisfied, Reasons: []string{ReasonOtherWords}, Text: "  "}, ErrRatingReason},
	{"too many words", RatingBody{Level: LevelDissatisfied, Reasons: []string{ReasonSlow}, Text: strings.Repeat("慢", MaxRatingText+1)}, ErrRatingReason},
}

func ratingRecord(b RatingBody) *ledger.Record {
	if b.Visit == "" {
		b.Visit = visit
	}
	if b.Visit == "-" {
		b.Visit = ""
	}
	b.Window, b.Staff = "3", "990102000004"
	data, _ := json.Marshal(b)
	return &ledger.Record{Kind: KindWindowRating, Author: b.Staff, Body: data}
}

// Each rule of a rating, as the desk writes by and the platform takes by
// (Check): five levels or unrated, a reason for a bad one from the list,
// none on a good one, 其他 with words, words not too long.
func TestCheckRating(t *testing.T) {
	for _, c := range ratingCases {
		t.Run(c.name, func(t *testing.T) {
			err := Check(ratingRecord(c.b))
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
	// A bad byte in the words (json.Marshal would have mended it).
	bad := &ledger.Record{Kind: KindWindowRating, Author: "990102000004", Body: []byte(`{"window":"3","staff":"990102000004","visit":"` +
		visit + `","level":"dissatisfied","reasons":["slow"],"text":"a` + "\xff" + `b"}`)}
	if err := Check(bad); !errors.Is(err, ErrRatingReason) {
		t.Fatalf("a bad byte in the words: %v", err)
	}
	// A rating is a window's record, signed by the staff member it names.
	r := ratingRecord(RatingBody{Level: LevelSatisfied})
	r.Author = "990102000005"
	if err := Check(r); !errors.Is(err, ErrNotHall) {
		t.Fatalf("a rating by someone else than the staff it names: %v", err)
	}
	r = ratingRecord(RatingBody{Level: LevelSatisfied})
	r.Case = "X-20260101-0001"
	if err := Check(r); !errors.Is(err, ErrNotHall) {
		t.Fatalf("a rating in a case: %v", err)
	}
	if v, w := NewVisit(), NewVisit(); v == w || CheckRating(RatingBody{Level: LevelBasic, Visit: v}) != nil {
		t.Fatalf("visits %q %q", v, w)
	}
}

// FuzzCheckRating: no body makes Check panic, and what it takes is a
// rating whose rules hold.
func FuzzCheckRating(f *testing.F) {
	for _, c := range ratingCases {
		f.Add([]byte(ratingRecord(c.b).Body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := &ledger.Record{Kind: KindWindowRating, Author: "990102000004", Body: body}
		if Check(r) != nil {
			return
		}
		var b RatingBody
		if err := json.Unmarshal(body, &b); err != nil || b.Staff != r.Author || Bad(b.Level) && len(b.Reasons) == 0 {
			t.Fatalf("took %s", body)
		}
	})
}
