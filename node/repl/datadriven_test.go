package repl

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The data-driven tests in testdata/*.txt step a State through inputs and
// print the Ready each step produced, in the spirit of etcd-io/raft's
// interaction tests. A case is
//
//	command key=value ...
//	----
//	expected output
//
// separated from the next by a blank line; lines starting with # are
// comments. go test -run TestData -rewrite rewrites the expected output.

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of testdata/*.txt")

type ddCase struct {
	pos  string
	cmd  string
	args map[string]string
	keys []string // in order
	want string
	// lines[from:to] hold the expected output
	from, to int
}

func parseDD(t *testing.T, path string) (cases []ddCase, lines []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			continue
		}
		c := ddCase{pos: fmt.Sprintf("%s:%d", path, i+1), args: map[string]string{}}
		f := splitArgs(l)
		c.cmd = f[0]
		for _, a := range f[1:] {
			k, v, _ := strings.Cut(a, "=")
			c.args[k] = v
			c.keys = append(c.keys, k)
		}
		i++
		if i >= len(lines) || lines[i] != "----" {
			t.Fatalf("%s: want ---- after the command", c.pos)
		}
		var out []string
		c.from = i + 1
		for i++; i < len(lines) && lines[i] != ""; i++ {
			out = append(out, lines[i])
		}
		c.to = i
		c.want = strings.Join(out, "\n")
		cases = append(cases, c)
	}
	return cases, lines
}

// splitArgs splits on spaces, keeping double-quoted values whole.
func splitArgs(l string) []string {
	var f []string
	var cur strings.Builder
	quoted := false
	for _, r := range l {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ' ' && !quoted:
			if cur.Len() > 0 {
				f = append(f, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		f = append(f, cur.String())
	}
	return f
}

func TestData(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			cases, lines := parseDD(t, path)
			env := &ddEnv{t: t}
			var out []string // the file rewritten
			next := 0
			for _, c := range cases {
				got := env.run(c)
				out = append(out, lines[next:c.from]...)
				if got != "" {
					out = append(out, strings.Split(got, "\n")...)
				}
				next = c.to
				if !*rewrite && got != c.want {
					t.Errorf("%s: %s\ngot:\n%s\nwant:\n%s", c.pos, c.cmd, got, c.want)
				}
			}
			if *rewrite {
				out = append(out, lines[next:]...)
				if err := os.WriteFile(path, []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// ddEnv is one test file's state: a node's replication State and a clock.
type ddEnv struct {
	t   *testing.T
	s   *State
	now int64
	ids int
	job *Job
	// held is what a take handed the writer, heldCopy its bytes then
	held     [][]byte
	heldCopy []byte
}

func (e *ddEnv) newID() string {
	e.ids++
	return strings.Repeat(string(rune('a'+e.ids-1)), 40)
}

func (e *ddEnv) int(c ddCase, k string, def int64) int64 {
	v, ok := c.args[k]
	if !ok {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		e.t.Fatalf("%s: %s=%q: %v", c.pos, k, v, err)
	}
	return n
}

func (e *ddEnv) has(c ddCase, k string) bool { _, ok := c.args[k]; return ok }

func (e *ddEnv) peer(c ddCase) *Peer {
	id := e.int(c, "peer", 1)
	p := e.s.Peer(id)
	if p == nil {
		for _, q := range e.jobPeers() {
			if q.ID == id {
				return q
			}
		}
		e.t.Fatalf("%s: no peer %d", c.pos, id)
	}
	return p
}

func (e *ddEnv) jobPeers() []*Peer {
	if e.job == nil {
		return nil
	}
	return e.job.peers
}

func (e *ddEnv) run(c ddCase) string {
	if v, ok := c.args["now"]; ok {
		n, _ := strconv.ParseInt(v, 10, 64)
		e.now = n
	}
	var extra []string
	s := e.s
	switch c.cmd {
	case "new":
		e.s = New(Config{
			BacklogSize: e.int(c, "backlog", MinBacklogSize), BacklogTTL: e.int(c, "ttl", 3600),
			Timeout: int(e.int(c, "timeout", 60)), PingPeriod: int(e.int(c, "ping", 10)),
			DisklessSync: c.args["diskless"] != "no", DisklessSyncDelay: int(e.int(c, "delay", 0)),
			DisklessSyncMaxReplicas: int(e.int(c, "maxreplicas", 0)), MinReplicasMaxLag: int(e.int(c, "lag", 10)),
			Limit: Limit{Hard: e.int(c, "hard", 0), Soft: e.int(c, "soft", 0), SoftSeconds: int(e.int(c, "softsecs", 0))},
		}, e.newID, e.now)
		s = e.s
	case "tick":
		s.Tick(e.now)
		if e.has(c, "secs") {
			s.Cron(e.now, int(e.int(c, "secs", 0)))
		}
	case "psync", "sync":
		if refuse := s.SyncRefusal(); refuse != "" {
			return "-" + refuse
		}
		id := e.int(c, "peer", 1)
		info := PeerInfo{ID: id, Name: fmt.Sprintf("127.0.0.1:%d", 7000+id), Addr: fmt.Sprintf("127.0.0.1:%d", 50000+id),
			CapaEOF: !e.has(c, "noeof"), CapaPsync2: !e.has(c, "nopsync2"), RDBOnly: e.has(c, "rdbonly")}
		req := Request{ReplID: c.args["id"], Offset: e.int(c, "off", -1)}
		if req.ReplID == "" {
			req.ReplID = "?"
		}
		if strings.HasPrefix(req.ReplID, "id:") { // id:N is the Nth ID made
			k, _ := strconv.Atoi(req.ReplID[3:])
			req.ReplID = strings.Repeat(string(rune('a'+k-1)), 40)
		}
		s.Psync(e.now, info, c.cmd == "psync", req)
	case "start-sync":
		e.job = s.StartSync(e.now)
		if e.job == nil {
			extra = append(extra, "no job")
		} else {
			extra = append(extra, fmt.Sprintf("job %d disk=%v offset=%d peers=%s", e.job.ID, e.job.Disk, e.job.Offset, names(e.job.peers)))
		}
	case "payload":
		s.PayloadStarted(e.job)
	case "sync-done":
		s.SyncDone(e.now, e.job, e.int(c, "size", 100), e.has(c, "failed"))
	case "ack":
		s.Ack(e.now, e.peer(c), e.int(c, "off", 0))
	case "drop":
		s.DropPeer(e.now, e.peer(c), c.args["reason"])
	case "write":
		argv := [][]byte{}
		for _, a := range strings.Fields(c.args["cmd"]) {
			argv = append(argv, []byte(a))
		}
		for i := int64(0); i < e.int(c, "times", 1); i++ {
			s.Propagate(int(e.int(c, "db", 0)), argv)
		}
		s.Flush(e.now, false)
	case "getack":
		s.RequestAcks(e.now)
	case "send":
		p := e.peer(c)
		chunks, ok := s.NextChunk(p, int(e.int(c, "max", 1<<20)), nil)
		k := 0
		var sb strings.Builder
		for _, b := range chunks {
			k += len(b)
			sb.Write(b)
		}
		if ok {
			s.Sent(p, k)
			extra = append(extra, fmt.Sprintf("sent %d bytes %q", k, clip(sb.String())))
		}
	case "take":
		// the writer takes slices and holds them (a write in progress)
		p := e.peer(c)
		chunks, _ := s.NextChunk(p, int(e.int(c, "max", 1<<20)), nil)
		e.held, e.heldCopy = chunks, bytes.Join(chunks, nil)
		extra = append(extra, fmt.Sprintf("holding %d bytes", len(e.heldCopy)))
	case "taken":
		// the write in progress ends: were the slices left alone?
		got := bytes.Join(e.held, nil)
		if bytes.Equal(got, e.heldCopy) {
			extra = append(extra, "held bytes intact")
		} else {
			extra = append(extra, "held bytes OVERWRITTEN")
		}
		p := e.peer(c)
		if e.has(c, "failed") {
			s.Release(p)
		} else {
			s.Sent(p, len(got))
		}
		e.held, e.heldCopy = nil, nil
	case "wait":
		acked, done := s.Wait(e.now, e.int(c, "client", 100), e.int(c, "off", 0), e.int(c, "num", 1))
		if done {
			extra = append(extra, fmt.Sprintf("replied at once: %d", acked))
		} else {
			extra = append(extra, "blocked")
		}
	case "stop-wait":
		acked, found := s.StopWait(e.int(c, "client", 100))
		extra = append(extra, fmt.Sprintf("timed out: %d (blocked: %v)", acked, found))
	case "acked":
		extra = append(extra, fmt.Sprintf("acked(%d) = %d", e.int(c, "off", 0), s.Acked(e.int(c, "off", 0))))
	case "good":
		extra = append(extra, fmt.Sprintf("good replicas = %d", s.GoodReplicas(e.now)))
	case "replicaof":
		if s.SameMaster(c.args["host"], int(e.int(c, "port", 0))) {
			extra = append(extra, "already connected")
			break
		}
		s.LinkLost(e.now, 0)
		s.SetMaster(e.now, Addr{Host: c.args["host"], Port: int(e.int(c, "port", 0))})
	case "replicaof-no-one":
		s.LinkLost(e.now, 0)
		s.UnsetMaster(e.now)
	case "link":
		s.SetLinkState(map[string]LinkState{"connecting": LinkConnecting, "handshake": LinkHandshake}[c.args["state"]])
	case "link-lost":
		s.LinkLost(e.now, int(e.int(c, "db", 0)))
	case "attempt-ended":
		s.AttemptEnded(e.now, c.args["err"], e.has(c, "proto"))
	case "psync-args":
		id, off := s.PsyncArgs(e.now)
		extra = append(extra, "PSYNC "+id+" "+off)
	case "continue":
		s.Continued(e.now, c.args["id"])
	case "transfer":
		s.TransferStarted(e.now, e.int(c, "size", -1))
	case "full-loaded":
		s.FullSyncLoaded(e.now, c.args["id"], e.int(c, "off", 0))
	case "streaming":
		db, off := s.Streaming(e.now)
		extra = append(extra, fmt.Sprintf("first ACK %d, db %d, sync took %dms", off, db, s.Replica().LastSyncMs))
	case "apply":
		raw := c.args["raw"]
		raw = strings.ReplaceAll(raw, `\r\n`, "\r\n")
		s.Read(e.now, len(raw))
		if e.has(c, "getack") {
			s.GetAck()
		}
		s.Applied(e.now, []byte(raw), e.has(c, "multi"))
	case "handshake":
		b, steps := Handshake(HandshakeConfig{MasterUser: c.args["user"], MasterAuth: c.args["auth"],
			Port: int(e.int(c, "port", 6379)), TLSPort: int(e.int(c, "tls-port", 0)), TLSReplication: e.has(c, "tls"),
			AnnouncePort: int(e.int(c, "announce-port", 0)), AnnounceIP: c.args["announce-ip"]})
		return fmt.Sprintf("%q\nreplies: %s", b, strings.Join(steps, " "))
	case "psync-reply":
		r, err := ParsePsyncReply(c.args["line"], c.args["asked"])
		if err != nil {
			return "error: " + err.Error()
		}
		return fmt.Sprintf("full=%v replid=%q offset=%d", r.Full, r.ReplID, r.Offset)
	case "state":
		return e.state()
	default:
		e.t.Fatalf("%s: unknown command %q", c.pos, c.cmd)
	}
	if s.TakeWake() {
		extra = append(extra, fmt.Sprintf("stream grew to %d", s.Offset()))
	}
	return strings.Join(append(extra, printReady(s.Ready())...), "\n")
}

func names(ps []*Peer) string {
	var f []string
	for _, p := range ps {
		f = append(f, strconv.FormatInt(p.ID, 10))
	}
	return "[" + strings.Join(f, " ") + "]"
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

func printReady(rd Ready) []string {
	var l []string
	for _, o := range rd.Out {
		if o.Close {
			l = append(l, fmt.Sprintf("out %d close", o.Peer))
		} else {
			l = append(l, fmt.Sprintf("out %d %q", o.Peer, clip(string(o.Bytes))))
		}
	}
	for _, d := range rd.Drop {
		l = append(l, fmt.Sprintf("drop %d %q", d.Peer, d.Reason))
	}
	for _, w := range rd.Wake {
		l = append(l, fmt.Sprintf("wake %d", w))
	}
	if rd.SyncDue {
		l = append(l, "sync-due")
	}
	for _, a := range rd.Acks {
		l = append(l, fmt.Sprintf("send REPLCONF ACK %d", a))
	}
	if rd.AcksChanged {
		l = append(l, "acks-changed")
	}
	for _, u := range rd.Unblock {
		l = append(l, fmt.Sprintf("unblock client %d: %d", u.Client, u.Acked))
	}
	for _, g := range rd.Logs {
		lv := "notice"
		if g.Level == Warning {
			lv = "warning"
		}
		l = append(l, "log "+lv+": "+g.Text)
	}
	for _, ev := range rd.Events {
		f := []string{"event " + string(ev.Kind)}
		for _, kv := range [][2]string{{"role", ev.Role}, {"master", ev.Master}, {"peer", ev.Peer}, {"reason", ev.Reason}} {
			if kv[1] != "" {
				f = append(f, kv[0]+"="+kv[1])
			}
		}
		if ev.Offset != 0 {
			f = append(f, fmt.Sprintf("offset=%d", ev.Offset))
		}
		if ev.Bytes != 0 {
			f = append(f, fmt.Sprintf("bytes=%d", ev.Bytes))
		}
		l = append(l, strings.Join(f, " "))
	}
	return l
}

func (e *ddEnv) state() string {
	s := e.s
	h := s.History()
	l := []string{fmt.Sprintf("replid=%.4s… replid2=%.4s… second=%d offset=%d", h.ReplID, h.ReplID2, h.SecondOffset, h.Offset)}
	if b := s.Backlog(); b != nil {
		l = append(l, fmt.Sprintf("backlog first=%d histlen=%d", b.FirstByte(), b.HistLen()))
	} else {
		l = append(l, "backlog none")
	}
	for _, p := range s.Peers() {
		l = append(l, fmt.Sprintf("peer %d %s ack=%d send=%d pending=%d streaming=%v waitack=%v", p.ID, p.State, p.AckOff, p.SendOff, s.Pending(p), p.Streaming, p.WaitAck))
	}
	for _, p := range s.waiting {
		l = append(l, fmt.Sprintf("waiting %d", p.ID))
	}
	if r := s.Replica(); r.Master != nil {
		l = append(l, fmt.Sprintf("master %s link=%s reploff=%d readoff=%d cached=%v kind=%s", r.Master, r.Link, r.Reploff, r.ReadOff, r.Cached, r.LastSyncKind))
	}
	st := s.Stats
	l = append(l, fmt.Sprintf("stats full=%d partial_ok=%d partial_err=%d cob=%d out=%d in=%d", st.SyncFull, st.SyncPartialOK, st.SyncPartialErr, st.COBDisconnects, st.ReplOutputBytes, st.ReplInputBytes))
	return strings.Join(l, "\n")
}
