package node

import (
	"math"
	"math/bits"
	"strconv"
	"strings"

	"github.com/replscope/replscope/node/keyspace"
)

func init() {
	register(
		&command{name: "memory", arity: -2, acl: "@slow", fn: cmdMemory,
			summary: "A container for memory diagnostics commands.", group: "server", since: "4.0.0",
			subs: []string{"usage", "purge", "doctor", "help"}, container: true},
	)
}

// MEMORY USAGE key [SAMPLES count] | PURGE | DOCTOR | HELP
func cmdMemory(x *cmdCtx) {
	sub := strings.ToLower(string(x.args[1]))
	switch {
	case sub == "usage" && len(x.args) >= 3:
		x.memoryUsage()
	case sub == "purge" && len(x.args) == 2:
		x.ok()
	case sub == "doctor" && len(x.args) == 2:
		x.verbatim("Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.", "txt")
	case sub == "help" && len(x.args) == 2:
		x.help("MEMORY",
			"DOCTOR",
			"    Return memory problems reports.",
			"MALLOC-STATS",
			"    Return internal statistics report from the memory allocator.",
			"PURGE",
			"    Attempt to purge dirty pages for reclamation by the allocator.",
			"STATS",
			"    Return information about the memory usage of the server.",
			"USAGE <key> [SAMPLES <count>]",
			"    Return memory in bytes used by <key> and its value. Nested values are",
			"    sampled up to <count> times (default: 5, 0 means sample all).")
	default:
		x.subcommandError()
	}
}

// memoryUsage estimates what Redis 7.0 with jemalloc would report: the
// key's sds, its dict entry and objectComputeSize of the value, sampling
// up to count elements of a collection and extrapolating. Like Redis it
// looks the key up without expiring it.
func (x *cmdCtx) memoryUsage() {
	samples := int64(5)
	for j := 3; j < len(x.args); j++ {
		if !eqFold(x.args[j], "samples") || j+1 >= len(x.args) {
			x.syntaxErr()
			return
		}
		v, ok := parseInt(x.args[j+1])
		if !ok {
			x.err(errNotInt)
			return
		}
		if v < 0 {
			x.syntaxErr()
			return
		}
		if v == 0 {
			v = math.MaxInt64
		}
		samples = v
		j++
	}
	e := x.db.Peek(x.args[2])
	if e == nil {
		x.null()
		return
	}
	x.int(int64(sdsAlloc(len(e.Key())) + dictEntrySize + valueSize(e, samples)))
}

// Sizes of Redis 7.0's structures on a 64-bit build.
const (
	robjSize       = 16
	dictEntrySize  = 24
	dictSize       = 56
	quicklistSize  = 40
	qlNodeSize     = 40
	zsetSize       = 16
	zskiplistSize  = 32
	zslNodeSize    = 24 // without its levels
	zslMaxLevel    = 32
	listpackLimit  = 8192 // list-max-listpack-size -2
	listpackHeader = 7    // total bytes, count, end marker
)

// jemallocSize rounds an allocation up to jemalloc's size class.
func jemallocSize(n int) int {
	switch {
	case n <= 8:
		return 8
	case n <= 128:
		return (n + 15) &^ 15
	}
	step := 1 << (bits.Len(uint(n-1)) - 3)
	return (n + step - 1) / step * step
}

// sdsAlloc is the allocation of an sds string of n bytes.
func sdsAlloc(n int) int {
	hdr := 17
	switch {
	case n < 1<<8:
		hdr = 3
	case n < 1<<16:
		hdr = 5
	case n < 1<<32:
		hdr = 9
	}
	return jemallocSize(hdr + n + 1)
}

// lpEntrySize is the bytes a listpack spends on one element.
func lpEntrySize(b []byte) int {
	var n int
	if v, ok := parseInt(b); ok && len(b) <= maxIntEncodedLen {
		switch {
		case v >= 0 && v <= 127:
			n = 1
		case v >= -4096 && v <= 4095:
			n = 2
		case v >= math.MinInt16 && v <= math.MaxInt16:
			n = 3
		case v >= -1<<23 && v < 1<<23:
			n = 4
		case v >= math.MinInt32 && v <= math.MaxInt32:
			n = 5
		default:
			n = 9
		}
	} else {
		switch l := len(b); {
		case l <= 63:
			n = 1 + l
		case l <= 4095:
			n = 2 + l
		default:
			n = 5 + l
		}
	}
	switch {
	case n <= 127:
		return n + 1
	case n < 16383:
		return n + 2
	}
	return n + 5
}

