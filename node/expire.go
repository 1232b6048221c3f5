package node

import (
	"time"

	"github.com/replscope/replscope/node/keyspace"
)

// expireEntry deletes a key whose TTL passed, on a master, and replicates
// the deletion as DEL. Callers hold the lock.
func (n *Node) expireEntry(db *keyspace.DB, e *keyspace.Entry) {
	key := e.Key()
	db.DeleteEntry(e)
	n.stats.expiredKeys++
	n.dirty++
	n.notify(notifyExpired, "expired", []byte(key), db.ID())
	if len(n.watchers) > 0 {
		n.touchWatched(db.ID(), []byte(key))
	}
	n.propagateDelLocked(db.ID(), key)
}

// Active expiry parameters, as Redis's activeExpireCycleLocked (slow cycle):
// sample 20 keys with a TTL per database, go on while more than 10% of a
// sample expired, and spend at most 25% of each 100 ms cron period.
const (
	expireSample      = 20
	expireAcceptable  = 10 // percent
	expireCycleBudget = 25 * time.Millisecond
)

// activeExpireCycleLocked deletes expired keys by sampling. Only masters run it:
// replicas wait for their master's DELs. It runs under the lock, in short
// slices so that clients are not held up.
func (n *Node) activeExpireCycleLocked(start time.Time) {
	if n.isReplica() || !n.activeExpire {
		return
	}
	deadline := start.Add(expireCycleBudget)
	for dbi := 0; dbi < n.ks.Len(); dbi++ {
		db := n.ks.DB(dbi)
		for db.Expires() > 0 {
			now := n.nowMs()
			sampled, expired := 0, 0
			for i := 0; i < expireSample && db.Expires() > 0; i++ {
				e := db.RandomTTLEntry(n.rng)
				sampled++
				if e.Expired(now) {
					n.expireEntry(db, e)
					n.flushPropagationLocked(false)
					expired++
				}
			}
			if sampled == 0 || expired*100/sampled <= expireAcceptable {
				break
			}
			if time.Now().After(deadline) {
				return
			}
		}
	}
}
