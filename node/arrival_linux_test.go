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
	before := time.Now().UnixNano()
	buf, ping := make([]byte, 64), []byte("PING")
	read := func() {
		if _, err := client.Write(ping); err != nil {
			t.Fatal(err)
		}
		k, ts, err := s.read(buf)
		if err != nil || k == 0 {
			t.Fatalf("read: %d bytes, %v", k, err)
		}
		if ts < before {
			t.Fatalf("arrival time %d before the write at %d", ts, before)
		}
	}
	read()
	if allocs := testing.AllocsPerRun(100, read); allocs != 0 {
		t.Fatalf("%.1f allocations per stamped read", allocs)
	}
}
