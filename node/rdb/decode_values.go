package rdb

import (
	"bytes"
	"fmt"
	"math"
)

// readKeyValue reads the key and value that follow type byte t. It returns
// a nil Entry and no error for an empty collection, which Redis skips.
func (d *Decoder) readKeyValue(t byte) (*Entry, error) {
	en := new(Entry)
	found, err := d.readKeyValueInto(t, en)
	if err != nil || !found {
		return nil, err
	}
	en.buf = nil
	return en, nil
}

// readKeyValueInto is readKeyValue filling en (reset by the caller);
// found is false for an empty collection.
func (d *Decoder) readKeyValueInto(t byte, en *Entry) (found bool, err error) {
	if !knownType(t) {
		return false, d.corrupt("unknown opcode or value type %d", t)
	}
	d.stats.types[t]++
	en.DB, en.ExpireAt = d.db, d.expireAt
	if t == rdbString {
		return true, d.readStringKey(en)
	}
	key, err := d.readString()
	if err != nil {
		return false, err
	}
	en.Key = key
	switch t {
	case rdbList:
		en.Type = TypeList
		en.List, err = d.readStrings()
	case rdbSet:
		en.Type = TypeSet
		en.Set, err = d.readStrings()
	case rdbHash:
		en.Type = TypeHash
		en.Hash, err = d.readHashPairs()
	case rdbZSet, rdbZSet2:
		en.Type = TypeZSet
		en.ZSet, err = d.readZSetPairs(t == rdbZSet2)
	case rdbListQuicklist, rdbListQuicklist2:
		en.Type = TypeList
		en.List, err = d.readQuicklist(key, t == rdbListQuicklist2)
	case rdbStreamListpacks, rdbStream2, rdbStream3:
		en.Type = TypeStream
		en.Stream, err = d.readStream(t)
		if err != nil {
			return false, d.keyCorrupt(key, err)
		}
		return true, nil
	case rdbHashZipmap, rdbListZiplist, rdbSetIntset, rdbZSetZiplist,
		rdbHashZiplist, rdbHashListpack, rdbZSetListpack, rdbSetListpack:
		err = d.readEncoded(t, en)
	default:
		return false, d.unsupported(t, key)
	}
	if err != nil {
		return false, err
	}
	return !en.empty(), nil
}

// readStringKey reads the key and value of a string into one allocation
// (en's reusable buffer when it is large enough): key bytes, then value
// bytes, in whatever encoding each was stored.
func (d *Decoder) readStringKey(en *Entry) error {
	en.Type = TypeString
	klen, kenc, err := d.readLenEnc()
	if err != nil {
		return err
	}
	if kenc || klen > stringChunk/2 {
		key, err := d.stringAfterLen(klen, kenc)
		if err != nil {
			return err
		}
		en.Key = key
		en.Str, err = d.readString()
		return err
	}
	if uint64(cap(d.keyBuf)) < klen {
		d.keyBuf = make([]byte, klen, max(klen, 256))
	}
	key := d.keyBuf[:klen]
	if err := d.rd.readFull(key); err != nil {
		return err
	}
	vlen, venc, err := d.readLenEnc()
	if err != nil {
		return err
	}
	if venc && vlen == encLZF {
		d.stats.lzfStrings++
		kv, err := d.appendLZF(en.buf, key)
		if err != nil {
			return err
		}
		en.buf, en.Key, en.Str = kv, kv[:klen:klen], kv[klen:]
		return nil
	}
	if venc {
		// an integer: its decimal digits after the key (20 bytes at most)
		v, err := d.stringAfterLen(vlen, venc)
		if err != nil {
			return err
		}
		kv := en.buf[:0]
		if uint64(cap(kv)) < klen+uint64(len(v)) {
			kv = make([]byte, 0, klen+uint64(len(v)))
		}
		kv = append(append(kv, key...), v...)
		en.buf, en.Key, en.Str = kv, kv[:klen:klen], kv[klen:]
		return nil
	}
	if vlen > stringChunk/2 {
		en.Key = bytes.Clone(key)
		en.Str, err = d.stringAfterLen(vlen, venc)
		return err
	}
	kv := en.buf[:0]
	if uint64(cap(kv)) < klen+vlen {
		kv = make([]byte, 0, klen+vlen)
	}
	kv = append(kv, key...)[:klen+vlen]
	if err := d.rd.readFull(kv[klen:]); err != nil {
		return err
	}
	en.buf, en.Key, en.Str = kv, kv[:klen:klen], kv[klen:]
	return nil
}

func knownType(t byte) bool {
	return t <= rdbModule2 || (t >= rdbHashZipmap && t <= rdbHashLpEx)
}

// empty reports a collection with no elements.
func (en *Entry) empty() bool {
	switch en.Type {
	case TypeList:
		return len(en.List) == 0
	case TypeSet:
		return len(en.Set) == 0
	case TypeHash:
		return len(en.Hash) == 0
	case TypeZSet:
		return len(en.ZSet) == 0
	}
	return false
}

