package node

import (
	"math"
	"strconv"

	"github.com/replscope/replscope/node/keyspace"
)

// The stream family, as Redis 7.0's t_stream.c: entries (XADD, XLEN,
// XRANGE, XREVRANGE, XDEL, XTRIM, XSETID) here; XREAD and XREADGROUP in
// cmd_stream_read.go; consumer groups in cmd_stream_group.go; XINFO in
// cmd_stream_info.go.

func init() {
	const w, r = cWrite, cReadOnly
	register(
		&command{name: "xadd", arity: -5, flags: w | cDenyOOM | cFast, firstKey: 1, lastKey: 1, acl: "@write @stream @fast", fn: cmdXAdd,
			summary: "Appends a new entry to a stream", group: "stream", since: "5.0.0"},
		&command{name: "xlen", arity: 2, flags: r | cFast, firstKey: 1, lastKey: 1, acl: "@read @stream @fast", fn: cmdXLen,
			summary: "Return the number of entries in a stream", group: "stream", since: "5.0.0"},
		&command{name: "xrange", arity: -4, flags: r, firstKey: 1, lastKey: 1, acl: "@read @stream @slow", fn: cmdXRange,
			summary: "Return a range of elements in a stream, with IDs matching the specified IDs interval", group: "stream", since: "5.0.0"},
		&command{name: "xrevrange", arity: -4, flags: r, firstKey: 1, lastKey: 1, acl: "@read @stream @slow", fn: cmdXRange,
			summary: "Return a range of elements in a stream, in reverse order", group: "stream", since: "5.0.0"},
		&command{name: "xdel", arity: -3, flags: w | cFast, firstKey: 1, lastKey: 1, acl: "@write @stream @fast", fn: cmdXDel,
			summary: "Removes the specified entries from the stream", group: "stream", since: "5.0.0"},
		&command{name: "xtrim", arity: -4, flags: w, firstKey: 1, lastKey: 1, acl: "@write @stream @slow", fn: cmdXTrim,
			summary: "Trims the stream to (approximately if '~' is passed) a certain size", group: "stream", since: "5.0.0"},
		&command{name: "xsetid", arity: -3, flags: w | cDenyOOM | cFast, firstKey: 1, lastKey: 1, acl: "@write @stream @fast", fn: cmdXSetID,
			summary: "An internal command for replicating stream values", group: "stream", since: "5.0.0"},
	)
}

const (
	errStreamID     = "ERR Invalid stream ID specified as stream command argument"
	errStreamNoKey  = "ERR no such key"
	errStreamStart  = "ERR invalid start ID for the interval"
	errStreamEnd    = "ERR invalid end ID for the interval"
	streamRWNoAck   = 1 << 0
	streamRWRaw     = 1 << 1
	streamRWHistory = 1 << 2
)

// parseStreamID parses an ID as streamGenericParseIDOrReply: "-" and "+"
// (refused when strict), "ms" (seq = missingSeq), "ms-seq", and "ms-*"
// when seqGiven is not nil (then set to false). Numbers are read as
// string2ull reads them.
func parseStreamID(b []byte, missingSeq uint64, strict bool, seqGiven *bool) (keyspace.StreamID, bool) {
	var id keyspace.StreamID
	if len(b) > 127 {
		return id, false
	}
	b = cString(b)
	if strict && len(b) == 1 && (b[0] == '-' || b[0] == '+') {
		return id, false
	}
	if seqGiven != nil {
		*seqGiven = true
	}
	if len(b) == 1 && b[0] == '-' {
		return id, true
	}
	if len(b) == 1 && b[0] == '+' {
		return keyspace.MaxStreamID, true
	}
	msPart, seqPart, dash := b, []byte(nil), false
	for i, c := range b {
		if c == '-' {
			msPart, seqPart, dash = b[:i], b[i+1:], true
			break
		}
	}
	ms, ok := string2ull(msPart)
	if !ok {
		return id, false
	}
	seq := missingSeq
	if dash {
		if seqGiven != nil && len(seqPart) == 1 && seqPart[0] == '*' {
			seq = 0
			*seqGiven = false
		} else if seq, ok = string2ull(seqPart); !ok {
			return id, false
		}
	}
	return keyspace.StreamID{Ms: ms, Seq: seq}, true
}

