package keyspace

// Hash is a Redis hash: field to value.
//
// Redis 7.0 keeps a small hash as a listpack (fields in insertion order,
// deletions closing the gap) and converts it for good to a hash table once
// it holds more than hash-max-listpack-entries fields or a field or value
// longer than hash-max-listpack-value bytes. Hash mirrors the visible part
// of that: while small it deletes in order, so HGETALL, HKEYS, HVALS and
// HSCAN list fields as Redis does, and HSCAN returns a small hash whole.
type Hash struct {
	Dict[[]byte]
	table bool    // Redis would hold it as a hash table (sticky, like Redis's conversion)
	lim   *Limits // nil until stored in a keyspace: no conversion by size before
}

// Listpack thresholds: Redis 7.0's defaults for hash-max-listpack-entries
// and hash-max-listpack-value.
const (
	hashMaxListpackEntries = 512
	hashMaxListpackValue   = 64
)

// NewHash returns an empty hash with room for n fields.
func NewHash(n int) *Hash { return &Hash{Dict: *NewDict[[]byte](n)} }

// Kind implements Object.
func (h *Hash) Kind() Kind { return KindHash }

func (h *Hash) clone() Object { return &Hash{Dict: *h.Dict.Clone(), table: h.table, lim: h.lim} }

func (h *Hash) settle(l *Limits) {
	h.lim = l
	h.Small()
}

// SetField stores val under field and reports whether the field is new. A
// field that exists keeps its position. val is kept, not copied; field is
// copied only when new.
func (h *Hash) SetField(field, val []byte) bool {
	if p := h.Ptr(field); p != nil {
		*p = val
		h.note(field, val)
		return false
	}
	h.Dict.Set(string(field), val)
	h.note(field, val)
	return true
}

// note records the conversion Redis would make after storing field=val.
func (h *Hash) note(field, val []byte) {
	if h.table || h.lim == nil {
		return
	}
	if maxLen := h.lim.HashValue.Load(); int64(len(h.items)) > h.lim.HashEntries.Load() || int64(len(field)) > maxLen || int64(len(val)) > maxLen {
		h.table = true
	}
}

// Small reports whether Redis would hold this hash as a listpack, the
// encoding whose HSCAN returns every field in one call. A hash built
// without SetField (RDB loading) is checked in full, as Redis checks a
// loaded hash.
func (h *Hash) Small() bool {
	if h.table {
		return false
	}
	lim := h.lim
	if lim == nil {
		lim = defaultLimits
	}
	if int64(len(h.items)) > lim.HashEntries.Load() {
		h.table = true
		return false
	}
	maxLen := lim.HashValue.Load()
	for i := range h.items {
		if int64(len(h.items[i].Key)) > maxLen || int64(len(h.items[i].Val)) > maxLen {
			h.table = true
			return false
		}
	}
	return true
}

// DeleteField removes field and reports whether it was present. A small
// hash keeps the order of the remaining fields (shifting them down, which
// keeps Dict's scan guarantee: elements only move to lower indices); a
// large one swaps the last field into the hole.
func (h *Hash) DeleteField(field []byte) bool {
	i, ok := h.index[string(field)]
	if !ok {
		return false
	}
	if h.lim != nil && int64(len(h.items)) > h.lim.HashEntries.Load() {
		h.table = true // loaded too large to have ever been a listpack
	}
	if h.table {
		h.removeAt(i)
		return true
	}
	delete(h.index, h.items[i].Key)
	last := len(h.items) - 1
	copy(h.items[i:], h.items[i+1:])
	h.items[last] = DictItem[[]byte]{}
	h.items = h.items[:last]
	for j := int(i); j < last; j++ {
		h.index[h.items[j].Key] = int32(j)
	}
	h.shrink()
	return true
}
