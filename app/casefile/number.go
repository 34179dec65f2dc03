package casefile

import "github.com/sanxiang-desk/sanxiang/app/ledger"

// Number is a record's number in its case, from 1 in the case's order:
// what officers and reviewers call a record ("第3条"), the same on every
// device. The log's own sequence (Record.Seq, per device, shared by all
// the device's cases) stays the record's identity underneath. 0 when the
// case has no such record.
func (c *Case) Number(ref ledger.RecordRef) int {
	for i := range c.Records {
		if c.Records[i].Ref() == ref {
			return i + 1
		}
	}
	return 0
}

// NumberOfSeq is Number for a sequence number a record names (a
// correction's, a review's evidence): this log's record first, else the
// case's record of that sequence from the device that held it before.
func (c *Case) NumberOfSeq(seq int64) int {
	if n := c.Number(ledger.RecordRef{Seq: seq}); n > 0 {
		return n
	}
	for i := range c.Records {
		if c.Records[i].Seq == seq {
			return i + 1
		}
	}
	return 0
}

// Numbered is the case's record numbered n (from 1).
func (c *Case) Numbered(n int) (*Record, bool) {
	if n < 1 || n > len(c.Records) {
		return nil, false
	}
	return &c.Records[n-1], true
}
