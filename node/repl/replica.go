package repl

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/replscope/replscope/internal/resp"
)

// Addr is a master's address.
type Addr struct {
	Host string
	Port int
}

func (a Addr) String() string {
	if strings.Contains(a.Host, ":") {
		return "[" + a.Host + "]:" + strconv.Itoa(a.Port)
	}
	return a.Host + ":" + strconv.Itoa(a.Port)
}

// LinkState is a replica's replication state, as ROLE names it.
type LinkState int

// The link states.
const (
	LinkNone       LinkState = iota // not a replica
	LinkConnect                     // must connect
	LinkConnecting                  // dialing
	LinkHandshake                   // PING / AUTH / REPLCONF / PSYNC exchange
	LinkTransfer                    // receiving the RDB
	LinkConnected                   // streaming
)

func (s LinkState) String() string {
	return [...]string{"none", "connect", "connecting", "handshake", "sync", "connected"}[s]
}

// SyncProgress tracks an RDB transfer from the master.
type SyncProgress struct {
	Total  int64 // bytes announced; 0 for an EOF-marked transfer of unknown size
	Read   int64
	LastIO int64 // unix ms
	Start  int64 // unix ms
}

// replicaState is the replica side: the master, the link, and what this
// node applied of the master's stream.
type replicaState struct {
	master       *Addr // nil: this node is a master
	link         LinkState
	connected    bool    // the master's client exists (streaming)
	masterDB     int     // the database the master's stream last selected
	cached       *Cached // what to ask PSYNC for
	reploff      int64   // bytes applied from the master (slave_repl_offset)
	readOff      int64   // bytes read from the master (slave_read_repl_offset)
	lastIO       int64   // unix ms of the last byte from the master
	downSince    int64   // unix ms the link went down; 0 = never up
	sync         SyncProgress
	lastSyncKind string // "full" or "partial"
	lastSyncErr  string
	psyncAt      int64  // unix ms PSYNC was sent; 0 when none is pending
	lastSyncMs   int64  // how long the last successful sync took; -1 none
	getack       bool   // the command being applied is REPLCONF GETACK
	multi        []byte // raw bytes of a MULTI block not yet counted
}

// ReplicaView is the replica side as INFO and ROLE show it.
type ReplicaView struct {
	Master       *Addr
	Link         LinkState
	Connected    bool // streaming, with a client for the master
	Cached       bool
	MasterDB     int
	Reploff      int64
	ReadOff      int64
	LastIO       int64
	DownSince    int64
	Sync         SyncProgress
	LastSyncKind string
	LastSyncErr  string
	// LastSyncMs is how long the last successful sync took, from PSYNC
	// sent to streaming (INFO last_successful_sync_duration_ms); -1 none.
	LastSyncMs int64
}

// Replica returns the replica side's state.
func (s *State) Replica() ReplicaView {
	r := &s.replica
	return ReplicaView{Master: r.master, Link: r.link, Connected: r.connected, Cached: r.cached != nil,
		MasterDB: r.masterDB, Reploff: r.reploff, ReadOff: r.readOff, LastIO: r.lastIO, DownSince: r.downSince,
		Sync: r.sync, LastSyncKind: r.lastSyncKind, LastSyncErr: r.lastSyncErr, LastSyncMs: r.lastSyncMs}
}

// IsReplica reports whether a master is set.
func (s *State) IsReplica() bool { return s.replica.master != nil }

// LinkUp reports whether the link to the master is streaming.
func (s *State) LinkUp() bool { return s.replica.link == LinkConnected }

// SyncRefusal returns the error a PSYNC or SYNC gets from this node before
// anything else is checked, or "": an intermediate replica whose link is
// down cannot serve its own replicas.
func (s *State) SyncRefusal() string {
	if s.replica.master != nil && s.replica.link != LinkConnected {
		return "NOMASTERLINK Can't SYNC while not connected with my master"
	}
	return ""
}

