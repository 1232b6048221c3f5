package node

import (
	"slices"

	"github.com/replscope/replscope/node/keyspace"
	"github.com/replscope/replscope/node/rdb"
)

// Converting streams between the keyspace and the RDB codec: node by
// node, so that a stream saved and loaded keeps its layout (and what ~
// trimming and XINFO's radix-tree-keys see), as Redis's does. IDs and
// entries are the same types on both sides (rdb.StreamID, rdb.StreamEntry).

// streamToRDB returns s in the codec's form (RDB saving, full sync, DUMP).
func streamToRDB(s *keyspace.Stream) *rdb.Stream {
	out := &rdb.Stream{Length: s.Length(), LastID: s.LastID, FirstID: s.FirstID,
		MaxDeletedID: s.MaxDeletedID, EntriesAdded: s.EntriesAdded}
	for _, n := range s.Nodes() {
		out.Nodes = append(out.Nodes, rdb.StreamNode{Master: n.Master, MasterFields: n.MasterFields,
			Entries: slices.Clone(n.Entries)})
	}
	for _, g := range s.Groups() {
		rg := rdb.StreamGroup{Name: []byte(g.Name), LastID: g.LastID, EntriesRead: g.EntriesRead}
		for _, id := range g.PEL.IDs() {
			n := g.NACK(id)
			rg.PEL = append(rg.PEL, rdb.StreamNACK{ID: id, DeliveryTime: n.DeliveryTime, DeliveryCount: n.DeliveryCount})
		}
		for _, c := range g.Consumers() {
			rg.Consumers = append(rg.Consumers, rdb.StreamConsumer{Name: []byte(c.Name), SeenTime: c.SeenTime,
				PEL: slices.Clone(c.PEL.IDs())})
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
		s.AddNode(n.Master, n.MasterFields, slices.Clone(n.Entries))
	}
	s.LastID, s.FirstID = r.LastID, r.FirstID
	s.MaxDeletedID, s.EntriesAdded = r.MaxDeletedID, r.EntriesAdded
	for _, rg := range r.Groups {
		read := rg.EntriesRead
		if r.Legacy {
			read = s.EstimateDistance(rg.LastID)
		}
		g := s.CreateGroup(rg.Name, rg.LastID, read)
		if g == nil {
			continue
		}
		for _, n := range rg.PEL {
			g.AddNACK(n.ID, &keyspace.StreamNACK{DeliveryTime: n.DeliveryTime, DeliveryCount: n.DeliveryCount})
		}
		for _, rc := range rg.Consumers {
			c := g.CreateConsumer(rc.Name, rc.SeenTime)
			if c == nil {
				continue
			}
			for _, id := range rc.PEL {
				if n := g.NACK(id); n != nil {
					g.Assign(id, n, c)
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
