package node_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/redistest"
	"github.com/replscope/replscope/internal/resp"
	"github.com/replscope/replscope/node"
)

// hostileCase is raw bytes sent to a server over one connection and the
// answer Redis 7.0.15 gives them.
type hostileCase struct {
	name   string
	in     []string // written one chunk per Write
	want   string   // the exact bytes sent back
	closed bool     // the server closes the connection after want
	// sync appends a PING: the next reply after want must be its +PONG.
	// Without it (an incomplete request) the server must stay silent and
	// keep the connection open.
	sync bool
}

const (
	errInvalidMulti = "-ERR Protocol error: invalid multibulk length\r\n"
	errInvalidBulk  = "-ERR Protocol error: invalid bulk length\r\n"
	errQuotes       = "-ERR Protocol error: unbalanced quotes in request\r\n"
	// silence is how long a server that is waiting for the rest of a
	// request must stay quiet.
	silence = 300 * time.Millisecond
)

// protocolCases are the malformed inputs of issue #8, with the answers
// redis-server 7.0.15 gives them (TestHostileInputMatchesRedis checks
// these against a live one).
func protocolCases() []hostileCase {
	k70 := strings.Repeat("a", 70<<10)
	d70 := strings.Repeat("1", 70<<10)
	return []hostileCase{
		// empty multibulks are ignored, even split across reads
		{name: "*-1 ignored", in: []string{"*-1\r\n"}, sync: true},
		{name: "*0 ignored", in: []string{"*0\r\n"}, sync: true},
		{name: "*0 byte by byte", in: []string{"*", "0", "\r", "\n"}, sync: true},
		{name: "*-1 byte by byte", in: []string{"*", "-", "1", "\r", "\n"}, sync: true},
		{name: "*min int64 ignored", in: []string{"*-9223372036854775808\r\n"}, sync: true},
		// counts: Redis's string2ll, at most INT_MAX
		{name: "*abc", in: []string{"*abc\r\n"}, want: errInvalidMulti, closed: true},
		{name: "*abc byte by byte", in: []string{"*", "a", "b", "c", "\r", "\n"}, want: errInvalidMulti, closed: true},
		{name: "*+1", in: []string{"*+1\r\n$4\r\nPING\r\n"}, want: errInvalidMulti, closed: true},
		{name: "*01 leading zero", in: []string{"*01\r\n$4\r\nPING\r\n"}, want: errInvalidMulti, closed: true},
		{name: "*-0", in: []string{"*-0\r\n"}, want: errInvalidMulti, closed: true},
		{name: "* empty", in: []string{"*\r\n"}, want: errInvalidMulti, closed: true},
		{name: "*- alone", in: []string{"*-\r\n"}, want: errInvalidMulti, closed: true},
		{name: "* below int64", in: []string{"*-9223372036854775809\r\n"}, want: errInvalidMulti, closed: true},
		{name: "*2^31", in: []string{"*2147483648\r\n"}, want: errInvalidMulti, closed: true},
		{name: "*1 LF without CR", in: []string{"*1\n$4\r\nPING\r\n"}, want: errInvalidMulti, closed: true},
		{name: "*1048577 waits", in: []string{"*1048577\r\n"}},
		{name: "*2^31-1 waits", in: []string{"*2147483647\r\n"}},
		// bulk lengths
		{name: "$-5", in: []string{"*1\r\n$-5\r\n"}, want: errInvalidBulk, closed: true},
		{name: "$ above proto-max-bulk-len", in: []string{"*1\r\n$536870913\r\n"}, want: errInvalidBulk, closed: true},
		{name: "$ at proto-max-bulk-len waits", in: []string{"*1\r\n$536870912\r\n"}},
		{name: "$04 leading zero", in: []string{"*1\r\n$04\r\nPING\r\n"}, want: errInvalidBulk, closed: true},
		{name: "$ 21 digits", in: []string{"*1\r\n$000000000000000000004\r\nPING\r\n"}, want: errInvalidBulk, closed: true},
		{name: "$ huge", in: []string{"*1\r\n$99999999999999999999999\r\n"}, want: errInvalidBulk, closed: true},
		{name: "expected $", in: []string{"*2\r\n$3\r\nGET\r\n:1\r\n"}, want: "-ERR Protocol error: expected '$', got ':'\r\n", closed: true},
		{name: "expected $ waits for the line", in: []string{"*2\r\n$3\r\nGET\r\n:1"}},
		{name: "expected $ got CR", in: []string{"*1\r\n\r\n"}, want: "-ERR Protocol error: expected '$', got ' '\r\n", closed: true},
		{name: "expected $ got 0xff", in: []string{"*1\r\n\xff1\r\n"}, want: "-ERR Protocol error: expected '$', got '\xff'\r\n", closed: true},
		// Redis skips the byte after a header's CR and the two after a
		// payload without looking at them
		{name: "header CR then any byte", in: []string{"*1\rX$4\r\nPING\r\n"}, want: "+PONG\r\n", sync: true},
		{name: "payload without CRLF", in: []string{"*1\r\n$4\r\nPINGxx"}, want: "+PONG\r\n", sync: true},
		// 64 KB lines
		{name: "inline 70KB without newline", in: []string{k70}, want: "-ERR Protocol error: too big inline request\r\n", closed: true},
		{name: "count line 70KB of digits", in: []string{"*" + d70}, want: "-ERR Protocol error: too big mbulk count string\r\n", closed: true},
		{name: "count line 70KB of letters", in: []string{"*" + k70}, want: "-ERR Protocol error: too big mbulk count string\r\n", closed: true},
		{name: "bulk length line 70KB", in: []string{"*1\r\n$" + d70}, want: "-ERR Protocol error: too big bulk count string\r\n", closed: true},
		// NUL bytes hide the end of a line from Redis's strchr
		{name: "NUL in inline waits", in: []string{"PI\x00NG\r\nPING\r\n"}},
		{name: "NUL in inline then 70KB", in: []string{"PI\x00NG\r\n", k70}, want: "-ERR Protocol error: too big inline request\r\n", closed: true},
		{name: "NUL in count waits", in: []string{"*1\x00\r\n$4\r\nPING\r\n"}},
		{name: "NUL in bulk length waits", in: []string{"*1\r\n$4\x00\r\nPING\r\n"}},
		{name: "NUL in bulk length then 70KB", in: []string{"*1\r\n$4\x00\r\n", k70}, want: "-ERR Protocol error: too big bulk count string\r\n", closed: true},
		{name: "NUL in payload", in: []string{"*2\r\n$4\r\nECHO\r\n$3\r\na\x00b\r\n"}, want: "$3\r\na\x00b\r\n", sync: true},
		// inline requests: sdssplitargs
		{name: "unbalanced double quote", in: []string{"SET \"a b\r\n"}, want: errQuotes, closed: true},
		{name: "unbalanced single quote", in: []string{"SET 'a b\r\n"}, want: errQuotes, closed: true},
		{name: "closing quote glued", in: []string{"ECHO \"a\"\"b\"\r\n"}, want: errQuotes, closed: true},
		{name: "hex escapes", in: []string{"ECHO \"\\x41\\x42\"\r\n"}, want: "$2\r\nAB\r\n", sync: true},
		{name: "bad hex escape", in: []string{"ECHO \"\\xZZ\"\r\n"}, want: "$3\r\nxZZ\r\n", sync: true},
		{name: "escapes", in: []string{"ECHO \"\\a\\b\\n\\q\"\r\n"}, want: "$4\r\n\a\b\nq\r\n", sync: true},
		{name: "single quote escape", in: []string{"ECHO 'it\\'s'\r\n"}, want: "$4\r\nit's\r\n", sync: true},
		{name: "quote inside a word", in: []string{"ECHO a\"b c\"\r\n"}, want: "$4\r\nab c\r\n", sync: true},
		{name: "tab separates", in: []string{"ECHO\ta\r\n"}, want: "$1\r\na\r\n", sync: true},
		{name: "CR separates", in: []string{"ECHO a\rb\r\n"}, want: "-ERR wrong number of arguments for 'echo' command\r\n", sync: true},
		{name: "leading VT skipped", in: []string{"\vECHO a\vb\r\n"}, want: "$3\r\na\vb\r\n", sync: true},
		{name: "leading CR", in: []string{"\rPING\r\n"}, want: "+PONG\r\n", sync: true},
		{name: "empty lines", in: []string{"\r\n\r\n\n\n   \r\n"}, sync: true},
		{name: "empty quoted command", in: []string{"\"\"\r\n"}, want: "-ERR unknown command '', with args beginning with: \r\n", sync: true},
		{name: "binary garbage", in: []string{"\xff\xfe\x01\x02\r\n"}, want: "-ERR unknown command '\xff\xfe\x01\x02', with args beginning with: \r\n", sync: true},
		// pipelines: what comes before a bad request is answered
		{name: "pipeline then bad count", in: []string{"PING\r\n*1\r\n$4\r\nPING\r\n*abc\r\nPING\r\n"}, want: "+PONG\r\n+PONG\r\n" + errInvalidMulti, closed: true},
		{name: "pipeline then bad inline", in: []string{"PING\r\nPING\r\nSET \"a\r\nPING\r\n"}, want: "+PONG\r\n+PONG\r\n" + errQuotes, closed: true},
		{name: "pipeline then bad bulk", in: []string{"ECHO x\r\n*2\r\n$4\r\nECHO\r\n$-1\r\n"}, want: "$1\r\nx\r\n" + errInvalidBulk, closed: true},
		// byte-by-byte delivery
		{name: "SET byte by byte", in: split1(string(resp.AppendCommand(nil, "SET", "bytewise", "v"))), want: "+OK\r\n", sync: true},
		{name: "inline byte by byte", in: split1("ECHO \"x y\"\r\n"), want: "$3\r\nx y\r\n", sync: true},
		{name: "bad bulk byte by byte", in: split1("*1\r\n$-5\r\n"), want: errInvalidBulk, closed: true},
		// a command cut in half waits
		{name: "cut in half", in: []string{"*3\r\n$3\r\nSET\r\n$3\r\ncut\r\n$5\r\nva"}},
	}
}

