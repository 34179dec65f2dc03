package hall

// 好差评 (国办发〔2019〕51号): after each service at a window, the citizen
// rates it on the citizen display, in five levels; the two bad ones need
// a reason. Each rating is a record of the window device's log.
//
// Who signs a rating. A citizen has no key, and a record of a hall log is
// signed by the person it names. The rating is signed by the staff member
// who served, with the key their sign-in unsealed and the desk holds while
// they serve, without their seeing it: the desk appends the record as the
// citizen taps (the level never reaches the staff member's screen), and
// the device's checkpoint, which covers the record and its signature,
// keeps it from being changed or dropped afterwards. So the record says
// "a citizen rated this service, at this window, while this person served
// there" in the words of the one person the platform can hold to it: a
// rating cannot be made in the name of someone not signed in at that
// window, and the platform checks the signer as it checks a sign-in (an
// active staff member, their key on that device). Signing with the
// device's key alone would say only "this computer", and a rating for a
// person who never signed in there could not be told from a real one.
// The staff member's signature does not mean they agree with the rating:
// it means they served.
//
// A rating no citizen gave (the screen timed out, or staff signed out or
// paused first) is recorded as LevelUnrated, so that supervisors see how
// many services went unrated; it counts in no satisfaction rate.
// Each rating carries a visit number drawn at random when staff finish the
// service: the platform refuses a second record with a visit it holds, so
// a rating replayed at another place in the log (its signature, which
// does not cover the place, still verifies) is refused.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/sanxiang-desk/sanxiang/app/ledger"
)

// The levels of a rating, best first, and LevelUnrated for a service no
// citizen rated.
const (
	LevelVerySatisfied    = "very_satisfied"    // 非常满意
	LevelSatisfied        = "satisfied"         // 满意
	LevelBasic            = "basic"             // 基本满意
	LevelDissatisfied     = "dissatisfied"      // 不满意
	LevelVeryDissatisfied = "very_dissatisfied" // 非常不满意
	LevelUnrated          = "unrated"           // 未评价
)

// Levels are the five levels a citizen chooses from, best first.
var Levels = []string{LevelVerySatisfied, LevelSatisfied, LevelBasic, LevelDissatisfied, LevelVeryDissatisfied}

// Bad says whether level is a bad rating (差评), which needs a reason and
// a follow-up (回访、整改).
func Bad(level string) bool { return level == LevelDissatisfied || level == LevelVeryDissatisfied }

// Satisfied says whether level counts as satisfied in a satisfaction
// rate (非常满意、满意、基本满意).
func Satisfied(level string) bool {
	return level == LevelVerySatisfied || level == LevelSatisfied || level == LevelBasic
}

// The reasons a citizen picks for a bad rating.
const (
	ReasonLongWait   = "long_wait"   // 等候时间长
	ReasonAttitude   = "attitude"    // 态度不好
	ReasonUnclear    = "unclear"     // 材料要求不清
	ReasonManyTrips  = "many_trips"  // 多次跑动
	ReasonNotDone    = "not_done"    // 未办成
	ReasonSlow       = "slow"        // 办理效率低
	ReasonOtherWords = "other_words" // 其他（须写明）
)

// Reasons are the reasons offered for a bad rating, in the order shown.
var Reasons = []string{ReasonLongWait, ReasonAttitude, ReasonUnclear, ReasonManyTrips, ReasonNotDone, ReasonSlow, ReasonOtherWords}

// MaxRatingText is how many characters a citizen's own words may have.
const MaxRatingText = 200

// RatingBody is a rating's record body: the window, the staff member who
// served (the record's author), the visit (a random number drawn when
// staff finished the service), the level, the reasons and the citizen's
// words for a bad rating, and the guide or fee staff showed, if any.
type RatingBody struct {
	Window  string   `json:"window"`
	Staff   string   `json:"staff"`
	Visit   string   `json:"visit"`
	Level   string   `json:"level"`
	Reasons []string `json:"reasons,omitempty"`
	Text    string   `json:"text,omitempty"`
	// Service is the item staff put on the display during the service,
	// as kind/key (guide/…, fee/…), and ServiceTitle its title then.
	Service      string `json:"service,omitempty"`
	ServiceTitle string `json:"service_title,omitempty"`
}

// Why a rating is not well formed; each is its own refusal on the
// platform (rating_level, rating_reason).
var (
	// ErrRatingLevel: no such level, or no visit number.
	ErrRatingLevel = errors.New("a rating's level is not one of the five (or unrated)")
	// ErrRatingReason: a bad rating without a reason, a reason not on the
	// list or given twice, reasons or words on a rating that is not bad,
	// 其他 without words, or words too long.
	ErrRatingReason = errors.New("a rating's reasons do not fit its level")
)

// NewVisit draws a visit number: 16 random bytes in hex.
func NewVisit() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand, Go 1.24)
	return hex.EncodeToString(b[:])
}

// CheckRating says whether b is a well-formed rating (beside what Check
// asks of every window record).
func CheckRating(b RatingBody) error {
	if b.Level != LevelUnrated && !slices.Contains(Levels, b.Level) {
		return fmt.Errorf("%w: %q", ErrRatingLevel, b.Level)
	}
	if len(b.Visit) != 32 || strings.Trim(b.Visit, "0123456789abcdef") != "" {
		return fmt.Errorf("%w: visit %q", ErrRatingLevel, b.Visit)
	}
	if !Bad(b.Level) {
		if len(b.Reasons) > 0 || b.Text != "" {
			return fmt.Errorf("%w: reasons on a %s rating", ErrRatingReason, b.Level)
		}
		return nil
	}
	if len(b.Reasons) == 0 {
		return fmt.Errorf("%w: a %s rating without a reason", ErrRatingReason, b.Level)
	}
	for i, r := range b.Reasons {
		if !slices.Contains(Reasons, r) || slices.Contains(b.Reasons[:i], r) {
			return fmt.Errorf("%w: reason %q", ErrRatingReason, r)
		}
	}
	if n := utf8.RuneCountInString(b.Text); n > MaxRatingText {
		return fmt.Errorf("%w: %d characters of words, at most %d", ErrRatingReason, n, MaxRatingText)
	}
	if slices.Contains(b.Reasons, ReasonOtherWords) && strings.TrimSpace(b.Text) == "" {
		return fmt.Errorf("%w: %s without words", ErrRatingReason, ReasonOtherWords)
	}
	return nil
}

func checkRating(r *ledger.Record) error {
	// encoding/json would read a bad byte as U+FFFD: the bytes are
	// refused as they are, for the citizen's words must be theirs.
	if !utf8.Valid(r.Body) {
		return fmt.Errorf("record %d (%s): %w: a bad byte", r.Seq, r.Kind, ErrRatingReason)
	}
	var b RatingBody
	if err := json.Unmarshal(r.Body, &b); err != nil {
		return fmt.Errorf("%w: record %d: %v", ErrNotHall, r.Seq, err)
	}
	if err := CheckRating(b); err != nil {
		return fmt.Errorf("record %d (%s): %w", r.Seq, r.Kind, err)
	}
	return nil
}

// AppendRating records a citizen's rating of the service of b.Staff at
// b.Window, signed with the staff member's key (held since their
// sign-in).
func AppendRating(ctx context.Context, l Appender, b RatingBody) (*ledger.Record, error) {
	return appendBody(ctx, l, KindWindowRating, b.Staff, b)
}
