// Package script parses replscope scenario scripts: one step per line,
// "verb args", '#' comments. Parsing is pure: it reads bytes and returns
// typed steps or the first error with its file, line and column.
package script

import (
	"fmt"
	"time"
)

// Defaults applied when an optional argument is omitted.
const (
	DefaultWriteSize   = 100              // write: bytes per value
	DefaultLoadRate    = 1000             // load on: writes per second
	DefaultWaitTimeout = 10 * time.Second // wait synced / wait link / wait acked
)

// Script is a parsed scenario.
type Script struct {
	Name        string // the file name without directory and extension
	Title       string // the first line of the leading comment block
	Description string // the following comment lines, joined with spaces
	Steps       []Step
}

// Pos is a position in a script; Line and Col are 1-based, Col counts bytes.
type Pos struct {
	File      string
	Line, Col int
}

// String renders the position as file:line:col.
func (p Pos) String() string {
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Verb identifies what a step does; sub-verbs such as "expect role" have
// their own Verb.
type Verb int

// The verbs of the language. The comment of each names the fields of Step
// it sets.
const (
	VerbInvalid          Verb = iota
	VerbNode                  // node a b c [redis [cluster]]: Nodes, Redis, Cluster
	VerbConfig                // config <node> <directive> <value...>: Node, Directive, Values
	VerbReplicaOf             // replicaof <node> <node> | <node> no one: Node, Target or NoOne
	VerbPromote               // promote <node>: Node
	VerbWrite                 // write <node> <count> [size]: Node, Count, Size
	VerbSet                   // set <node> <key> <value> [ttl]: Node, Key, Value, TTL
	VerbLoad                  // load <node> on [ops/s] | off: Node, On, Rate
	VerbCut                   // cut <node>: Node
	VerbHeal                  // heal <node>: Node
	VerbPause                 // pause <node>: Node
	VerbResume                // resume <node>: Node
	VerbKill                  // kill <node>: Node
	VerbRestart               // restart <node>: Node
	VerbSleep                 // sleep <dur>: Dur
	VerbWaitSynced            // wait synced <node>... [timeout]: Nodes, Timeout
	VerbWaitLink              // wait link <node> up|down [timeout]: Node, LinkUp, Timeout
	VerbWaitAcked             // wait acked <node> <n> [timeout]: Node, Count, Timeout
	VerbExpectRole            // expect <node> role master|replica: Node, Role
	VerbExpectSync            // expect <node> sync full|partial: Node, Sync
	VerbExpectKey             // expect <node> key <k> = <v>|nil: Node, Key, Value or Nil
	VerbExpectKeys            // expect <node> keys <n>: Node, Count
	VerbExpectConsistent      // expect consistent <node>...: Nodes
	VerbExpectAlert           // expect <node> alert <name>: Node, Alert
	VerbSay                   // say "caption": Caption
	VerbSentinel              // sentinel <name> monitor <node> [quorum <n>]: Node, Target, Count
	VerbFailover              // failover <sentinel> | failover <node> [force|takeover]: Node, Mode
	VerbWaitMaster            // wait master <sentinel> <node> [timeout]: Node, Target, Timeout
	VerbWaitEvent             // wait event <sentinel> <event> [timeout]: Node, Value, Timeout
)

var verbNames = [...]string{
	VerbInvalid:          "invalid",
	VerbNode:             "node",
	VerbConfig:           "config",
	VerbReplicaOf:        "replicaof",
	VerbPromote:          "promote",
	VerbWrite:            "write",
	VerbSet:              "set",
	VerbLoad:             "load",
	VerbCut:              "cut",
	VerbHeal:             "heal",
	VerbPause:            "pause",
	VerbResume:           "resume",
	VerbKill:             "kill",
	VerbRestart:          "restart",
	VerbSleep:            "sleep",
	VerbWaitSynced:       "wait synced",
	VerbWaitLink:         "wait link",
	VerbWaitAcked:        "wait acked",
	VerbExpectRole:       "expect role",
	VerbExpectSync:       "expect sync",
	VerbExpectKey:        "expect key",
	VerbExpectKeys:       "expect keys",
	VerbExpectConsistent: "expect consistent",
	VerbExpectAlert:      "expect alert",
	VerbFailover:         "failover",
	VerbSay:              "say",
	VerbSentinel:         "sentinel",
	VerbWaitMaster:       "wait master",
	VerbWaitEvent:        "wait event",
}

// String names the verb as written in scripts, e.g. "write" or "expect role".
func (v Verb) String() string {
	if v < 0 || int(v) >= len(verbNames) {
		return fmt.Sprintf("Verb(%d)", int(v))
	}
	return verbNames[v]
}

// Values of Step.Role and Step.Sync.
const (
	RoleMaster  = "master"
	RoleReplica = "replica"
	SyncFull    = "full"
	SyncPartial = "partial"
)

// Step is one parsed line. Verb says which of the typed fields are set.
type Step struct {
	Pos  Pos
	Verb Verb

	Nodes     []string      // node, wait synced, expect consistent
	Redis     bool          // node ... redis: real redis-server processes
	Cluster   bool          // node ... redis cluster: in cluster mode, joined as one Redis Cluster
	Mode      string        // failover: "", "force" or "takeover"
	Node      string        // the node the step acts on or checks
	Target    string        // replicaof: the new master
	NoOne     bool          // replicaof <node> no one
	Directive string        // config: redis.conf directive, lower case
	Values    []string      // config: the directive's arguments
	Count     int           // write: keys to write; expect keys: DBSIZE; wait acked: replicas
	Size      int64         // write: bytes per value
	On        bool          // load on|off
	Rate      int           // load on: writes per second
	Dur       time.Duration // sleep
	Timeout   time.Duration // wait synced, wait link, wait acked
	LinkUp    bool          // wait link: up (true) or down
	Role      string        // expect role: RoleMaster or RoleReplica
	Sync      string        // expect sync: SyncFull or SyncPartial
	Key       string        // set, expect key
	Value     string        // set: the value; expect key: expected value unless Nil
	TTL       time.Duration // set: time to live, 0 for none
	Nil       bool          // expect key ... = nil: the key must be absent
	Alert     string        // expect alert: alert name
	Caption   string        // say

	Text string // the source line without leading space and trailing comment
}