// string2ull is Redis's: a canonical non-negative long long, else what
// strtoull accepts whole (leading spaces, a sign, leading zeros).
func string2ull(b []byte) (uint64, bool) {
	if v, ok := parseInt(b); ok {
		return uint64(v), v >= 0
	}
	i := 0
	for i < len(b) && isCSpace(b[i]) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	if i == len(b) || len(b) == 0 {
		return 0, false
	}
	var v uint64
	for ; i < len(b); i++ {
		d := b[i] - '0'
		if d > 9 {
			return 0, false
		}
		if v > (math.MaxUint64-uint64(d))/10 {
			return 0, false // ERANGE
		}
		v = v*10 + uint64(d)
	}
	if neg {
		v = -v
	}
	return v, true
}

// streamIDArgs parses a list of full IDs (XDEL, XACK), replying the error
// of the first that is not one.
func (x *cmdCtx) streamIDArgs(args [][]byte) ([]keyspace.StreamID, bool) {
	ids := make([]keyspace.StreamID, 0, len(args))
	for _, b := range args {
		id, ok := x.streamIDArg(b, 0, true)
		if !ok {
			return nil, false
		}
		ids = append(ids, id)
	}
	return ids, true
}

// streamIDArg parses an ID argument or replies the error.
func (x *cmdCtx) streamIDArg(b []byte, missingSeq uint64, strict bool) (keyspace.StreamID, bool) {
	id, ok := parseStreamID(b, missingSeq, strict, nil)
	if !ok {
		x.err(errStreamID)
	}
	return id, ok
}

// intervalID parses a range bound: "(" makes it exclusive (strict ID).
func (x *cmdCtx) intervalID(b []byte, missingSeq uint64) (keyspace.StreamID, bool, bool) {
	if len(b) > 1 && b[0] == '(' {
		id, ok := x.streamIDArg(b[1:], missingSeq, true)
		return id, true, ok
	}
	id, ok := x.streamIDArg(b, missingSeq, false)
	return id, false, ok
}

// streamID writes an ID as a bulk string.
func (x *cmdCtx) streamID(id keyspace.StreamID) {
	x.w.WriteBulk(id.Append(x.n.scratch[:0]))
}

func streamIDBytes(id keyspace.StreamID) []byte { return id.Append(nil) }

// streamForWrite returns key's stream entry before a write, nil when
// missing; ok is false after WRONGTYPE.
func (x *cmdCtx) streamForWrite(key []byte) (*keyspace.Entry, bool) {
	e := x.lookupWrite(key)
	if e != nil && e.Kind() != keyspace.KindStream {
		x.wrongType()
		return nil, false
	}
	return e, true
}

func (x *cmdCtx) nodeLimits() keyspace.NodeLimits {
	return keyspace.NodeLimits{MaxBytes: x.n.cfg.StreamNodeMaxBytes, MaxEntries: x.n.cfg.StreamNodeMaxEntries}
}

// trimArgs are XADD/XTRIM's parsed options (streamAddTrimArgs).
type trimArgs struct {
	keyspace.TrimArgs
	id        keyspace.StreamID
	idGiven   bool
	seqGiven  bool
	noMK      bool
	argIdx    int // index of the MAXLEN/MINID value, for rewriting
	limitSeen bool
}

