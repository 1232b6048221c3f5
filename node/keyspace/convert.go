package keyspace

// CloneObject returns a deep copy of a collection value with the same
// encoding, for COPY (Redis's hashTypeDup, setTypeDup, zsetDup, ...).
func CloneObject(o Object) Object { return o.clone() }

// ToSkiplist marks the sorted set as skiplist-encoded for good, as Redis's
// SORT does to any sorted set it reads (zsetConvert before sorting).
func (z *ZSet) ToSkiplist() { z.big = true }
