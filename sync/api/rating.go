package api

// 好差评 (issue 23, part 4) for administrators' tokens: the same counts
// and follow-ups as the console's /admin/ratings pages.

// PathRatings is the ratings report of a period; a rating is at
// PathRatings/{device}/{seq}, and its follow-ups are added at
// PathRatings/{device}/{seq}/followups.
const PathRatings = "/api/v1/admin/ratings"

// RatingCount is the ratings of one window, agency or person: how many of
// each level (hall's codes: very_satisfied … very_dissatisfied, unrated),
// how many rated, unrated and satisfied (非常满意、满意、基本满意).
type RatingCount struct {
	Key       string         `json:"key"`
	Name      string         `json:"name"`
	Levels    map[string]int `json:"levels"`
	Rated     int            `json:"rated"`
	Unrated   int            `json:"unrated"`
	Satisfied int            `json:"satisfied"`
}

// RatingFollowUp is one answer to a bad rating: a callback (回访) or a
// fix (整改), who, what, by when and the result, and the administrator
// or token that entered it.
type RatingFollowUp struct {
	N      int    `json:"n"`
	Kind   string `json:"kind"`
	At     string `json:"at"`
	Actor  string `json:"actor"`
	Role   string `json:"role"`
	Who    string `json:"who"`
	What   string `json:"what"`
	Due    string `json:"due,omitempty"`
	Result string `json:"result,omitempty"`
}

// Rating is one citizen's rating at a window; State (pending, called,
// fixing, fixed) only for a bad one.
type Rating struct {
	Device       string           `json:"device"`
	Seq          int64            `json:"seq"`
	At           string           `json:"at"`
	Window       string           `json:"window"`
	Staff        string           `json:"staff"`
	StaffName    string           `json:"staff_name"`
	Agency       string           `json:"agency"`
	Level        string           `json:"level"`
	Reasons      []string         `json:"reasons"`
	Words        string           `json:"words,omitempty"`
	Service      string           `json:"service,omitempty"`
	ServiceTitle string           `json:"service_title,omitempty"`
	State        string           `json:"state,omitempty"`
	FollowUps    []RatingFollowUp `json:"followups"`
}

// RatingReport is a period's ratings (of one agency for a token held to
// it): counts in all and per window, agency and person, and the bad
// ratings with their follow-ups, newest first.
type RatingReport struct {
	From     string        `json:"from"`
	To       string        `json:"to"`
	Total    RatingCount   `json:"total"`
	Windows  []RatingCount `json:"windows"`
	Agencies []RatingCount `json:"agencies"`
	People   []RatingCount `json:"people"`
	Bad      []Rating      `json:"bad"`
}

// NewRatingFollowUp is what a token sends to answer a bad rating.
type NewRatingFollowUp struct {
	Kind   string `json:"kind"`
	Who    string `json:"who"`
	What   string `json:"what"`
	Due    string `json:"due,omitempty"`
	Result string `json:"result,omitempty"`
}