// parseAddTrim parses options from args[2] as
// streamParseAddOrTrimArgsOrReply; for XADD it returns the ID's index.
func (x *cmdCtx) parseAddTrim(xadd bool) (trimArgs, int, bool) {
	var a trimArgs
	i := 2
	for ; i < len(x.args); i++ {
		more := len(x.args) - 1 - i
		opt := x.args[i]
		switch {
		case xadd && len(opt) == 1 && opt[0] == '*':
		case (eqFold(opt, "maxlen") || eqFold(opt, "minid")) && more > 0:
			if a.Strategy != keyspace.TrimNone {
				x.err("ERR syntax error, MAXLEN and MINID options at the same time are not compatible")
				return a, 0, false
			}
			a.Approx = false
			next := x.args[i+1]
			if more >= 2 && len(next) >= 1 && (next[0] == '~' || next[0] == '=') && len(cString(next)) == 1 {
				a.Approx = next[0] == '~'
				i++
			}
			if eqFold(opt, "maxlen") {
				v, ok := parseInt(x.args[i+1])
				if !ok {
					x.err(errNotInt)
					return a, 0, false
				}
				if v < 0 {
					x.err("ERR The MAXLEN argument must be >= 0.")
					return a, 0, false
				}
				a.MaxLen, a.Strategy = v, keyspace.TrimMaxLen
			} else {
				id, ok := x.streamIDArg(x.args[i+1], 0, true)
				if !ok {
					return a, 0, false
				}
				a.MinID, a.Strategy = id, keyspace.TrimMinID
			}
			i++
			a.argIdx = i
			continue
		case eqFold(opt, "limit") && more > 0:
			v, ok := parseInt(x.args[i+1])
			if !ok {
				x.err(errNotInt)
				return a, 0, false
			}
			if v < 0 {
				x.err("ERR The LIMIT argument must be >= 0.")
				return a, 0, false
			}
			a.Limit, a.limitSeen = v, true
			i++
			continue
		case xadd && eqFold(opt, "nomkstream"):
			a.noMK = true
			continue
		case xadd:
			id, ok := parseStreamID(opt, 0, true, &a.seqGiven)
			if !ok {
				x.err(errStreamID)
				return a, 0, false
			}
			a.id, a.idGiven = id, true
		default:
			x.syntaxErr()
			return a, 0, false
		}
		break
	}
	if a.Limit != 0 && a.Strategy == keyspace.TrimNone {
		x.err("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")
		return a, 0, false
	}
	if !xadd && a.Strategy == keyspace.TrimNone {
		x.err("ERR syntax error, XTRIM must be called with a trimming strategy")
		return a, 0, false
	}
	switch {
	case x.c.is(flagMaster):
		a.Limit = 0
	case a.limitSeen && !a.Approx:
		x.err("ERR syntax error, LIMIT cannot be used without the special ~ option")
		return a, 0, false
	case !a.limitSeen && a.Approx:
		a.Limit = 100 * x.n.cfg.StreamNodeMaxEntries
		if a.Limit <= 0 {
			a.Limit = 10000
		}
		if a.Limit > 1000000 {
			a.Limit = 1000000
		}
	case !a.limitSeen:
		a.Limit = 0
	}
	return a, i, true
}