// sampledSum adds size(i) for up to samples of n elements and
// extrapolates to all n, as objectComputeSize does.
func sampledSum(n int, samples int64, size func(i int) int) int {
	if n == 0 {
		return 0
	}
	k := n
	if int64(k) > samples {
		k = int(samples)
	}
	total := 0
	for i := 0; i < k; i++ {
		total += size(i)
	}
	return int(float64(total) / float64(k) * float64(n))
}

func dictSlots(n int) int {
	if n <= 4 {
		return 4
	}
	return 1 << bits.Len(uint(n-1))
}

// valueSize is objectComputeSize for e's value.
func valueSize(e *keyspace.Entry, samples int64) int {
	switch e.Kind() {
	case keyspace.KindString:
		s := e.Str()
		switch objectEncoding(e) {
		case "int":
			return robjSize
		case "embstr":
			return jemallocSize(robjSize + 3 + len(s) + 1)
		}
		return robjSize + sdsAlloc(len(s))
	case keyspace.KindList:
		return listSize(e.List(), samples)
	case keyspace.KindHash:
		return hashSize(e.Hash(), samples)
	case keyspace.KindSet:
		return setSize(e.Set(), samples)
	case keyspace.KindZSet:
		return zsetSizeOf(e.ZSet(), samples)
	case keyspace.KindStream:
		return streamSize(e.Stream(), samples)
	}
	return robjSize
}

// listSize packs the elements into 8 KB listpack nodes as a quicklist does.
func listSize(l *keyspace.List, samples int64) int {
	var nodes []int
	cur := listpackHeader
	for i := 0; i < l.Len(); i++ {
		sz := lpEntrySize(l.At(i))
		if cur > listpackHeader && cur+sz > listpackLimit {
			nodes = append(nodes, cur)
			cur = listpackHeader
		}
		cur += sz
	}
	if cur > listpackHeader {
		nodes = append(nodes, cur)
	}
	return robjSize + quicklistSize + sampledSum(len(nodes), samples, func(i int) int {
		return qlNodeSize + jemallocSize(nodes[i])
	})
}

func hashSize(h *keyspace.Hash, samples int64) int {
	items := h.Items()
	if h.Small() {
		lp := listpackHeader
		for i := range items {
			lp += lpEntrySize([]byte(items[i].Key)) + lpEntrySize(items[i].Val)
		}
		return robjSize + jemallocSize(lp)
	}
	return robjSize + dictSize + 8*dictSlots(len(items)) + sampledSum(len(items), samples, func(i int) int {
		return dictEntrySize + sdsAlloc(len(items[i].Key)) + sdsAlloc(len(items[i].Val))
	})
}

func setSize(s *keyspace.Set, samples int64) int {
	items := s.Items()
	if s.IsIntset() {
		width := 2
		for i := range items {
			v, _ := strconv.ParseInt(items[i].Key, 10, 64)
			switch {
			case v < math.MinInt32 || v > math.MaxInt32:
				width = 8
			case (v < math.MinInt16 || v > math.MaxInt16) && width < 4:
				width = 4
			}
		}
		return robjSize + jemallocSize(8+width*len(items))
	}
	return robjSize + dictSize + 8*dictSlots(len(items)) + sampledSum(len(items), samples, func(i int) int {
		return dictEntrySize + sdsAlloc(len(items[i].Key))
	})
}

func zsetSizeOf(z *keyspace.ZSet, samples int64) int {
	items := z.Dict().Items()
	if z.IsListpack() {
		lp := listpackHeader
		for i := range items {
			lp += lpEntrySize([]byte(items[i].Key)) + lpEntrySize(appendDouble(nil, items[i].Val))
		}
		return robjSize + jemallocSize(lp)
	}
	header := jemallocSize(zslNodeSize + zslMaxLevel*16)
	return robjSize + zsetSize + zskiplistSize + dictSize + 8*dictSlots(len(items)) + header +
		sampledSum(len(items), samples, func(i int) int {
			// An average skiplist node has 4/3 levels.
			return sdsAlloc(len(items[i].Key)) + dictEntrySize + jemallocSize(zslNodeSize+16*4/3)
		})
}

// streamSize estimates a stream as objectComputeSize does: the stream
// struct, its radix-tree nodes and their listpacks (sampled), and a
// rough size per consumer group.
func streamSize(s *keyspace.Stream, samples int64) int {
	nodes := s.Nodes()
	size := robjSize + 80 + 24*(len(nodes)+1)
	size += sampledSum(len(nodes), samples, func(i int) int { return jemallocSize(int(nodes[i].Bytes())) })
	for _, g := range s.Groups() {
		size += 64 + 40*g.PEL.Len() + 64*g.ConsumerCount()
	}
	return size
}
