package node

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// cmdStat is one command's line in INFO commandstats.
type cmdStat struct {
	calls    int64
	usec     int64
	rejected int64 // refused before running (arity, auth, READONLY, ...)
	failed   int64 // ran and replied with an error
}

// cmdStatFor returns the counters of the command args name; a container
// (CLIENT, CONFIG, ...) counts per subcommand as Redis does ("client|id"),
// and an unknown subcommand counts nowhere (nil). Callers hold the lock.
func (n *Node) cmdStatFor(cmd *command, args [][]byte) *cmdStat {
	if !cmd.container {
		if n.stats.cmds == nil {
			n.stats.cmds = make([]cmdStat, len(commandTable))
		}
		if cmd.id < len(n.stats.cmds) {
			return &n.stats.cmds[cmd.id]
		}
		return nil
	}
	name := fullName(cmd, args)
	if name == "" {
		return nil
	}
	if n.stats.subCmds == nil {
		n.stats.subCmds = map[string]*cmdStat{}
	}
	st := n.stats.subCmds[name]
	if st == nil {
		st = &cmdStat{}
		n.stats.subCmds[name] = st
	}
	return st
}

// fullName is the name Redis 7.0 gives the command args run: its own,
// or "container|subcommand" ("client|list"); "" for a container with an
// unknown or missing subcommand (Redis has no command for it).
func fullName(cmd *command, args [][]byte) string {
	if !cmd.container {
		return cmd.name
	}
	if len(args) >= 2 {
		for _, s := range cmd.subs {
			if eqFold(args[1], s) {
				return cmd.name + "|" + s
			}
		}
	}
	return ""
}

// noteRejected counts a command refused before it ran (Redis's
// rejectCommand: rejected_calls).
func (n *Node) noteRejected(cmd *command, args [][]byte) {
	if st := n.cmdStatFor(cmd, args); st != nil {
		st.rejected++
	}
	n.stats.prevErrors = n.stats.errorReplies
}

// noteCall counts one run of a command that took d. Like Redis's
// incrCommandStatsOnError, a call failed when it added error replies
// since the last call started or ended: so a failed command inside EXEC
// counts against that command, not EXEC. A subcommand the handler
// refused for its arity (rejected) counts as Redis's refusal does.
func (n *Node) noteCall(cmd *command, args [][]byte, d time.Duration, rejected bool) {
	if rejected {
		n.noteRejected(cmd, args)
		return
	}
	failed := n.stats.errorReplies > n.stats.prevErrors
	n.stats.prevErrors = n.stats.errorReplies
	st := n.cmdStatFor(cmd, args)
	if st == nil {
		return
	}
	st.calls++
	st.usec += d.Microseconds()
	if failed {
		st.failed++
	}
}

// infoCommandStats renders INFO commandstats, one line per command that
// was called, rejected or failed since the last CONFIG RESETSTAT.
func (n *Node) infoCommandStats(b *strings.Builder) {
	b.WriteString("# Commandstats\r\n")
	all := make(map[string]*cmdStat, len(n.stats.subCmds))
	for k, st := range n.stats.subCmds {
		all[k] = st
	}
	for _, c := range commandTable {
		if c.id < len(n.stats.cmds) {
			if st := &n.stats.cmds[c.id]; *st != (cmdStat{}) {
				all[c.name] = st
			}
		}
	}
	names := make([]string, 0, len(all))
	for k := range all {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		st := all[k]
		perCall := 0.0
		if st.calls > 0 {
			perCall = float64(st.usec) / float64(st.calls)
		}
		b.WriteString("cmdstat_" + k + ":calls=" + strconv.FormatInt(st.calls, 10) +
			",usec=" + strconv.FormatInt(st.usec, 10) +
			",usec_per_call=" + strconv.FormatFloat(perCall, 'f', 2, 64) +
			",rejected_calls=" + strconv.FormatInt(st.rejected, 10) +
			",failed_calls=" + strconv.FormatInt(st.failed, 10) + "\r\n")
	}
}