// rewriteTrim makes an approximate trim replicate exactly: "=" and the
// resulting length or first ID (streamRewriteTrimArgument).
func (x *cmdCtx) rewriteTrim(argv [][]byte, a trimArgs, s *keyspace.Stream) [][]byte {
	if !a.Approx {
		return argv
	}
	argv[a.argIdx-1] = []byte("=")
	if a.Strategy == keyspace.TrimMaxLen {
		argv[a.argIdx] = []byte(strconv.FormatUint(s.Length(), 10))
	} else {
		argv[a.argIdx] = streamIDBytes(s.EdgeID(true, false))
	}
	return argv
}

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]
func cmdXAdd(x *cmdCtx) {
	a, idPos, ok := x.parseAddTrim(true)
	if !ok {
		return
	}
	fieldPos := idPos + 1
	if n := len(x.args) - fieldPos; n < 2 || n%2 == 1 {
		x.wrongArgs()
		return
	}
	if a.idGiven && a.seqGiven && a.id.IsZero() {
		x.err("ERR The ID specified in XADD must be greater than 0-0")
		return
	}
	key := x.args[1]
	e, ok := x.streamForWrite(key)
	if !ok {
		return
	}
	if e == nil && a.noMK {
		x.null()
		return
	}
	var s *keyspace.Stream
	if e == nil {
		s = keyspace.NewStream()
	} else {
		s = e.Stream()
	}
	if s.LastID == keyspace.MaxStreamID {
		if e == nil {
			x.db.Add(key, nil, s, 0)
		}
		x.err("ERR The stream has exhausted the last possible ID, unable to add more items")
		return
	}
	var use *keyspace.StreamID
	if a.idGiven {
		use = &a.id
	}
	id, err := s.NextID(uint64(x.now), use, a.seqGiven)
	if err == nil {
		if e != nil {
			x.db.Modify(e)
			s = e.Stream()
		}
		fv := make([][]byte, len(x.args)-fieldPos)
		for i, b := range x.args[fieldPos:] {
			fv[i] = copyBytes(b)
		}
		err = s.Add(id, fv, x.nodeLimits())
	}
	if e == nil {
		// streamTypeLookupWriteOrCreate created the key before the append.
		x.db.Add(key, nil, s, 0)
	}
	if err != nil {
		x.err("ERR " + err.Error())
		return
	}
	x.streamID(id)
	x.touch(key)
	x.notify(notifyStream, "xadd", key)
	argv := copyArgs(x.args)
	if a.Strategy != keyspace.TrimNone {
		if s.Trim(a.TrimArgs) > 0 {
			x.notify(notifyStream, "xtrim", key)
		}
		argv = x.rewriteTrim(argv, a, s)
	}
	if !a.idGiven || !a.seqGiven {
		argv[idPos] = streamIDBytes(id)
	}
	x.prop = argv
	x.n.signalKeyAsReady(x.db.ID(), string(key))
}

// XLEN key
func cmdXLen(x *cmdCtx) {
	e := x.entryOrReply(x.args[1], keyspace.KindStream, false, hashZeroRaw)
	if e == nil {
		return
	}
	x.int(int64(e.Stream().Length()))
}

// XRANGE key start end [COUNT count]
// XREVRANGE key end start [COUNT count]
func cmdXRange(x *cmdCtx) {
	rev := x.cmd.name == "xrevrange"
	startArg, endArg := x.args[2], x.args[3]
	if rev {
		startArg, endArg = endArg, startArg
	}
	start, ex, ok := x.intervalID(startArg, 0)
	if !ok {
		return
	}
	if ex {
		if start, ok = start.Incr(); !ok {
			x.err(errStreamStart)
			return
		}
	}
	end, ex, ok := x.intervalID(endArg, math.MaxUint64)
	if !ok {
		return
	}
	if ex {
		if end, ok = end.Decr(); !ok {
			x.err(errStreamEnd)
			return
		}
	}
	count := int64(-1)
	for o := x.options(4); o.next(); {
		if !o.is("count", 1) {
			x.syntaxErr()
			return
		}
		v, ok := o.int(0, errNotInt)
		if !ok {
			return
		}
		count = max(v, 0)
	}
	e := x.entryOrReply(x.args[1], keyspace.KindStream, false, hashEmptyRaw)
	if e == nil {
		return
	}
	if count == 0 {
		x.nullArray()
		return
	}
	x.streamRange(e.Stream(), start, end, max(count, 0), rev)
}

