//go:build !linux

package node

import (
	"net"
)

// stampReader: kernel receive timestamps are read on Linux only.
type stampReader struct{}

// stampConn: kernel receive timestamps are read on Linux only.
func stampConn(net.Conn) *stampReader { return nil }

func (*stampReader) read([]byte) (int, int64, error) { panic("unreachable") }
