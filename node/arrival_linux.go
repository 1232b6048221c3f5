package node

import (
	"encoding/binary"
	"io"
	"net"
	"syscall"
	"unsafe"
)

// stampReader reads a TCP connection with the kernel's arrival time of
// each read's data. Its state lives in the value, with the callback made
// once, so that a read does not allocate (a closure over locals, passed
// to RawConn.Read, moved them all to the heap on every read).
type stampReader struct {
	raw  syscall.RawConn
	recv func(fd uintptr) bool // s.recvmsg, bound once
	p    []byte
	oob  [64]byte
	n    int
	oobn int
	err  error
}

// stampConn turns on kernel receive timestamps for a TCP connection and
// returns its reader, or nil when that is not possible.
func stampConn(c net.Conn) *stampReader {
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
	s := &stampReader{raw: raw}
	s.recv = s.recvmsg
	return s
}

func (s *stampReader) recvmsg(fd uintptr) bool {
	for {
		s.n, s.oobn, _, _, s.err = syscall.Recvmsg(int(fd), s.p, s.oob[:], 0)
		if s.err != syscall.EINTR {
			return s.err != syscall.EAGAIN
		}
	}
}

// read reads like net.Conn.Read and also returns the kernel's arrival
// time (unix ns) of the data read, 0 when none came with it.
func (s *stampReader) read(p []byte) (n int, ts int64, err error) {
	s.p, s.n, s.oobn, s.err = p, 0, 0, nil
	err = s.raw.Read(s.recv)
	s.p = nil
	if err == nil && s.err != nil {
		err = &net.OpError{Op: "read", Net: "tcp", Err: s.err}
	}
	if err != nil {
		return 0, 0, err
	}
	if s.n == 0 && len(p) > 0 {
		return 0, 0, io.EOF
	}
	return s.n, stampOf(s.oob[:s.oobn]), nil
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