// split1 cuts s into one-byte chunks.
func split1(s string) []string {
	out := make([]string, len(s))
	for i := range s {
		out[i] = s[i : i+1]
	}
	return out
}

// TestHostileInput sends each malformed input to a replscope node over
// raw TCP: it must answer exactly as Redis does (error text, or silence
// while waiting for the rest, and whether it closes), and keep serving
// with its data intact.
func TestHostileInput(t *testing.T) {
	n := nodetest.Start(t)
	nodetest.MustDo(t, n.Addr(), "SET", "canary", "alive")
	for _, c := range protocolCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			checkExchange(t, n.Addr(), c)
			checkServing(t, n.Addr())
		})
	}
}

// TestHostileInputMatchesRedis checks that the answers in the table are
// redis-server 7.0.15's.
func TestHostileInputMatchesRedis(t *testing.T) {
	r := redistest.Start(t)
	r.Do(t, "SET", "canary", "alive")
	for _, c := range protocolCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			checkExchange(t, r.Addr, c)
		})
	}
}

// checkServing checks, on a new connection, that the server answers PING
// and that the canary key set before the hostile input is intact.
func checkServing(t testing.TB, addr string) {
	t.Helper()
	c := nodetest.Dial(t, addr)
	if v, err := c.Do("PING"); err != nil || string(v.Str) != "PONG" {
		t.Fatalf("PING after hostile input: %v %s", err, v)
	}
	if v, err := c.Do("GET", "canary"); err != nil || string(v.Str) != "alive" {
		t.Fatalf("GET canary after hostile input: %v %s", err, v)
	}
}

