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

// Commands that panic, for the panic guard's tests (crash_test.go): one
// that cannot change the dataset and one that changes a key first.
func init() {
	testCommands = map[string]*command{
		"x-panic-read": {name: "x-panic-read", arity: 2, flags: cReadOnly, firstKey: 1, lastKey: 1, step: 1,
			fn: func(x *cmdCtx) {
				x.lookupRead(x.args[1])
				x.bulkStr("partial reply that must not reach the client")
				panic("x-panic-read: deliberate")
			}},
		"x-panic-write": {name: "x-panic-write", arity: 2, flags: cWrite, firstKey: 1, lastKey: 1, step: 1,
			fn: func(x *cmdCtx) {
				x.db.Add(copyBytes(x.args[1]), []byte("half"), nil, 0)
				x.touch(x.args[1])
				panic("x-panic-write: deliberate")
			}},
	}
}
