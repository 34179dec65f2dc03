package review

import "errors"

// errorKeys name each refusal's translation key, so that every place that
// shows one (the officer desk, the platform's flags) says it the same way.
var errorKeys = []struct {
	err error
	key string
}{
	{ErrPending, "pending"}, {ErrNoPending, "no_pending"}, {ErrNotReviewer, "not_reviewer"},
	{ErrFirstTime, "first_time"}, {ErrIncomplete, "incomplete"}, {ErrInconsistent, "inconsistent"},
	{ErrBadRef, "bad_ref"}, {ErrNoReview, "no_review"}, {ErrReviewNotPassed, "not_passed"},
	{ErrOtherCase, "other_case"}, {ErrDecisionDiffers, "differs"}, {ErrDecisionMissing, "decision_missing"},
	{ErrNoDisagreement, "no_disagreement"},
}

// ErrorKey is the translation key ("review.err.…") of a review refusal, or
// "" if err is none of them.
func ErrorKey(err error) string {
	for _, e := range errorKeys {
		if errors.Is(err, e.err) {
			return "review.err." + e.key
		}
	}
	return ""
}
