//go:build !linux

package node

import (
	"net"
	"syscall"
)

// stampConn: kernel receive timestamps are read on Linux only.
func stampConn(net.Conn) syscall.RawConn { return nil }

func readStamped(syscall.RawConn, []byte) (int, int64, error) { panic("unreachable") }
