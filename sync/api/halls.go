package api

// PathHalls lists the city's service halls, their windows and the guides
// and fees each window handles (public: what a window offers is 事中公示;
// a window device pulls it with the public lists and keeps it offline).
const PathHalls = "/api/v1/halls"

// PathAdminHalls is the administrators' API of the halls: PUT
// PathAdminHalls+"{hall}" creates or renames a hall (the city's office
// only), PUT PathAdminHalls+"{hall}/windows/{no}" sets a window (an
// agency's token only its own agency's windows), DELETE takes it away.
const PathAdminHalls = "/api/v1/admin/halls/"

// Hall is a service hall (政务服务大厅) and its windows, by number.
type Hall struct {
	Code    string       `json:"code"`
	Name    string       `json:"name"`
	Windows []HallWindow `json:"windows"`
}

// HallWindow is one window of a hall: its number on the sign, its name,
// the agency that staffs it, and the ids of the guides and fees it
// handles in the order the window shows them.
type HallWindow struct {
	Number int      `json:"number"`
	Name   string   `json:"name"`
	Agency string   `json:"agency"`
	Guides []string `json:"guides"`
	Fees   []string `json:"fees"`
}

// HallPut is the body of PUT PathAdminHalls+"{hall}".
type HallPut struct {
	Name string `json:"name"`
}