// checkExchange sends c over a new connection and checks the answer.
func checkExchange(t testing.TB, addr string, c hostileCase) {
	t.Helper()
	got, closed, err := exchange(addr, c)
	if err != nil {
		t.Fatalf("%s: %v (got %q)", addr, err, clip(got))
	}
	want := c.want
	if c.sync {
		want += "+PONG\r\n"
	}
	if got != want || closed != c.closed {
		t.Fatalf("%s answered %q (closed %v), want %q (closed %v)", addr, clip(got), closed, clip(want), c.closed)
	}
}

func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// exchange writes c's chunks (and a PING when c.sync) and reads the
// answer: until the server closes when c.closed; else the expected bytes,
// then (without sync) it checks that nothing more comes for a while and
// the connection stays open. closed reports an EOF or reset.
func exchange(addr string, c hostileCase) (got string, closed bool, err error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return "", false, err
	}
	defer conn.Close()
	for _, ch := range c.in {
		_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
		if _, err := conn.Write([]byte(ch)); err != nil {
			if isClosed(err) && c.closed {
				break // the server closed before taking everything
			}
			return "", false, err
		}
	}
	want := c.want
	if c.sync {
		want += "+PONG\r\n"
		if _, err := conn.Write([]byte("PING\r\n")); err != nil && !isClosed(err) {
			return "", false, err
		}
	}
	var buf bytes.Buffer
	chunk := make([]byte, 4096)
	read := func(d time.Duration) error {
		_ = conn.SetReadDeadline(time.Now().Add(d))
		k, err := conn.Read(chunk)
		buf.Write(chunk[:k])
		return err
	}
	if c.closed {
		for {
			if err := read(10 * time.Second); err != nil {
				if isClosed(err) {
					return buf.String(), true, nil
				}
				return buf.String(), false, err
			}
		}
	}
	for buf.Len() < len(want) {
		if err := read(10 * time.Second); err != nil {
			return buf.String(), isClosed(err), nil
		}
	}
	if !c.sync {
		err := read(silence)
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			return buf.String(), isClosed(err), nil
		}
	}
	return buf.String(), false, nil
}

