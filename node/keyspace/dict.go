package keyspace

import "math/rand/v2"

// Dict is a string-keyed map that also keeps its entries in a dense slice.
// The slice gives what a Go map cannot: uniform random picks (RANDOMKEY,
// SPOP, SRANDMEMBER, expiry sampling) and a SCAN cursor with Redis's
// guarantee that every element present for the whole scan is returned.
//
// Deletion swaps the last element into the hole, so elements only ever move
// towards lower indices. Scanning from the highest index down therefore
// cannot skip an element: one that moves lands either in the part not yet
// scanned or in the part it was already returned from.
type Dict[V any] struct {
	index map[string]int32
	items []DictItem[V]
}

// DictItem is one key and its value.
type DictItem[V any] struct {
	Key string
	Val V
}

// NewDict returns an empty Dict with room for n elements.
func NewDict[V any](n int) *Dict[V] {
	return &Dict[V]{index: make(map[string]int32, n), items: make([]DictItem[V], 0, n)}
}

// Len returns the number of elements.
func (d *Dict[V]) Len() int { return len(d.items) }

// Get returns the value for key.
func (d *Dict[V]) Get(key string) (V, bool) {
	if i, ok := d.index[key]; ok {
		return d.items[i].Val, true
	}
	var zero V
	return zero, false
}

// GetBytes is Get for a byte-slice key; it does not allocate.
func (d *Dict[V]) GetBytes(key []byte) (V, bool) {
	if i, ok := d.index[string(key)]; ok {
		return d.items[i].Val, true
	}
	var zero V
	return zero, false
}

// Has reports whether key is present.
func (d *Dict[V]) Has(key []byte) bool {
	_, ok := d.index[string(key)]
	return ok
}

// Set stores val under key and reports whether the key is new.
func (d *Dict[V]) Set(key string, val V) bool {
	if i, ok := d.index[key]; ok {
		d.items[i].Val = val
		return false
	}
	d.index[key] = int32(len(d.items))
	d.items = append(d.items, DictItem[V]{Key: key, Val: val})
	return true
}

// Ptr returns a pointer to the value stored under key, or nil. The pointer
// is valid until the next Set or Delete.
func (d *Dict[V]) Ptr(key []byte) *V {
	if i, ok := d.index[string(key)]; ok {
		return &d.items[i].Val
	}
	return nil
}

// Delete removes key and reports whether it was present.
func (d *Dict[V]) Delete(key string) bool {
	i, ok := d.index[key]
	if !ok {
		return false
	}
	d.removeAt(i)
	return true
}

// DeleteBytes is Delete for a byte-slice key.
func (d *Dict[V]) DeleteBytes(key []byte) bool {
	i, ok := d.index[string(key)]
	if !ok {
		return false
	}
	d.removeAt(i)
	return true
}

func (d *Dict[V]) removeAt(i int32) {
	last := int32(len(d.items) - 1)
	delete(d.index, d.items[i].Key)
	if i != last {
		d.items[i] = d.items[last]
		d.index[d.items[i].Key] = i
	}
	var zero DictItem[V]
	d.items[last] = zero
	d.items = d.items[:last]
	d.shrink()
}

// shrink returns memory after many deletions; Go maps never shrink, so a
// dict that fell to a quarter of its capacity is rebuilt.
func (d *Dict[V]) shrink() {
	if c := cap(d.items); c > 64 && len(d.items) < c/4 {
		items := make([]DictItem[V], len(d.items), len(d.items)*2)
		copy(items, d.items)
		d.items = items
		index := make(map[string]int32, len(items))
		for i := range items {
			index[items[i].Key] = int32(i)
		}
		d.index = index
	}
}

// At returns the i-th element of the dense slice (0 <= i < Len).
func (d *Dict[V]) At(i int) *DictItem[V] { return &d.items[i] }

// Items returns the dense slice. Callers must not keep it across changes.
func (d *Dict[V]) Items() []DictItem[V] { return d.items }

// Random returns a uniformly chosen element; the dict must not be empty.
func (d *Dict[V]) Random(r *rand.Rand) *DictItem[V] {
	return &d.items[r.IntN(len(d.items))]
}

// Scan visits up to count elements starting at cursor and returns the next
// cursor, 0 when the scan is complete. Cursor 0 starts a new scan.
func (d *Dict[V]) Scan(cursor uint64, count int, fn func(*DictItem[V])) uint64 {
	return scanDense(len(d.items), cursor, count, func(i int) { fn(&d.items[i]) })
}

// scanDense walks a dense slice of n elements from the top down. A cursor c
// means "indices below c are still to visit"; 0 starts from the top and a
// returned 0 means done. A cursor beyond n (the slice shrank) is clamped.
func scanDense(n int, cursor uint64, count int, visit func(i int)) uint64 {
	if count < 1 {
		count = 1
	}
	hi := uint64(n)
	if cursor != 0 && cursor < hi {
		hi = cursor
	}
	lo := uint64(0)
	if hi > uint64(count) {
		lo = hi - uint64(count)
	}
	for i := hi; i > lo; i-- {
		visit(int(i - 1))
	}
	return lo
}

// Clone returns a copy whose changes do not affect d.
func (d *Dict[V]) Clone() *Dict[V] {
	c := &Dict[V]{index: make(map[string]int32, len(d.items)), items: make([]DictItem[V], len(d.items), cap(d.items))}
	copy(c.items, d.items)
	for k, v := range d.index {
		c.index[k] = v
	}
	return c
}