// SetMaster is REPLICAOF host port. A master first caches its own history
// so that it can continue partially with the new master (PROTOCOL.md §3);
// its replicas stay attached. The node has ended the old link (LinkLost).
func (s *State) SetMaster(now int64, a Addr) {
	s.now = now
	r := &s.replica
	wasMaster := r.master == nil
	r.master = &a
	if wasMaster {
		r.cached = &Cached{ReplID: s.hist.ReplID, Offset: s.hist.Offset}
		r.downSince = 0
		s.emit(Event{Kind: "role-changed", Role: "replica", Master: a.String()})
	}
	r.link = LinkConnect
	s.notice("Connecting to MASTER %s", a)
}

// Configure sets the master of a node started with the replicaof
// directive: nothing is cached, so the first sync asks PSYNC ? -1 (unless
// an RDB restores the history, Restore).
func (s *State) Configure(a Addr) {
	s.replica.master = &a
	s.replica.link = LinkConnect
}

// SameMaster reports whether a is the master already set (REPLICAOF to it
// is a no-op).
func (s *State) SameMaster(host string, port int) bool {
	m := s.replica.master
	return m != nil && strings.EqualFold(m.Host, host) && m.Port == port
}

// UnsetMaster is REPLICAOF NO ONE: the node becomes a master, keeps its
// data, shifts its replication ID (the old one stays valid up to the
// current offset) and drops its replicas so they learn the new ID. The
// node has ended the link (LinkLost).
func (s *State) UnsetMaster(now int64) {
	s.now = now
	r := &s.replica
	if r.master == nil {
		return
	}
	r.master = nil
	r.cached = nil
	r.link = LinkNone
	s.hist.Shift(s.newID())
	s.dropAll("master mode enabled")
	s.streamDB = -1
	if s.backlog == nil {
		s.createBacklog()
	}
	s.emit(Event{Kind: "role-changed", Role: "master"})
}

// SetLinkState records the link's progress (connecting, handshake).
func (s *State) SetLinkState(l LinkState) { s.replica.link = l }

// LinkLost is the connection to the master closing. db is the database
// the master's client had selected (kept for the next stream). A
// streaming link caches the master so that the next attempt can continue
// partially.
func (s *State) LinkLost(now int64, db int) {
	s.now = now
	r := &s.replica
	if r.connected {
		r.masterDB = db
	}
	if r.link == LinkConnected {
		r.cached = &Cached{ReplID: s.hist.ReplID, Offset: r.reploff}
		r.downSince = now
		s.notice("Connection with master lost.")
		s.notice("Caching the disconnected master state.")
		s.emit(Event{Kind: "link-down", Master: r.master.String()})
	}
	r.connected = false
	r.multi = r.multi[:0]
	if r.master != nil {
		r.link = LinkConnect
	}
}

// AttemptEnded is one connection attempt to the master ending (err is
// its error text, "" for none). After a protocol error, Redis trusts
// nothing it cached and asks for a full resync.
func (s *State) AttemptEnded(now int64, err string, protocolErr bool) {
	s.now = now
	r := &s.replica
	if protocolErr {
		r.cached = nil
	}
	r.link = LinkConnect
	r.sync = SyncProgress{}
	if r.downSince == 0 {
		r.downSince = now
	}
	if err != "" {
		r.lastSyncErr = err
		s.warn("%s", err)
	}
}

// PsyncArgs returns PSYNC's arguments and logs what is attempted; PSYNC
// is sent at now (the start of the sync's duration).
func (s *State) PsyncArgs(now int64) (replid, offset string) {
	s.replica.psyncAt = now
	replid, offset = s.replica.cached.Args()
	if replid != "?" {
		s.notice("Trying a partial resynchronization (request %s:%s).", replid, offset)
	} else {
		s.notice("Partial resynchronization not possible (no cached master)")
	}
	return replid, offset
}