func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || strings.Contains(err.Error(), "connection reset") ||
		strings.Contains(err.Error(), "broken pipe")
}

// authCases are inputs before AUTH on a server with requirepass "pw":
// Redis limits unauthenticated requests to 10 arguments and bulks of
// 16384 bytes, judged when the request's header arrives, after the
// requests before it have run.
func authCases() []hostileCase {
	mset := []string{"MSET"}
	for i := 0; i < 5; i++ {
		mset = append(mset, fmt.Sprint("k", i), "v")
	}
	auth := string(resp.AppendCommand(nil, "AUTH", "pw"))
	big := string(resp.AppendCommand(nil, "SET", "big", strings.Repeat("x", 20000)))
	noauth := "-NOAUTH Authentication required.\r\n"
	return []hostileCase{
		{name: "11 arguments", in: []string{"*11\r\n"}, want: "-ERR Protocol error: unauthenticated multibulk length\r\n", closed: true},
		{name: "10 arguments wait", in: []string{"*10\r\n"}},
		{name: "bulk of 16385", in: []string{"*1\r\n$16385\r\n"}, want: "-ERR Protocol error: unauthenticated bulk length\r\n", closed: true},
		{name: "bulk of 16384 waits", in: []string{"*1\r\n$16384\r\n"}},
		{name: "command before AUTH", in: []string{"GET x\r\n"}, want: noauth},
		{name: "inline is not limited", in: []string{"ECHO " + strings.Repeat("x ", 20) + "\r\n"},
			want: "-ERR wrong number of arguments for 'echo' command\r\n"}, // arity comes before AUTH
		{name: "AUTH then 11 arguments, one write", in: []string{auth + string(resp.AppendCommand(nil, mset...))}, want: "+OK\r\n+OK\r\n", sync: true},
		{name: "AUTH then a 20000 byte bulk, one write", in: []string{auth + big}, want: "+OK\r\n+OK\r\n", sync: true},
		{name: "wrong AUTH then 11 arguments", in: []string{"AUTH nope\r\n*11\r\n"},
			want: "-WRONGPASS invalid username-password pair or user is disabled.\r\n-ERR Protocol error: unauthenticated multibulk length\r\n", closed: true},
		{name: "GET then big bulk", in: []string{"GET x\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$20000\r\n"},
			want: noauth + "-ERR Protocol error: unauthenticated bulk length\r\n", closed: true},
	}
}