// readStrings reads a length and that many strings (types 1 and 2).
func (d *Decoder) readStrings() ([][]byte, error) {
	n, err := d.readLen()
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, min(n, preallocCap))
	for ; n > 0; n-- {
		s, err := d.readString()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// readHashPairs reads a field count and that many field/value pairs.
func (d *Decoder) readHashPairs() ([]HashField, error) {
	n, err := d.readLen()
	if err != nil {
		return nil, err
	}
	out := make([]HashField, 0, min(n, preallocCap))
	for ; n > 0; n-- {
		f, err := d.readString()
		if err != nil {
			return nil, err
		}
		v, err := d.readString()
		if err != nil {
			return nil, err
		}
		out = append(out, HashField{Field: f, Value: v})
	}
	return out, nil
}

// readZSetPairs reads a member count and that many member/score pairs,
// with binary (zset2) or ASCII (old zset) scores. NaN scores are corrupt,
// as in Redis.
func (d *Decoder) readZSetPairs(binary bool) ([]ZMember, error) {
	n, err := d.readLen()
	if err != nil {
		return nil, err
	}
	out := make([]ZMember, 0, min(n, preallocCap))
	for ; n > 0; n-- {
		m, err := d.readString()
		if err != nil {
			return nil, err
		}
		var score float64
		if binary {
			score, err = d.readBinaryDouble()
		} else {
			score, err = d.readASCIIDouble()
		}
		if err != nil {
			return nil, err
		}
		if math.IsNaN(score) {
			return nil, d.corrupt("sorted set member %q has a NaN score", m)
		}
		out = append(out, ZMember{Member: m, Score: score})
	}
	return out, nil
}

// readQuicklist reads a list stored as quicklist nodes: ziplists (type 14),
// or a container tag then a listpack or a plain element (type 18).
func (d *Decoder) readQuicklist(key []byte, v2 bool) ([][]byte, error) {
	n, err := d.readLen()
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for ; n > 0; n-- {
		container := uint64(containerPacked)
		if v2 {
			if container, err = d.readLen(); err != nil {
				return nil, err
			}
			if container != containerPlain && container != containerPacked {
				return nil, d.keyCorrupt(key, fmt.Errorf("quicklist node container %d is neither plain (1) nor packed (2)", container))
			}
		}
		blob, err := d.readString()
		if err != nil {
			return nil, err
		}
		switch {
		case container == containerPlain:
			d.stats.plainNodes++
			out = append(out, blob)
		case v2:
			d.stats.packedNodes++
			out, err = appendListpack(out, blob)
		default:
			out, err = appendZiplist(out, blob)
		}
		if err != nil {
			return nil, d.keyCorrupt(key, fmt.Errorf("quicklist node: %w", err))
		}
	}
	return out, nil
}

// readEncoded reads a value stored as one blob: zipmap, ziplist, intset or
// listpack.
func (d *Decoder) readEncoded(t byte, en *Entry) error {
	blob, err := d.readString()
	if err != nil {
		return err
	}
	var elems [][]byte
	switch t {
	case rdbHashZipmap:
		en.Type = TypeHash
		en.Hash, err = parseZipmap(blob)
	case rdbSetIntset:
		en.Type = TypeSet
		en.Set, err = parseIntset(blob)
	case rdbListZiplist:
		en.Type = TypeList
		en.List, err = appendZiplist(nil, blob)
	case rdbSetListpack:
		en.Type = TypeSet
		en.Set, err = appendListpack(nil, blob)
	case rdbZSetZiplist, rdbHashZiplist:
		elems, err = appendZiplist(nil, blob)
	case rdbZSetListpack, rdbHashListpack:
		elems, err = appendListpack(nil, blob)
	}
	if err == nil {
		switch t {
		case rdbZSetZiplist, rdbZSetListpack:
			en.Type = TypeZSet
			en.ZSet, err = zsetFromPairs(elems)
		case rdbHashZiplist, rdbHashListpack:
			en.Type = TypeHash
			en.Hash, err = hashFromPairs(elems)
		}
	}
	if err != nil {
		return d.keyCorrupt(en.Key, err)
	}
	return nil
}

// hashFromPairs turns field, value, field, value... into hash fields.
func hashFromPairs(elems [][]byte) ([]HashField, error) {
	if len(elems)%2 != 0 {
		return nil, fmt.Errorf("hash blob has an odd number (%d) of entries", len(elems))
	}
	out := make([]HashField, len(elems)/2)
	for i := range out {
		out[i] = HashField{Field: elems[2*i], Value: elems[2*i+1]}
	}
	return out, nil
}

// zsetFromPairs turns member, score, member, score... into members.
func zsetFromPairs(elems [][]byte) ([]ZMember, error) {
	if len(elems)%2 != 0 {
		return nil, fmt.Errorf("sorted set blob has an odd number (%d) of entries", len(elems))
	}
	out := make([]ZMember, len(elems)/2)
	for i := range out {
		s := elems[2*i+1]
		f, ok := parseScore(s)
		if !ok {
			return nil, fmt.Errorf("member %q has a bad score %q", elems[2*i], s)
		}
		if math.IsNaN(f) {
			return nil, fmt.Errorf("member %q has a NaN score", elems[2*i])
		}
		out[i] = ZMember{Member: elems[2*i], Score: f}
	}
	return out, nil
}
