package rdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
)

// Streams as Redis 7.0 saves them (rdbSaveObject, RDB_TYPE_STREAM_LISTPACKS_2
// = 19): the radix-tree nodes (master ID as a 16-byte big-endian string,
// then the node's listpack), the length, last ID, first ID, max deleted ID,
// entries added, then the consumer groups with their pending entries and
// consumers. Types 15 (Redis 5-6.2) and 21 (7.4) are read too.

// StreamEntry is one entry of a node, a tombstone when Deleted. FV holds
// fields and values alternately, the field names included even when
// SameFields says the entry shares its node's master fields.
type StreamEntry struct {
	ID         StreamID
	FV         [][]byte
	Deleted    bool
	SameFields bool
}

// StreamNode is one listpack node: its master entry and its entries.
type StreamNode struct {
	Master       StreamID
	MasterFields [][]byte
	Entries      []StreamEntry
}

// StreamNACK is a pending entry of a group.
type StreamNACK struct {
	ID            StreamID
	DeliveryTime  int64
	DeliveryCount uint64
}

// StreamConsumer is a consumer and the IDs of its pending entries.
type StreamConsumer struct {
	Name     []byte
	SeenTime int64
	PEL      []StreamID
}

// StreamGroup is a consumer group.
type StreamGroup struct {
	Name        []byte
	LastID      StreamID
	EntriesRead int64 // -1: unknown
	PEL         []StreamNACK
	Consumers   []StreamConsumer
}

// Stream is a stream value.
type Stream struct {
	Nodes        []StreamNode
	Length       uint64
	LastID       StreamID
	FirstID      StreamID
	MaxDeletedID StreamID
	EntriesAdded uint64
	Groups       []StreamGroup
	// Legacy marks a stream read from type 15 (Redis before 7.0): its
	// groups' EntriesRead are to be estimated from their last IDs once
	// the stream is built, as rdbLoadObject does.
	Legacy bool
}

// Stream entry flags in a listpack.
const (
	streamFlagDeleted    = 1
	streamFlagSameFields = 2
)

// WriteStream writes a key holding a stream (type 19).
func (e *Encoder) WriteStream(key []byte, expireAt int64, s *Stream) error {
	if err := e.ready(); err != nil {
		return err
	}
	e.beginKey(rdbStream2, key, expireAt)
	e.buf = AppendStreamValue(e.buf, s)
	return e.maybeFlush()
}

// AppendStreamValue appends a stream's type-19 payload (what follows the
// type byte and key), its strings uncompressed.
func AppendStreamValue(b []byte, s *Stream) []byte {
	return appendStreamValue(b, s, appendRDBString)
}

// Stream appends a stream's type-19 value as DUMP carries it: its
// listpacks and names as rdbSaveRawString writes them (LZF when the
// payload was started with compression).
func (d *Dump) Stream(s *Stream) {
	d.b = appendStreamValue(d.b, s, func(b, str []byte) []byte {
		d.b = b
		d.String(str)
		return d.b
	})
}

// appendStreamValue writes the value with str appending each string (the
// nodes' listpacks, group and consumer names).
func appendStreamValue(b []byte, s *Stream, str func(b, s []byte) []byte) []byte {
	b = appendLen(b, uint64(len(s.Nodes)))
	for i := range s.Nodes {
		n := &s.Nodes[i]
		b = appendLen(b, 16)
		b = appendRawID(b, n.Master)
		b = str(b, AppendStreamListpack(nil, n))
	}
	for _, v := range []uint64{s.Length, s.LastID.Ms, s.LastID.Seq, s.FirstID.Ms, s.FirstID.Seq,
		s.MaxDeletedID.Ms, s.MaxDeletedID.Seq, s.EntriesAdded, uint64(len(s.Groups))} {
		b = appendLen(b, v)
	}
	for i := range s.Groups {
		g := &s.Groups[i]
		b = str(b, g.Name)
		b = appendLen(b, g.LastID.Ms)
		b = appendLen(b, g.LastID.Seq)
		b = appendLen(b, uint64(g.EntriesRead))
		b = appendLen(b, uint64(len(g.PEL)))
		for _, n := range g.PEL {
			b = appendRawID(b, n.ID)
			b = binary.LittleEndian.AppendUint64(b, uint64(n.DeliveryTime))
			b = appendLen(b, n.DeliveryCount)
		}
		b = appendLen(b, uint64(len(g.Consumers)))
		for _, c := range g.Consumers {
			b = str(b, c.Name)
			b = binary.LittleEndian.AppendUint64(b, uint64(c.SeenTime))
			b = appendLen(b, uint64(len(c.PEL)))
			for _, id := range c.PEL {
				b = appendRawID(b, id)
			}
		}
	}
	return b
}

// appendRDBString appends a string as rdbSaveRawString does, without LZF.
func appendRDBString(b, s []byte) []byte {
	if len(s) <= 11 {
		if v, ok := parseCanonicalInt(s); ok {
			if out, fits := appendIntEncoded(b, v); fits {
				return out
			}
		}
	}
	b = appendLen(b, uint64(len(s)))
	return append(b, s...)
}