// Continued applies +CONTINUE [newid]: the link is up at the cached
// offset. A new ID from the master shifts ours and drops our replicas so
// that they learn it (PROTOCOL.md §3).
func (s *State) Continued(now int64, newID string) {
	s.now = now
	r := &s.replica
	if r.cached != nil {
		s.hist.ReplID = r.cached.ReplID // our history is the cached master's
		r.reploff = r.cached.Offset
		r.readOff = r.cached.Offset
		s.hist.Offset = r.cached.Offset
	}
	if s.hist.AcceptContinue(newID) {
		s.notice("Master replication ID changed to %s", newID)
		s.dropAll("replication id changed")
	}
	if s.backlog == nil {
		s.createBacklog()
	}
	r.lastSyncKind = "partial"
	s.notice("Successful partial resynchronization with master.")
	s.notice("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.")
	s.emit(Event{Kind: "partial-sync-finished", Master: r.master.String(), Offset: r.reploff})
}

// TransferStarted is the RDB's header read: size bytes follow, or an
// EOF-marked payload of unknown size when size < 0.
func (s *State) TransferStarted(now int64, size int64) {
	s.now = now
	s.replica.link = LinkTransfer
	s.replica.sync = SyncProgress{Total: max(size, 0), Start: now, LastIO: now}
}

// Received counts k bytes of RDB read from the master, got in all.
func (s *State) Received(now int64, got int64, k int) {
	r := &s.replica
	r.sync.Read = got
	r.sync.LastIO = now
	r.lastIO = now
	s.Stats.ReplInputBytes += int64(k)
}

// TransferFailed is a loaded RDB that failed: the old dataset stays.
func (s *State) TransferFailed() { s.replica.link = LinkConnect }

// FullSyncLoaded is the master's RDB loaded and swapped in: the node takes
// the master's history with no previous one, drops its own replicas and
// frees its backlog (they must full-sync too).
func (s *State) FullSyncLoaded(now int64, replid string, off int64) {
	s.now = now
	r := &s.replica
	s.hist.AcceptFull(replid, off)
	r.reploff, r.readOff = off, off
	r.masterDB = 0
	s.dropAll("full resync with master")
	s.createBacklog()
	r.lastSyncKind = "full"
}

// Streaming is the link going up after a sync: it returns the offset of
// the first ACK (the master holds an EOF sync's stream until it).
func (s *State) Streaming(now int64) (masterDB int, ackOff int64) {
	s.now = now
	r := &s.replica
	r.connected = true
	r.link = LinkConnected
	r.downSince = 0
	r.lastIO = now
	if r.psyncAt != 0 {
		r.lastSyncMs, r.psyncAt = now-r.psyncAt, 0
	}
	s.emit(Event{Kind: "link-up", Master: r.master.String(), Offset: r.reploff})
	return r.masterDB, r.reploff
}

// Reploff returns the bytes applied from the master (the ACK offset).
func (s *State) Reploff() int64 { return s.replica.reploff }

// Read counts bytes of commands read from the master's stream.
func (s *State) Read(now int64, k int) {
	r := &s.replica
	r.lastIO = now
	r.readOff += int64(k)
	s.Stats.ReplInputBytes += int64(k)
}

// GetAck is REPLCONF GETACK run from the master's stream: an ACK of the
// offset before it goes out once it is applied (PROTOCOL.md §2.3).
func (s *State) GetAck() { s.replica.getack = true }

// Applied counts one command of the master's stream as applied: its raw
// bytes go to this node's own backlog and replicas (a chain shares one
// offset space), except inside MULTI, whose bytes count at EXEC (inMulti
// tells whether the node's master client is in a transaction now).
func (s *State) Applied(now int64, raw []byte, inMulti bool) {
	s.now = now
	r := &s.replica
	if r.getack {
		r.getack = false
		s.rd.Acks = append(s.rd.Acks, r.reploff)
	}
	r.multi = append(r.multi, raw...)
	if inMulti {
		return
	}
	r.reploff += int64(len(r.multi))
	s.feedRaw(r.multi)
	r.multi = r.multi[:0]
}

