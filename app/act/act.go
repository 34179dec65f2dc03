// Package act names the six kinds of administrative enforcement act. It is
// a noun and nothing else, so that the public lists (app/catalog) and the
// cases (app/casefile) share it without one importing the other.
package act

// Kind is one of the six kinds of enforcement act the seed names. Its
// value is what JSON and the databases hold.
type Kind string

const (
	Licensing  Kind = "licensing"  // 行政许可
	Penalty    Kind = "penalty"    // 行政处罚
	Coercion   Kind = "coercion"   // 行政强制
	Levy       Kind = "levy"       // 行政征收
	Inspection Kind = "inspection" // 行政检查
	Fee        Kind = "fee"        // 行政收费
)

// All lists the six in the seed's order.
var All = []Kind{Licensing, Penalty, Coercion, Levy, Inspection, Fee}

// Valid reports whether k is one of the six.
func (k Kind) Valid() bool {
	for _, x := range All {
		if k == x {
			return true
		}
	}
	return false
}