func appendRawID(b []byte, id StreamID) []byte {
	b = binary.BigEndian.AppendUint64(b, id.Ms)
	return binary.BigEndian.AppendUint64(b, id.Seq)
}

// AppendStreamListpack appends a node's listpack, laid out as
// streamAppendItem builds it.
func AppendStreamListpack(b []byte, n *StreamNode) []byte {
	start := len(b)
	b = append(b, 0, 0, 0, 0, 0, 0)
	count := 0
	add := func(v []byte) { b = lpAppendString(b, v); count++ }
	addInt := func(v int64) { b = lpAppendInt(b, v); count++ }
	live := 0
	for _, e := range n.Entries {
		if !e.Deleted {
			live++
		}
	}
	addInt(int64(live))
	addInt(int64(len(n.Entries) - live))
	addInt(int64(len(n.MasterFields)))
	for _, f := range n.MasterFields {
		add(f)
	}
	addInt(0)
	for _, e := range n.Entries {
		flags := int64(0)
		if e.Deleted {
			flags |= streamFlagDeleted
		}
		if e.SameFields {
			flags |= streamFlagSameFields
		}
		addInt(flags)
		addInt(int64(e.ID.Ms - n.Master.Ms))
		addInt(int64(e.ID.Seq - n.Master.Seq))
		nf := int64(len(e.FV) / 2)
		lpCount := nf + 3
		if !e.SameFields {
			addInt(nf)
			lpCount += nf + 1
		}
		for i := 0; i+1 < len(e.FV); i += 2 {
			if !e.SameFields {
				add(e.FV[i])
			}
			add(e.FV[i+1])
		}
		addInt(lpCount)
	}
	b = append(b, lpEOF)
	binary.LittleEndian.PutUint32(b[start:], uint32(len(b)-start))
	if count > 65535 {
		count = 65535
	}
	binary.LittleEndian.PutUint16(b[start+4:], uint16(count))
	return b
}

// lpAppendString appends a whole listpack entry for s (its encoding, an
// integer when s is a canonical one, then its back-length).
func lpAppendString(b, s []byte) []byte {
	start := len(b)
	b = lpEncode(b, s)
	return lpAppendBacklen(b, uint64(len(b)-start))
}

// lpAppendInt appends a whole listpack entry for v in its smallest
// integer encoding.
func lpAppendInt(b []byte, v int64) []byte {
	start := len(b)
	b = lpEncodeInt(b, v)
	return lpAppendBacklen(b, uint64(len(b)-start))
}

var errStreamLP = errors.New("malformed stream listpack")

// DecodeStreamValue decodes a stream payload of type t (15, 19 or 21) as
// AppendStreamValue writes it (what follows the type byte: a DUMP
// payload's body) and returns it with the number of bytes read.
func DecodeStreamValue(t byte, payload []byte) (*Stream, int64, error) {
	if t != rdbStreamListpacks && t != rdbStream2 && t != rdbStream3 {
		return nil, 0, fmt.Errorf("rdb: type %d is not a stream", t)
	}
	d := NewDecoder(bytes.NewReader(payload))
	s, err := d.readStream(t)
	if err != nil {
		return nil, d.Read(), fmt.Errorf("rdb: stream payload: %w", err)
	}
	return s, d.Read(), nil
}

// readStream reads a stream value of type t (15, 19 or 21).
func (d *Decoder) readStream(t byte) (*Stream, error) {
	s := &Stream{}
	nodes, err := d.readLen()
	if err != nil {
		return nil, err
	}
	for ; nodes > 0; nodes-- {
		key, err := d.readString()
		if err != nil {
			return nil, err
		}
		if len(key) != 16 {
			return nil, fmt.Errorf("stream node key of %d bytes: %w", len(key), errStreamLP)
		}
		lp, err := d.readString()
		if err != nil {
			return nil, err
		}
		master := StreamID{binary.BigEndian.Uint64(key), binary.BigEndian.Uint64(key[8:])}
		n, err := parseStreamListpack(master, lp)
		if err != nil {
			return nil, err
		}
		s.Nodes = append(s.Nodes, n)
	}
	meta := make([]uint64, 3, 8)
	if t != rdbStreamListpacks {
		meta = meta[:8]
	}
	for i := range meta {
		if meta[i], err = d.readLen(); err != nil {
			return nil, err
		}
	}
	s.Length, s.LastID = meta[0], StreamID{meta[1], meta[2]}
	if t != rdbStreamListpacks {
		s.FirstID = StreamID{meta[3], meta[4]}
		s.MaxDeletedID = StreamID{meta[5], meta[6]}
		s.EntriesAdded = meta[7]
	} else {
		s.EntriesAdded = s.Length
		s.FirstID = firstLiveID(s)
		s.Legacy = true
	}
	groups, err := d.readLen()
	if err != nil {
		return nil, err
	}
	for ; groups > 0; groups-- {
		g, err := d.readStreamGroup(t)
		if err != nil {
			return nil, err
		}
		s.Groups = append(s.Groups, g)
	}
	return s, nil
}

