package node

import (
	"encoding/binary"
	"io"
	"net"
	"syscall"
	"unsafe"
)

// stampConn turns on kernel receive timestamps for a TCP connection and
// returns its raw connection, or nil when that is not possible.
func stampConn(c net.Conn) syscall.RawConn {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return nil
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1)
	}); err != nil || serr != nil {
		return nil
	}
	return raw
}

// readStamped reads like net.Conn.Read and also returns the kernel's
// arrival time (unix ns) of the data read, 0 when none came with it.
func readStamped(raw syscall.RawConn, p []byte) (n int, ts int64, err error) {
	var oob [64]byte
	var oobn int
	var rerr error
	err = raw.Read(func(fd uintptr) bool {
		for {
			n, oobn, _, _, rerr = syscall.Recvmsg(int(fd), p, oob[:], 0)
			if rerr != syscall.EINTR {
				return rerr != syscall.EAGAIN
			}
		}
	})
	if err == nil && rerr != nil {
		err = &net.OpError{Op: "read", Net: "tcp", Err: rerr}
	}
	if err != nil {
		return 0, 0, err
	}
	if n == 0 && len(p) > 0 {
		return 0, 0, io.EOF
	}
	ts = stampOf(oob[:oobn])
	return n, ts, nil
}

// stampOf finds the SO_TIMESTAMPNS timespec in a recvmsg's control
// messages (0 when there is none), without the allocations of
// syscall.ParseSocketControlMessage.
func stampOf(oob []byte) int64 {
	for len(oob) >= syscall.CmsgLen(0) {
		h := (*syscall.Cmsghdr)(unsafe.Pointer(&oob[0]))
		l := int(h.Len)
		if l < syscall.CmsgLen(0) || l > len(oob) {
			return 0
		}
		data := oob[syscall.CmsgLen(0):l]
		if h.Level == syscall.SOL_SOCKET && h.Type == syscall.SO_TIMESTAMPNS && len(data) >= 16 {
			sec := int64(binary.NativeEndian.Uint64(data[0:8]))
			nsec := int64(binary.NativeEndian.Uint64(data[8:16]))
			return sec*1e9 + nsec
		}
		oob = oob[min(syscall.CmsgSpace(l-syscall.CmsgLen(0)), len(oob)):]
	}
	return 0
}