// streamRange replies the live entries between start and end (at most
// count when count > 0) as [[id, [field, value...]]...].
func (x *cmdCtx) streamRange(s *keyspace.Stream, start, end keyspace.StreamID, count int64, rev bool) int {
	var got []*keyspace.StreamEntry
	s.Range(start, end, rev, func(e *keyspace.StreamEntry) bool {
		got = append(got, e)
		return count == 0 || int64(len(got)) < count
	})
	x.array(len(got))
	for _, e := range got {
		x.streamEntry(e)
	}
	return len(got)
}

// streamEntry writes [id, [field, value, ...]].
func (x *cmdCtx) streamEntry(e *keyspace.StreamEntry) {
	x.array(2)
	x.streamID(e.ID)
	x.array(len(e.FV))
	for _, b := range e.FV {
		x.bulk(b)
	}
}

// XDEL key id [id ...]
func cmdXDel(x *cmdCtx) {
	key := x.args[1]
	e := x.entryOrReply(key, keyspace.KindStream, true, hashZeroRaw)
	if e == nil {
		return
	}
	ids, ok := x.streamIDArgs(x.args[2:])
	if !ok {
		return
	}
	x.db.Modify(e)
	s := e.Stream()
	deleted, first := 0, false
	for _, id := range ids {
		if !s.Delete(id) {
			continue
		}
		first = first || id == s.FirstID
		if s.MaxDeletedID.Less(id) {
			s.MaxDeletedID = id
		}
		deleted++
	}
	if deleted > 0 {
		if s.Length() == 0 {
			s.FirstID = keyspace.StreamID{}
		} else if first {
			s.FirstID = s.EdgeID(true, true)
		}
		x.touchN(key, deleted)
		x.notify(notifyStream, "xdel", key)
	}
	x.int(int64(deleted))
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
func cmdXTrim(x *cmdCtx) {
	a, _, ok := x.parseAddTrim(false)
	if !ok {
		return
	}
	key := x.args[1]
	e := x.entryOrReply(key, keyspace.KindStream, true, hashZeroRaw)
	if e == nil {
		return
	}
	x.db.Modify(e)
	s := e.Stream()
	deleted := s.Trim(a.TrimArgs)
	if deleted > 0 {
		x.notify(notifyStream, "xtrim", key)
		x.prop = x.rewriteTrim(copyArgs(x.args), a, s)
		x.touchN(key, int(deleted))
	}
	x.int(deleted)
}

// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
func cmdXSetID(x *cmdCtx) {
	id, ok := x.streamIDArg(x.args[2], 0, true)
	if !ok {
		return
	}
	var maxDel keyspace.StreamID
	added := int64(-1)
	for o := x.options(3); o.next(); {
		switch {
		case o.is("entriesadded", 1):
			v, ok := o.int(0, errNotInt)
			if !ok {
				return
			}
			if v < 0 {
				x.err("ERR entries_added must be positive")
				return
			}
			added = v
		case o.is("maxdeletedid", 1):
			if maxDel, ok = x.streamIDArg(o.arg(0), 0, true); !ok {
				return
			}
			if id.Less(maxDel) {
				x.err("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
				return
			}
		default:
			x.syntaxErr()
			return
		}
	}
	key := x.args[1]
	e := x.lookupWrite(key)
	if e == nil {
		x.err(errStreamNoKey)
		return
	}
	if e.Kind() != keyspace.KindStream {
		x.wrongType()
		return
	}
	s := e.Stream()
	if s.Length() > 0 {
		if id.Less(s.LastValidID()) {
			x.err("ERR The ID specified in XSETID is smaller than the target stream top item")
			return
		}
		if added != -1 && s.Length() > uint64(added) {
			x.err("ERR The entries_added specified in XSETID is smaller than the target stream length")
			return
		}
	}
	x.db.Modify(e)
	s = e.Stream()
	s.LastID = id
	if added != -1 {
		s.EntriesAdded = uint64(added)
	}
	if !maxDel.IsZero() {
		s.MaxDeletedID = maxDel
	}
	x.ok()
	x.changed(1)
	x.notify(notifyStream, "xsetid", key)
}