// HandshakeConfig is what a replica announces to its master.
type HandshakeConfig struct {
	MasterUser, MasterAuth string // masteruser, masterauth
	Port                   int    // port
	TLSPort                int    // tls-port
	TLSReplication         bool   // tls-replication
	AnnouncePort           int    // replica-announce-port
	AnnounceIP             string // replica-announce-ip
}

// Handshake returns the AUTH and REPLCONF commands a Redis 7 replica
// pipelines after PING's reply, and the names of the replies it then reads
// in order (PROTOCOL.md §2.1).
func Handshake(h HandshakeConfig) ([]byte, []string) {
	var b []byte
	var steps []string
	if h.MasterAuth != "" {
		if h.MasterUser != "" {
			b = resp.AppendCommand(b, "AUTH", h.MasterUser, h.MasterAuth)
		} else {
			b = resp.AppendCommand(b, "AUTH", h.MasterAuth)
		}
		steps = append(steps, "AUTH")
	}
	port := h.Port
	if h.AnnouncePort != 0 {
		port = h.AnnouncePort
	} else if h.TLSReplication && h.TLSPort != 0 {
		port = h.TLSPort
	}
	b = resp.AppendCommand(b, "REPLCONF", "listening-port", strconv.Itoa(port))
	steps = append(steps, "listening-port")
	if h.AnnounceIP != "" {
		b = resp.AppendCommand(b, "REPLCONF", "ip-address", h.AnnounceIP)
		steps = append(steps, "ip-address")
	}
	b = resp.AppendCommand(b, "REPLCONF", "capa", "eof", "capa", "psync2")
	steps = append(steps, "capa")
	return b, steps
}

// PsyncReply is a master's answer to PSYNC, read as a Redis 7 replica
// reads it (slaveTryPartialResynchronization).
type PsyncReply struct {
	Full   bool   // +FULLRESYNC <replid> <offset>: an RDB follows
	ReplID string // the master's replication ID ("" in a bare +CONTINUE)
	Offset int64  // with Full: the offset of the snapshot
}

// ParsePsyncReply interprets the reply line to PSYNC replid ...: a full or
// a partial resync, or an error worded as the node logs it. A +CONTINUE
// to "PSYNC ? -1" is refused: nothing was cached to continue from, and a
// master answering so is broken (Redis 7.0 crashes on it), so the replica
// does not adopt its history over unrelated data.
func ParsePsyncReply(line, askedID string) (PsyncReply, error) {
	switch {
	case strings.HasPrefix(line, "+FULLRESYNC"):
		f := strings.Fields(line)
		if len(f) != 3 {
			return PsyncReply{}, fmt.Errorf("bad FULLRESYNC reply from master: %q", line)
		}
		off, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			return PsyncReply{}, fmt.Errorf("bad FULLRESYNC offset from master: %q", line)
		}
		return PsyncReply{Full: true, ReplID: f[1], Offset: off}, nil
	case strings.HasPrefix(line, "+CONTINUE") && askedID == "?":
		return PsyncReply{}, fmt.Errorf("Unexpected +CONTINUE to PSYNC ? -1: %s", line)
	case strings.HasPrefix(line, "+CONTINUE"):
		r := PsyncReply{}
		if f := strings.Fields(line); len(f) == 2 {
			r.ReplID = f[1]
		}
		return r, nil
	case strings.HasPrefix(line, "-NOMASTERLINK"), strings.HasPrefix(line, "-LOADING"):
		return PsyncReply{}, fmt.Errorf("Master is currently unable to PSYNC but should be in the future: %s", line)
	}
	return PsyncReply{}, fmt.Errorf("Unexpected reply to PSYNC from master: %s", line)
}
