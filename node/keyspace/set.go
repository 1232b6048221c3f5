package keyspace

import (
	"cmp"
	"slices"
	"strconv"
)

// MaxIntsetEntries is Redis's default set-max-intset-entries: a set of at
// most this many integers is intset-encoded.
const MaxIntsetEntries = 512

// Set is a Redis set of byte strings.
//
// It also follows the encoding Redis 7.0 would give the same set, because
// the encoding shows through some replies: an intset (only canonical
// integers, at most MaxIntsetEntries of them) iterates in ascending numeric
// order and is scanned in a single SSCAN call. Like Redis, a set that left
// the intset encoding never returns to it by shrinking.
type Set struct {
	Dict[struct{}]
	ht  bool    // no longer intset-encoded
	lim *Limits // nil until stored in a keyspace: no conversion by size before
}

// NewSet returns an empty set with room for n members.
func NewSet(n int) *Set { return &Set{Dict: *NewDict[struct{}](n)} }

// Kind implements Object.
func (s *Set) Kind() Kind { return KindSet }

func (s *Set) clone() Object { return &Set{Dict: *s.Dict.Clone(), ht: s.ht, lim: s.lim} }

func (s *Set) settle(l *Limits) {
	s.lim = l
	if !s.ht && int64(s.Len()) > l.intsetMax() {
		s.ht = true
	}
}

// Add inserts member and reports whether it is new.
func (s *Set) Add(member []byte) bool {
	if s.Has(member) {
		return false
	}
	if !s.ht && (!isInt64(member) || s.lim != nil && int64(s.Len()) >= s.lim.intsetMax()) {
		s.ht = true
	}
	return s.Dict.Set(string(member), struct{}{})
}

// IsIntset reports whether Redis would hold this set as an intset.
func (s *Set) IsIntset() bool { return !s.ht }

// Encoding returns the name OBJECT ENCODING gives the set in Redis 7.0.
func (s *Set) Encoding() string {
	if s.ht {
		return "hashtable"
	}
	return "intset"
}

// Reencode recomputes the encoding as if the set had been built afresh
// from its current members (Redis does that when SPOP replaces a set).
func (s *Set) Reencode() {
	lim := s.lim
	if lim == nil {
		lim = defaultLimits
	}
	s.ht = int64(s.Len()) > lim.intsetMax()
	for i := 0; i < s.Len() && !s.ht; i++ {
		s.ht = !isInt64([]byte(s.At(i).Key))
	}
}

// ReplaceWith makes s hold o's members and encoding; o must not be used
// afterwards. It lets a command swap in a rebuilt set under the same key.
func (s *Set) ReplaceWith(o *Set) {
	lim := s.lim
	*s = *o
	if lim != nil {
		s.settle(lim)
	}
}

// Members returns the members in the order Redis iterates them: ascending
// numeric order for an intset, the dict's order otherwise.
func (s *Set) Members() []string {
	out := make([]string, s.Len())
	if s.ht {
		for i, it := range s.Items() {
			out[i] = it.Key
		}
		return out
	}
	type num struct {
		v int64
		s string
	}
	nums := make([]num, s.Len())
	for i, it := range s.Items() {
		v, _ := strconv.ParseInt(it.Key, 10, 64)
		nums[i] = num{v, it.Key}
	}
	slices.SortFunc(nums, func(a, b num) int { return cmp.Compare(a.v, b.v) })
	for i, n := range nums {
		out[i] = n.s
	}
	return out
}

// isInt64 reports whether b is a canonical int64 in Redis's string2ll
// sense: optional '-', no leading zeros or '+', no spaces, in range.
func isInt64(b []byte) bool {
	if len(b) == 0 || len(b) > 20 {
		return false
	}
	if len(b) == 1 {
		return b[0] >= '0' && b[0] <= '9'
	}
	digits := b
	if b[0] == '-' {
		digits = b[1:]
	}
	if len(digits) == 0 || digits[0] < '1' || digits[0] > '9' {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	_, err := strconv.ParseInt(string(b), 10, 64)
	return err == nil
}
