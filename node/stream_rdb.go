package node

import (
	"github.com/replscope/replscope/node/keyspace"
	"github.com/replscope/replscope/node/rdb"
)

// Converting streams between the keyspace and the RDB codec: node by
// node, so that a stream saved and loaded keeps its layout (and what ~
// trimming and XINFO's radix-tree-keys see), as Redis's does.

// streamToRDB returns s in the codec's form (RDB saving, full sync, DUMP).
func streamToRDB(s *keyspace.Stream) *rdb.Stream {
	out := &rdb.Stream{Length: s.Length(), LastID: rdb.StreamID(s.LastID), FirstID: rdb.StreamID(s.FirstID),
		MaxDeletedID: rdb.StreamID(s.MaxDeletedID), EntriesAdded: s.EntriesAdded}
	for _, n := range s.Nodes() {
		rn := rdb.StreamNode{Master: rdb.StreamID(n.Master), MasterFields: n.MasterFields,
			Entries: make([]rdb.StreamEntry, len(n.Entries))}
		for i, e := range n.Entries {
			rn.Entries[i] = rdb.StreamEntry{ID: rdb.StreamID(e.ID), FV: e.FV, Deleted: e.Deleted, SameFields: e.SameFields}
		}
		out.Nodes = append(out.Nodes, rn)
	}
	for _, g := range s.Groups() {
		rg := rdb.StreamGroup{Name: []byte(g.Name), LastID: rdb.StreamID(g.LastID), EntriesRead: g.EntriesRead}
		for _, id := range g.PEL.IDs() {
			n := g.NACK(id)
			rg.PEL = append(rg.PEL, rdb.StreamNACK{ID: rdb.StreamID(id), DeliveryTime: n.DeliveryTime, DeliveryCount: n.DeliveryCount})
		}
		for _, c := range g.Consumers() {
			rc := rdb.StreamConsumer{Name: []byte(c.Name), SeenTime: c.SeenTime}
			for _, id := range c.PEL.IDs() {
				rc.PEL = append(rc.PEL, rdb.StreamID(id))
			}
			rg.Consumers = append(rg.Consumers, rc)
		}
		out.Groups = append(out.Groups, rg)
	}
	return out
}

// streamFromRDB builds a keyspace stream from its decoded form. The
// length is the count of live entries in the nodes (the file's own count
// agrees unless it is corrupt). Pending entries a consumer claims but its
// group does not list are dropped.
func streamFromRDB(r *rdb.Stream) *keyspace.Stream {
	s := keyspace.NewStream()
	for _, n := range r.Nodes {
		entries := make([]keyspace.StreamEntry, len(n.Entries))
		for i, e := range n.Entries {
			entries[i] = keyspace.StreamEntry{ID: keyspace.StreamID(e.ID), FV: e.FV, Deleted: e.Deleted, SameFields: e.SameFields}
		}
		s.AddNode(keyspace.StreamID(n.Master), n.MasterFields, entries)
	}
	s.LastID, s.FirstID = keyspace.StreamID(r.LastID), keyspace.StreamID(r.FirstID)
	s.MaxDeletedID, s.EntriesAdded = keyspace.StreamID(r.MaxDeletedID), r.EntriesAdded
	for _, rg := range r.Groups {
		read := rg.EntriesRead
		if r.Legacy {
			read = s.EstimateDistance(keyspace.StreamID(rg.LastID))
		}
		g := s.CreateGroup(rg.Name, keyspace.StreamID(rg.LastID), read)
		if g == nil {
			continue
		}
		for _, n := range rg.PEL {
			g.AddNACK(keyspace.StreamID(n.ID), &keyspace.StreamNACK{DeliveryTime: n.DeliveryTime, DeliveryCount: n.DeliveryCount})
		}
		for _, rc := range rg.Consumers {
			c := g.CreateConsumer(rc.Name, rc.SeenTime)
			if c == nil {
				continue
			}
			for _, id := range rc.PEL {
				if n := g.NACK(keyspace.StreamID(id)); n != nil {
					g.Assign(keyspace.StreamID(id), n, c)
				}
			}
		}
	}
	return s
}

func init() {
	registerDumpCodec(dumpCodec{kind: keyspace.KindStream, rdbTypes: []byte{rdb.DumpStream, rdb.DumpStreamV1},
		encode: dumpStream, decode: restoreStream})
}

// dumpStream is a stream's DUMP payload: type 19 and the value as
// Redis 7.0.15's rdbSaveObject writes it, listpacks and names through
// rdbSaveRawString (LZF with rdbcompression).
func dumpStream(o keyspace.Object, compress bool) ([]byte, error) {
	d := rdb.NewDump(rdb.DumpStream, compress)
	d.Stream(streamToRDB(o.(*keyspace.Stream)))
	return d.Bytes(), nil
}

// restoreStream reads a verified stream payload (type byte first).
func restoreStream(body []byte) (keyspace.Object, error) {
	s, _, err := rdb.DecodeStreamValue(body[0], body[1:])
	if err != nil {
		return nil, err
	}
	return streamFromRDB(s), nil
}
