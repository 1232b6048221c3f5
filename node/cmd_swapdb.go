package node

import "math"

func init() {
	register(&command{name: "swapdb", arity: 3, flags: cWrite | cFast, acl: "@keyspace @write @fast @dangerous", fn: cmdSwapDB,
		summary: "Swaps two Redis databases", group: "server", since: "4.0.0"})
}

// SWAPDB index1 index2
//
// As Redis 7.0.15's dbSwapDatabases: clients stay on their database
// number and see the other contents; WATCHers of a key that exists on
// either side fail their EXEC; clients blocked on a key that the
// swapped-in database holds are served after the command. No keyspace
// event; the command replicates as it is.
func cmdSwapDB(x *cmdCtx) {
	id1, ok1 := parseDBIndexArg(x.args[1])
	if !ok1 {
		x.err("ERR invalid first DB index")
		return
	}
	id2, ok2 := parseDBIndexArg(x.args[2])
	if !ok2 {
		x.err("ERR invalid second DB index")
		return
	}
	n := x.n
	if id1 < 0 || id1 >= n.ks.Len() || id2 < 0 || id2 >= n.ks.Len() {
		x.err(errDBIndex)
		return
	}
	if id1 != id2 {
		n.touchWatchedSwap(id1, id2, x.now)
		n.touchWatchedSwap(id2, id1, x.now)
		// XREADGROUP readers of a stream the swap takes away learn it.
		n.signalDeletedStreams(n.ks.DB(id1), n.ks.DB(id2))
		n.signalDeletedStreams(n.ks.DB(id2), n.ks.DB(id1))
		n.ks.SwapDBs(id1, id2)
		n.signalDBReady(id1)
		n.signalDBReady(id2)
	}
	x.changed(1)
	x.ok()
}

// parseDBIndexArg reads a database index as getIntFromObjectOrReply does:
// an integer that fits a C int.
func parseDBIndexArg(b []byte) (int, bool) {
	v, ok := parseInt(b)
	if !ok || v < math.MinInt32 || v > math.MaxInt32 {
		return 0, false
	}
	return int(v), true
}

// signalDBReady marks every key of db that clients block on and that now
// exists as ready (scanDatabaseForReadyKeys): a swap may have brought it.
func (n *Node) signalDBReady(db int) {
	for wk := range n.keyWaits.byKey {
		if wk.db == db && n.ks.DB(db).PeekString(wk.key) != nil {
			n.signalKeyAsReady(db, wk.key)
		}
	}
}
