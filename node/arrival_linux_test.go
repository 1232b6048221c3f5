package node

import (
	"encoding/binary"
	"net"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// TestStampOf reads the SO_TIMESTAMPNS timespec out of control messages
// laid out as the kernel lays them out, after another message or none.
func TestStampOf(t *testing.T) {
	msg := func(level, typ int32, data []byte) []byte {
		b := make([]byte, syscall.CmsgSpace(len(data)))
		h := (*syscall.Cmsghdr)(unsafe.Pointer(&b[0]))
		h.Level, h.Type = level, typ
		h.SetLen(syscall.CmsgLen(len(data)))
		copy(b[syscall.CmsgLen(0):], data)
		return b
	}
	ts := make([]byte, 16)
	binary.NativeEndian.PutUint64(ts[0:8], 1700000000)
	binary.NativeEndian.PutUint64(ts[8:16], 123456789)
	want := int64(1700000000)*1e9 + 123456789
	other := msg(syscall.SOL_SOCKET, syscall.SCM_RIGHTS, []byte{1, 2, 3, 4})
	for _, tc := range []struct {
		name string
		oob  []byte
		want int64
	}{
		{"none", nil, 0},
		{"stamp", msg(syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, ts), want},
		{"after another", append(other, msg(syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, ts)...), want},
		{"other only", other, 0},
		{"truncated", msg(syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, ts)[:20], 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := stampOf(tc.oob); got != tc.want {
				t.Fatalf("stampOf = %d, want %d", got, tc.want)
			}
		})
	}
}

// TestStampReaderReadsWithoutAllocating: a stamped read of data waiting
// on a loopback socket returns it with its arrival time and allocates
// nothing (it allocated five times per read when its callback closed over
// locals).
func TestStampReaderReadsWithoutAllocating(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	s := stampConn(server)
	if s == nil {
		t.Fatal("no stamped reader for a TCP connection")
	}
	buf, ping := make([]byte, 64), []byte("PING")
	readOnce := func() int64 {
		if _, err := client.Write(ping); err != nil {
			t.Fatal(err)
		}
		k, ts, err := s.read(buf)
		if err != nil || k == 0 {
			t.Fatalf("read: %d bytes, %v", k, err)
		}
		return ts
	}
	// The kernel turns receive timestamps on lazily (a deferred static
	// key, when the first socket on the machine asks for them): data that
	// arrived before that carries no stamp, and TCP then reports none.
	// Wait until stamps flow, within a bound.
	for deadline := time.Now().Add(5 * time.Second); readOnce() == 0; {
		if time.Now().After(deadline) {
			t.Fatal("no arrival time on any read for 5 s")
		}
		time.Sleep(time.Millisecond)
	}
	before := time.Now().UnixNano()
	read := func() {
		if ts := readOnce(); ts < before {
			t.Fatalf("arrival time %d before the write at %d", ts, before)
		}
	}
	if allocs := testing.AllocsPerRun(100, read); allocs != 0 {
		t.Fatalf("%.1f allocations per stamped read", allocs)
	}
}