// queryBufCases run with client-query-buffer-limit 1mb: a request that
// grows past it closes the connection without a reply.
func queryBufCases() []hostileCase {
	return []hostileCase{
		{name: "2MB bulk", in: []string{"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2097152\r\n", strings.Repeat("x", 2<<20) + "\r\n"}, closed: true},
		{name: "900KB bulk", in: []string{string(resp.AppendCommand(nil, "SET", "k", strings.Repeat("x", 900<<10)))}, want: "+OK\r\n", sync: true},
	}
}

// manySmallArgs is a 1.6 MB request of small arguments. Redis 7.0 counts
// only the unparsed bytes of its query buffer (parsed arguments move to
// argv), so it takes this request whatever the limit; replscope bounds
// the whole request, so that no client can make it buffer without bound.
func manySmallArgs() hostileCase {
	var b strings.Builder
	b.WriteString("*150001\r\n$5\r\nRPUSH\r\n")
	for i := 0; i < 150000; i++ {
		b.WriteString("$5\r\nxxxxx\r\n")
	}
	return hostileCase{name: "1.6MB of small arguments", in: []string{b.String()}, closed: true}
}

// TestHostileLimits runs the AUTH and query buffer cases against
// replscope, and against redis-server when it is installed.
func TestHostileLimits(t *testing.T) {
	groups := []struct {
		name  string
		args  []string
		pass  string
		cases []hostileCase
	}{
		{"auth", []string{"--requirepass", "pw"}, "pw", authCases()},
		{"query buffer", []string{"--client-query-buffer-limit", "1mb"}, "", queryBufCases()},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			n := nodetest.Start(t, g.args...)
			addrs := map[string]string{"replscope": n.Addr()}
			if redistest.Binary() != "" {
				addrs["redis-server"] = redistest.Start(t, g.args...).Addr
			}
			if g.pass == "" {
				t.Run("1.6MB of small arguments/replscope", func(t *testing.T) {
					checkExchange(t, n.Addr(), manySmallArgs())
				})
			}
			for _, c := range g.cases {
				for server, addr := range addrs {
					t.Run(c.name+"/"+server, func(t *testing.T) {
						t.Parallel()
						checkExchange(t, addr, c)
					})
				}
			}
			t.Cleanup(func() {
				c := nodetest.Dial(t, n.Addr())
				if g.pass != "" {
					if v, err := c.Do("AUTH", g.pass); err != nil || v.Kind == resp.Error {
						t.Fatalf("AUTH: %v %s", err, v)
					}
				}
				if v, err := c.Do("PING"); err != nil || string(v.Str) != "PONG" {
					t.Fatalf("PING after the cases: %v %s", err, v)
				}
			})
		})
	}
}

// TestGuardSplitReads feeds every case of the table through the input
// guard and redcon's reader in one piece, a byte per read and three bytes
// per read: the commands redcon gets, the error and the refusal must not
// depend on how the bytes arrive.
func TestGuardSplitReads(t *testing.T) {
	for _, c := range protocolCases() {
		in := []byte(strings.Join(c.in, ""))
		whole := node.GuardFeed([][]byte{in}, 0)
		for _, size := range []int{1, 3} {
			got := node.GuardFeed([][]byte{in}, size)
			if fmt.Sprint(got) != fmt.Sprint(whole) {
				t.Errorf("%s: reads of %d bytes give %v, whole %v", c.name, size, clipAny(got), clipAny(whole))
			}
		}
		if c.closed != whole.Refused || c.closed && !strings.HasSuffix(c.want, whole.Reply) {
			t.Errorf("%s: guard refused %v with %q, want %v %q", c.name, whole.Refused, whole.Reply, c.closed, c.want)
		}
	}
	// After a large request redcon shrinks its buffer by reslicing: the
	// slice it reads into is shorter than its capacity, and the guard must
	// not write past its length.
	// (Inline requests grow when re-encoded, so the output of one read
	// is longer than its input.)
	big := resp.AppendCommand(nil, "SET", "big", strings.Repeat("x", 10000))
	pings := []byte(strings.Repeat("PING\r\n", 2000))
	got := node.GuardFeed([][]byte{big, pings}, 0)
	if len(got.Cmds) != 2001 || got.Refused {
		t.Fatalf("big request then pipeline: %d commands, refused %v", len(got.Cmds), got.Refused)
	}
	// "*0" held back across reads and dropped; "SET k v" rebuilt
	set := resp.AppendCommand(nil, "SET", "k", "v")
	got = node.GuardFeed([][]byte{[]byte("*"), []byte("0\r"), []byte("\n*-1\r\n"), set}, 1)
	if len(got.Cmds) != 1 || fmt.Sprintf("%q", got.Cmds[0]) != `["SET" "k" "v"]` || got.Refused {
		t.Fatalf("split *0 then SET: %v", got)
	}
}

