package keyspace

import "bytes"

// List is a Redis list: a ring-buffer deque of byte strings, O(1) at both
// ends and for indexed reads.
type List struct {
	buf  [][]byte
	head int
	n    int
}

// NewList returns an empty list.
func NewList() *List { return &List{} }

// Kind implements Object.
func (l *List) Kind() Kind { return KindList }

// Len returns the number of elements.
func (l *List) Len() int { return l.n }

func (l *List) clone() Object {
	c := &List{buf: make([][]byte, max(l.n, 4)), n: l.n}
	for i := 0; i < l.n; i++ {
		c.buf[i] = l.At(i)
	}
	return c
}

func (l *List) grow() {
	nb := make([][]byte, max(4, len(l.buf)*2))
	for i := 0; i < l.n; i++ {
		nb[i] = l.At(i)
	}
	l.buf, l.head = nb, 0
}

func (l *List) slot(i int) int {
	j := l.head + i
	if j >= len(l.buf) {
		j -= len(l.buf)
	}
	return j
}

// At returns element i, 0 <= i < Len.
func (l *List) At(i int) []byte { return l.buf[l.slot(i)] }

// SetAt replaces element i.
func (l *List) SetAt(i int, v []byte) { l.buf[l.slot(i)] = v }

// PushFront inserts v at the head.
func (l *List) PushFront(v []byte) {
	if l.n == len(l.buf) {
		l.grow()
	}
	l.head--
	if l.head < 0 {
		l.head += len(l.buf)
	}
	l.buf[l.head] = v
	l.n++
}

// PushBack appends v at the tail.
func (l *List) PushBack(v []byte) {
	if l.n == len(l.buf) {
		l.grow()
	}
	l.buf[l.slot(l.n)] = v
	l.n++
}

// PopFront removes and returns the head; the list must not be empty.
func (l *List) PopFront() []byte {
	v := l.buf[l.head]
	l.buf[l.head] = nil
	l.head = l.slot(1)
	l.n--
	l.maybeShrink()
	return v
}

// PopBack removes and returns the tail; the list must not be empty.
func (l *List) PopBack() []byte {
	j := l.slot(l.n - 1)
	v := l.buf[j]
	l.buf[j] = nil
	l.n--
	l.maybeShrink()
	return v
}

func (l *List) maybeShrink() {
	if len(l.buf) > 64 && l.n < len(l.buf)/4 {
		nb := make([][]byte, len(l.buf)/2)
		for i := 0; i < l.n; i++ {
			nb[i] = l.At(i)
		}
		l.buf, l.head = nb, 0
	}
}

// Insert puts v before position i (i == Len appends).
func (l *List) Insert(i int, v []byte) {
	l.PushBack(nil)
	for j := l.n - 1; j > i; j-- {
		l.SetAt(j, l.At(j-1))
	}
	l.SetAt(i, v)
}

// RemoveAt deletes element i.
func (l *List) RemoveAt(i int) {
	for j := i; j < l.n-1; j++ {
		l.SetAt(j, l.At(j+1))
	}
	l.PopBack()
}

// Trim keeps elements [start, stop] (inclusive, already clamped, may be an
// empty range with start > stop).
func (l *List) Trim(start, stop int) {
	if start > stop || start >= l.n {
		*l = List{}
		return
	}
	keep := stop - start + 1
	nb := make([][]byte, max(4, keep))
	for i := 0; i < keep; i++ {
		nb[i] = l.At(start + i)
	}
	l.buf, l.head, l.n = nb, 0, keep
}

// Elements returns a copy of the element references, head to tail.
func (l *List) Elements() [][]byte {
	out := make([][]byte, l.n)
	for i := range out {
		out[i] = l.At(i)
	}
	return out
}

// Index returns the position of the first element equal to v, or -1.
func (l *List) Index(v []byte) int {
	for i := 0; i < l.n; i++ {
		if bytes.Equal(l.At(i), v) {
			return i
		}
	}
	return -1
}

// RemoveEqual deletes elements equal to v, as LREM does: the first count
// from the head when count > 0, the last -count from the tail when
// count < 0, every one when count is 0. It returns how many it removed.
func (l *List) RemoveEqual(v []byte, count int) int {
	drop := make([]bool, l.n)
	removed := 0
	if count >= 0 {
		for i := 0; i < l.n && (count == 0 || removed < count); i++ {
			if bytes.Equal(l.At(i), v) {
				drop[i] = true
				removed++
			}
		}
	} else {
		limit := -count
		if limit < 0 { // -MinInt: Redis's negation wraps and removes all
			limit = l.n
		}
		for i := l.n - 1; i >= 0 && removed < limit; i-- {
			if bytes.Equal(l.At(i), v) {
				drop[i] = true
				removed++
			}
		}
	}
	if removed == 0 {
		return 0
	}
	nb := make([][]byte, max(4, l.n-removed))
	k := 0
	for i := 0; i < l.n; i++ {
		if !drop[i] {
			nb[k] = l.At(i)
			k++
		}
	}
	l.buf, l.head, l.n = nb, 0, k
	return removed
}
