package node

import (
	"strconv"

	"github.com/replscope/replscope/node/keyspace"
)

// loadEncodingConfig reads the encoding thresholds the keyspace follows
// from the configuration, at start and after CONFIG SET. Sorted sets read
// them at each insertion, as Redis reads server.zset_max_listpack_*: a new
// limit applies to the next element added, existing sets are not
// converted.
func (n *Node) loadEncodingConfig() {
	n.zsetLimits.Set(n.cfgInt("zset-max-listpack-entries", keyspace.MaxListpackEntries),
		n.cfgInt("zset-max-listpack-value", keyspace.MaxListpackValue))
	n.ks.SetZSetLimits(&n.zsetLimits)
}

// cfgInt returns a numeric directive's value, or def when it has none.
func (n *Node) cfgInt(name string, def int64) int64 {
	s, _ := n.cfg.Value(name)
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return def
	}
	return v
}

// newZSet returns an empty sorted set under the node's configured limits.
func (n *Node) newZSet() *keyspace.ZSet { return keyspace.NewZSetWith(&n.zsetLimits) }
