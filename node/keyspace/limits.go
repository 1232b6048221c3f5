package keyspace

import "sync/atomic"

// Limits are the encoding thresholds of Redis's config
// (hash-max-listpack-entries/-value, set-max-intset-entries,
// zset-max-listpack-entries/-value): past them Redis converts a value to
// its big encoding for good. A node shares one Limits among its
// keyspaces and changes it on CONFIG SET; values read it as they grow.
// Its fields are atomic because a replica's loader reads them outside
// the node's lock.
type Limits struct {
	HashEntries atomic.Int64
	HashValue   atomic.Int64
	SetIntset   atomic.Int64
	ZSetEntries atomic.Int64
	ZSetValue   atomic.Int64
}

// DefaultLimits returns Redis 7.0's default thresholds.
func DefaultLimits() *Limits {
	l := &Limits{}
	l.HashEntries.Store(hashMaxListpackEntries)
	l.HashValue.Store(hashMaxListpackValue)
	l.SetIntset.Store(MaxIntsetEntries)
	l.ZSetEntries.Store(MaxListpackEntries)
	l.ZSetValue.Store(MaxListpackValue)
	return l
}

// SetLimits makes values stored in ks from now on follow l.
func (ks *Keyspace) SetLimits(l *Limits) { ks.lim = l }

// Limits returns the thresholds values stored in ks follow.
func (ks *Keyspace) Limits() *Limits { return ks.lim }

// limited is a value with an encoding that depends on Limits.
type limited interface {
	// settle gives the value the keyspace's limits when it is stored, and
	// converts it if, built before it was stored, it already exceeds them.
	settle(l *Limits)
}

// settle applies the keyspace's limits to a value being stored in it.
func (ks *Keyspace) settle(o Object) {
	if v, ok := o.(limited); ok {
		v.settle(ks.lim)
	}
}

// intsetMax is set-max-intset-entries as Redis applies it (capped at 2^30).
func (l *Limits) intsetMax() int64 { return min(l.SetIntset.Load(), 1<<30) }

// defaultLimits serve values not stored in a keyspace yet. Never changed.
var defaultLimits = DefaultLimits()

func (z *ZSet) settle(l *Limits) {
	z.lim = l
	if z.big {
		return
	}
	if int64(z.Len()) > l.ZSetEntries.Load() {
		z.big = true
		return
	}
	maxLen := l.ZSetValue.Load()
	for _, it := range z.dict.Items() {
		if int64(len(it.Key)) > maxLen {
			z.big = true
			return
		}
	}
}

// NewZSetSized returns an empty sorted set encoded as Redis's
// zsetTypeCreate encodes one made for sizeHint elements of up to lenHint
// bytes under l: skiplist from the start when either passes its limit
// (so zset-max-listpack-entries 0 makes every new set a skiplist).
func NewZSetSized(l *Limits, sizeHint, lenHint int) *ZSet {
	if l == nil {
		l = defaultLimits
	}
	z := NewZSet()
	z.lim = l
	z.big = int64(sizeHint) > l.ZSetEntries.Load() || int64(lenHint) > l.ZSetValue.Load()
	return z
}
