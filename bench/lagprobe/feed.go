package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/replscope/replscope/internal/resp"
	"github.com/replscope/replscope/node/rdb"
)

// runFeed plays the master of one replica: it answers the handshake, sends
// an empty full sync, then a fixed stream of SETs (the same bytes for every
// server measured) as fast as the replica takes them, ends it with
// REPLCONF GETACK * and waits for the replica's ACK of the whole stream.
// It prints the replica's CPU time per SET (utime+stime of -pid over the
// stream) and the wall time: the cost of applying a master's stream,
// apart from the master's own costs and from scheduling beside it.
func runFeed(args []string) error {
	fs := flag.NewFlagSet("feed", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "address the replica connects to (its replicaof)")
	pidFile := fs.String("pidfile", "", "file holding the replica's pid, read when the replica connects")
	sets := fs.Int("n", 1000000, "SET commands in the stream")
	keys := fs.Int("keys", 100000, "distinct keys (key:%012d, as redis-benchmark -r)")
	size := fs.Int("d", 100, "value size in bytes")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after")
	_ = fs.Parse(args)

	stream := feedStream(*sets, *keys, *size)
	getack := resp.AppendCommand(nil, "REPLCONF", "GETACK", "*")
	// Redis answers GETACK with the offset before the GETACK itself
	// (its master client's offset advances after the command), so the
	// stream's own length is the offset to wait for.
	target := int64(len(stream))

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("feed: %w", err)
	}
	defer ln.Close()
	fmt.Println("listening", ln.Addr())
	_ = ln.(*net.TCPListener).SetDeadline(time.Now().Add(*timeout))
	conn, err := ln.Accept()
	if err != nil {
		return fmt.Errorf("feed: wait for the replica: %w", err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(*timeout))
	rd := resp.NewReader(conn)
	if err := feedHandshake(conn, rd); err != nil {
		return err
	}
	// The replica's first ACK says it loaded the empty dataset.
	if _, err := readAck(rd); err != nil {
		return fmt.Errorf("feed: first ACK: %w", err)
	}
	pid, err := readPid(*pidFile)
	if err != nil {
		return err
	}
	acks := make(chan int64, 16)
	done := make(chan struct{})
	defer close(done) // before conn.Close: the reader then ends on either
	go func() {
		defer close(acks)
		for {
			off, err := readAck(rd)
			if err != nil {
				return
			}
			select {
			case acks <- off:
			case <-done:
				return
			}
		}
	}()
	cpu0, err := cpuTicks(pid)
	if err != nil {
		return err
	}
	start := time.Now()
	if _, err := conn.Write(stream); err != nil {
		return fmt.Errorf("feed: stream: %w", err)
	}
	written := time.Since(start)
	if _, err := conn.Write(getack); err != nil {
		return fmt.Errorf("feed: GETACK: %w", err)
	}
	for off := range acks {
		if off >= target {
			took := time.Since(start)
			cpu1, err := cpuTicks(pid)
			if err != nil {
				return err
			}
			cpu := time.Duration(cpu1-cpu0) * 10 * time.Millisecond
			fmt.Printf("sets=%d bytes=%d written_s=%.3f acked_s=%.3f cpu_s=%.2f cpu_us_per_set=%.3f\n",
				*sets, len(stream), written.Seconds(), took.Seconds(), cpu.Seconds(),
				float64(cpu.Microseconds())/float64(*sets))
			return nil
		}
	}
	return errors.New("feed: the replica closed the link before acknowledging the stream")
}

// feedStream is SELECT 0 and n SETs of size-byte values to keys drawn
// from a fixed pseudo-random sequence over keys distinct keys.
func feedStream(n, keys, size int) []byte {
	val := bytes.Repeat([]byte("x"), size)
	b := resp.AppendCommand(nil, "SELECT", "0")
	x := uint64(1)
	var key []byte
	for range n {
		x = x*6364136223846793005 + 1442695040888963407
		key = fmt.Appendf(key[:0], "key:%012d", (x>>33)%uint64(keys))
		b = resp.AppendCommandBytes(b, [][]byte{[]byte("SET"), key, val})
	}
	return b
}

// feedHandshake answers the replica's PING, REPLCONF and PSYNC; PSYNC gets
// +FULLRESYNC and an empty RDB.
func feedHandshake(conn net.Conn, rd *resp.Reader) error {
	for {
		v, err := rd.ReadValue()
		if err != nil {
			return fmt.Errorf("feed: handshake: %w", err)
		}
		if v.Kind != resp.Array || len(v.Elems) == 0 {
			return fmt.Errorf("feed: handshake: unexpected %s", v)
		}
		var reply []byte
		switch strings.ToUpper(string(v.Elems[0].Str)) {
		case "PING":
			reply = []byte("+PONG\r\n")
		case "PSYNC", "SYNC":
			var empty bytes.Buffer
			enc := rdb.NewEncoder(&empty, rdb.EncoderOptions{})
			if err := enc.Header(); err != nil {
				return err
			}
			if err := enc.End(); err != nil {
				return err
			}
			reply = fmt.Appendf(nil, "+FULLRESYNC %s 0\r\n$%d\r\n", strings.Repeat("f", 40), empty.Len())
			reply = append(reply, empty.Bytes()...)
			_, err := conn.Write(reply)
			return err
		default:
			reply = []byte("+OK\r\n")
		}
		if _, err := conn.Write(reply); err != nil {
			return fmt.Errorf("feed: handshake: %w", err)
		}
	}
}

// readAck reads commands from the replica until a REPLCONF ACK and returns
// its offset.
func readAck(rd *resp.Reader) (int64, error) {
	for {
		v, err := rd.ReadValue()
		if err != nil {
			return 0, err
		}
		if v.Kind == resp.Array && len(v.Elems) >= 3 && strings.EqualFold(string(v.Elems[1].Str), "ACK") {
			return strconv.ParseInt(string(v.Elems[2].Str), 10, 64)
		}
	}
}

// readPid reads the replica's pid from path, waiting up to 10 s for the
// file (the script that starts the replica writes it once it runs).
func readPid(path string) (int, error) {
	for range 1000 {
		if b, err := os.ReadFile(path); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				return pid, nil
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return 0, fmt.Errorf("feed: no replica pid in %s", path)
}

// cpuTicks is a process's utime+stime in clock ticks (1/100 s).
func cpuTicks(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("feed: cpu of %d: %w", pid, err)
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("feed: short /proc/%d/stat", pid)
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	k, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("feed: /proc/%d/stat: %w", pid, err)
	}
	return u + k, nil
}