func firstLiveID(s *Stream) StreamID {
	for _, n := range s.Nodes {
		for _, e := range n.Entries {
			if !e.Deleted {
				return e.ID
			}
		}
	}
	return StreamID{}
}

func (d *Decoder) readRawID() (StreamID, error) {
	p, err := d.rd.next(16)
	if err != nil {
		return StreamID{}, err
	}
	return StreamID{binary.BigEndian.Uint64(p), binary.BigEndian.Uint64(p[8:])}, nil
}

func (d *Decoder) readMillis() (int64, error) {
	p, err := d.rd.next(8)
	if err != nil {
		return 0, err
	}
	return int64(binary.LittleEndian.Uint64(p)), nil
}

func (d *Decoder) readStreamGroup(t byte) (StreamGroup, error) {
	var g StreamGroup
	var err error
	if g.Name, err = d.readString(); err != nil {
		return g, err
	}
	ids := 2
	if t != rdbStreamListpacks {
		ids = 3
	}
	vals := make([]uint64, ids)
	for i := range vals {
		if vals[i], err = d.readLen(); err != nil {
			return g, err
		}
	}
	g.LastID = StreamID{vals[0], vals[1]}
	g.EntriesRead = -1
	if t != rdbStreamListpacks {
		g.EntriesRead = int64(vals[2])
	}
	pel, err := d.readLen()
	if err != nil {
		return g, err
	}
	for ; pel > 0; pel-- {
		var n StreamNACK
		if n.ID, err = d.readRawID(); err != nil {
			return g, err
		}
		if n.DeliveryTime, err = d.readMillis(); err != nil {
			return g, err
		}
		if n.DeliveryCount, err = d.readLen(); err != nil {
			return g, err
		}
		g.PEL = append(g.PEL, n)
	}
	consumers, err := d.readLen()
	if err != nil {
		return g, err
	}
	for ; consumers > 0; consumers-- {
		var c StreamConsumer
		if c.Name, err = d.readString(); err != nil {
			return g, err
		}
		if c.SeenTime, err = d.readMillis(); err != nil {
			return g, err
		}
		if t == rdbStream3 { // 7.4: the active time follows
			if _, err = d.readMillis(); err != nil {
				return g, err
			}
		}
		n, err := d.readLen()
		if err != nil {
			return g, err
		}
		for ; n > 0; n-- {
			id, err := d.readRawID()
			if err != nil {
				return g, err
			}
			c.PEL = append(c.PEL, id)
		}
		g.Consumers = append(g.Consumers, c)
	}
	return g, nil
}

// parseStreamListpack decodes one node's listpack.
func parseStreamListpack(master StreamID, lp []byte) (StreamNode, error) {
	n := StreamNode{Master: master}
	els, err := appendListpack(nil, lp)
	if err != nil {
		return n, err
	}
	p := 0
	next := func() ([]byte, error) {
		if p >= len(els) {
			return nil, errStreamLP
		}
		p++
		return els[p-1], nil
	}
	nextInt := func() (int64, error) {
		b, err := next()
		if err != nil {
			return 0, err
		}
		v, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			return 0, errStreamLP
		}
		return v, nil
	}
	live, err := nextInt()
	if err != nil {
		return n, err
	}
	deleted, err := nextInt()
	if err != nil {
		return n, err
	}
	nf, err := nextInt()
	if err != nil || nf < 0 || nf > int64(len(els)) {
		return n, errStreamLP
	}
	for range nf {
		f, err := next()
		if err != nil {
			return n, err
		}
		n.MasterFields = append(n.MasterFields, f)
	}
	if z, err := nextInt(); err != nil || z != 0 {
		return n, errStreamLP
	}
	total := live + deleted
	if total < 0 || total > int64(len(els)) {
		return n, errStreamLP
	}
	for range total {
		flags, err := nextInt()
		if err != nil {
			return n, err
		}
		dms, err := nextInt()
		if err != nil {
			return n, err
		}
		dseq, err := nextInt()
		if err != nil {
			return n, err
		}
		e := StreamEntry{ID: StreamID{master.Ms + uint64(dms), master.Seq + uint64(dseq)},
			Deleted: flags&streamFlagDeleted != 0, SameFields: flags&streamFlagSameFields != 0}
		fields := n.MasterFields
		if !e.SameFields {
			k, err := nextInt()
			if err != nil || k < 0 || k > int64(len(els)) {
				return n, errStreamLP
			}
			fields = nil
			for range k {
				f, err := next()
				if err != nil {
					return n, err
				}
				fields = append(fields, f)
				v, err := next()
				if err != nil {
					return n, err
				}
				e.FV = append(e.FV, f, v)
			}
		} else {
			for _, f := range fields {
				v, err := next()
				if err != nil {
					return n, err
				}
				e.FV = append(e.FV, f, v)
			}
		}
		if _, err := nextInt(); err != nil { // lp-count
			return n, err
		}
		n.Entries = append(n.Entries, e)
	}
	if p != len(els) {
		return n, errStreamLP
	}
	return n, nil
}
