package node

import (
	"bytes"

	"github.com/replscope/replscope/node/keyspace"
)

// LoadRDBForBench loads an RDB image into a fresh keyspace (benchmarks).
func LoadRDBForBench(data []byte) (int64, error) {
	ks := keyspace.New(16)
	res, err := loadRDB(bytes.NewReader(data), ks, 0, true, nil)
	return res.keys, err
}
