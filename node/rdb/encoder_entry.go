package rdb

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
)

// maxIntsetEntries is Redis's default set-max-intset-entries: WriteEntry
// writes integer sets up to this size as intsets, as Redis would hold them.
const maxIntsetEntries = 512

// IntSet writes a set of integers as an intset (type 11): a blob of
// encoding width (uint32 LE), count (uint32 LE) and the sorted members in
// the smallest width (2, 4 or 8 bytes) that holds them all. Duplicates are
// dropped. An empty set is refused: Redis rejects empty intsets.
func (e *Encoder) IntSet(key []byte, expireAt int64, members []int64) error {
	if err := e.ready(); err != nil {
		return err
	}
	if len(members) == 0 {
		return e.fail(fmt.Errorf("rdb: encoder: key %q: empty intset", key))
	}
	e.ints = append(e.ints[:0], members...)
	slices.Sort(e.ints)
	e.ints = slices.Compact(e.ints)
	blob := AppendIntset(e.scr[:0], e.ints)
	e.scr = blob
	e.beginKey(rdbSetIntset, key, expireAt)
	e.appendBlob(blob)
	return e.maybeFlush()
}

// AppendIntset appends the intset blob of sorted, distinct ints: the
// encoding width (uint32 LE), the count (uint32 LE) and the members in
// the smallest width (2, 4 or 8 bytes) that holds them all.
func AppendIntset(blob []byte, ints []int64) []byte {
	width := intsetWidth(ints[0], ints[len(ints)-1])
	blob = binary.LittleEndian.AppendUint32(blob, uint32(width))
	blob = binary.LittleEndian.AppendUint32(blob, uint32(len(ints)))
	for _, v := range ints {
		switch width {
		case 2:
			blob = binary.LittleEndian.AppendUint16(blob, uint16(v))
		case 4:
			blob = binary.LittleEndian.AppendUint32(blob, uint32(v))
		default:
			blob = binary.LittleEndian.AppendUint64(blob, uint64(v))
		}
	}
	return blob
}

// intsetWidth returns the element width for a sorted set spanning lo..hi.
func intsetWidth(lo, hi int64) int {
	switch {
	case lo >= math.MinInt16 && hi <= math.MaxInt16:
		return 2
	case lo >= math.MinInt32 && hi <= math.MaxInt32:
		return 4
	}
	return 8
}

// WriteEntry writes a whole key. A set whose members are all canonical
// int64 decimals and that has at most 512 members goes out as an intset,
// as Redis holds such sets. en.DB is not used: select the database with
// SelectDB first.
func (e *Encoder) WriteEntry(en *Entry) error {
	if err := e.ready(); err != nil {
		return err
	}
	switch en.Type {
	case TypeString:
		if err := e.BeginObject(TypeString, en.Key, en.ExpireAt, 1); err != nil {
			return err
		}
		return e.String(en.Str)
	case TypeList:
		return e.writeStrings(TypeList, en, en.List)
	case TypeSet:
		if ints, ok := e.intMembers(en.Set); ok {
			return e.IntSet(en.Key, en.ExpireAt, ints)
		}
		return e.writeStrings(TypeSet, en, en.Set)
	case TypeHash:
		if err := e.BeginObject(TypeHash, en.Key, en.ExpireAt, len(en.Hash)); err != nil {
			return err
		}
		for i := range en.Hash {
			e.String(en.Hash[i].Field)
			if err := e.String(en.Hash[i].Value); err != nil {
				return err
			}
		}
		return nil
	case TypeZSet:
		if err := e.BeginObject(TypeZSet, en.Key, en.ExpireAt, len(en.ZSet)); err != nil {
			return err
		}
		for i := range en.ZSet {
			e.String(en.ZSet[i].Member)
			if err := e.Double(en.ZSet[i].Score); err != nil {
				return err
			}
		}
		return nil
	case TypeStream:
		if en.Stream == nil {
			return e.fail(fmt.Errorf("rdb: encoder: key %q: stream entry without a stream", en.Key))
		}
		return e.WriteStream(en.Key, en.ExpireAt, en.Stream)
	}
	return e.fail(fmt.Errorf("rdb: encoder: key %q: unknown value type %d", en.Key, en.Type))
}

func (e *Encoder) writeStrings(t Type, en *Entry, elems [][]byte) error {
	if err := e.BeginObject(t, en.Key, en.ExpireAt, len(elems)); err != nil {
		return err
	}
	for _, b := range elems {
		if err := e.String(b); err != nil {
			return err
		}
	}
	return nil
}

// intMembers returns the set's members as integers when it qualifies for
// an intset: non-empty, at most maxIntsetEntries, all canonical int64.
func (e *Encoder) intMembers(set [][]byte) ([]int64, bool) {
	if len(set) == 0 || len(set) > maxIntsetEntries {
		return nil, false
	}
	ints := e.ints[:0]
	for _, m := range set {
		v, ok := parseCanonicalInt(m)
		if !ok {
			return nil, false
		}
		ints = append(ints, v)
	}
	e.ints = ints // IntSet copies from e.ints onto itself: harmless
	return ints, true
}
