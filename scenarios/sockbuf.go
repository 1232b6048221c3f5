package scenarios

import (
	"fmt"
	"net"
	"syscall"

	"github.com/replscope/replscope/internal/faultnet"
)

// linkBuffer is the size of the kernel's send and receive buffers of the
// sockets of embedded nodes: their listeners (accepted connections inherit
// it) and their links to masters (fixBuffers). Fixed sizes instead of the
// kernel's autotuning (up to tcp_rmem and tcp_wmem's maximum, many MB
// after a large sync) bound how much of a stream the two kernels absorb
// while a link is paused to about 1 MB (Linux doubles the figure), so
// that a master's output buffer for a paused replica grows by what is
// written minus at most that, on any host: slow-replica relies on it.
const linkBuffer = 256 << 10

// newDialer returns an embedded node's faultnet.Dialer, whose sockets
// have fixed buffers.
func newDialer() *faultnet.Dialer {
	return &faultnet.Dialer{Base: net.Dialer{Control: fixBuffers}}
}

// fixBuffers sets a socket's kernel send and receive buffers to linkBuffer
// bytes each, turning their autotuning off (a net.Dialer or
// net.ListenConfig Control function).
func fixBuffers(_, _ string, rc syscall.RawConn) error {
	var serr error
	err := rc.Control(func(fd uintptr) {
		for _, opt := range []int{syscall.SO_RCVBUF, syscall.SO_SNDBUF} {
			if e := syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, opt, linkBuffer); e != nil && serr == nil {
				serr = e
			}
		}
	})
	if err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("socket buffers: %w", err)
	}
	return nil
}