func clipAny(v any) string { return clip(fmt.Sprint(v)) }

// TestHostileCutCommandThenClose sends half a SET and closes: nothing is
// applied, and the node keeps serving.
func TestHostileCutCommandThenClose(t *testing.T) {
	n := nodetest.Start(t)
	nodetest.MustDo(t, n.Addr(), "SET", "canary", "alive")
	full := resp.AppendCommand(nil, "SET", "halfkey", strings.Repeat("v", 100))
	for _, cut := range []int{1, 4, 13, len(full) / 2, len(full) - 1} {
		conn, err := net.Dial("tcp", n.Addr())
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := conn.Write(full[:cut]); err != nil {
			t.Fatal(err)
		}
		conn.Close()
	}
	// the node has seen the connections close once its client count drops
	nodetest.WaitFor(t, 5*time.Second, "cut connections closed", func() (bool, string) {
		c := nodetest.Info(t, n.Addr(), "clients")["connected_clients"]
		return c == "1", "connected_clients=" + c
	})
	if v := nodetest.Do(t, n.Addr(), "EXISTS", "halfkey"); v.Int != 0 {
		t.Fatal("half a SET was applied")
	}
	checkServing(t, n.Addr())
}

// TestHostileGarbageMatchesRedis sends the same seeded random binary
// blobs to replscope and to redis-server and compares the answers.
func TestHostileGarbageMatchesRedis(t *testing.T) {
	n := nodetest.Start(t)
	r := redistest.Start(t)
	nodetest.MustDo(t, n.Addr(), "SET", "canary", "alive")
	r.Do(t, "SET", "canary", "alive")
	rng := rand.New(rand.NewPCG(8, 4))
	for i := 0; i < 40; i++ {
		b := make([]byte, 1+rng.IntN(300))
		for j := range b {
			b[j] = byte(rng.IntN(256))
			switch rng.IntN(10) { // make lines and headers likely
			case 0:
				b[j] = '\n'
			case 1:
				b[j] = '*'
			case 2:
				b[j] = '$'
			case 3:
				b[j] = '\r'
			}
		}
		if j := bytes.IndexByte(b, 0); j >= 0 {
			b = b[:j] // a NUL makes both wait: compared by the table
		}
		c := hostileCase{in: []string{string(b)}}
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			rg, rc, rerr := exchangeAny(r.Addr, c)
			ng, nc, nerr := exchangeAny(n.Addr(), c)
			if rerr != nil || nerr != nil {
				t.Fatalf("blob %q: redis err %v, node err %v", b, rerr, nerr)
			}
			if rg != ng || rc != nc {
				t.Errorf("blob %q:\nredis %q (closed %v)\nnode  %q (closed %v)", b, clip(rg), rc, clip(ng), nc)
			}
			if os.Getenv("HOSTILE_SHOW") != "" {
				t.Logf("%q -> %q closed=%v", clip(string(b)), clip(ng), nc)
			}
		})
	}
	t.Cleanup(func() { checkServing(t, n.Addr()) })
}

// exchangeAny writes c's bytes and reads everything until the server
// closes or stays silent for a while.
func exchangeAny(addr string, c hostileCase) (string, bool, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return "", false, err
	}
	defer conn.Close()
	_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write([]byte(strings.Join(c.in, ""))); err != nil && !isClosed(err) {
		return "", false, err
	}
	var buf bytes.Buffer
	chunk := make([]byte, 4096)
	for {
		_ = conn.SetReadDeadline(time.Now().Add(silence))
		k, err := conn.Read(chunk)
		buf.Write(chunk[:k])
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return buf.String(), false, nil
			}
			if isClosed(err) {
				return buf.String(), true, nil
			}
			return buf.String(), false, err
		}
	}
}
