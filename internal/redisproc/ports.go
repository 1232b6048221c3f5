package redisproc

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
)

// Ports are chosen below the kernel's ephemeral range. A port the kernel
// hands out for "127.0.0.1:0" comes from the same range as the local port
// of every outgoing connection, so between closing the probe and starting
// a server on it, any client socket on the machine (another test package
// running at the same time) could take it: CI saw "bind: address already
// in use" that way. Below the range only listeners that ask for a port by
// number can take one, and a port is never handed out twice by one
// process.
const portFloor = 10000

// busOffset is Redis Cluster's bus port offset (port + 10000).
const busOffset = 10000

var given = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// ephemeralLow is the first port of the kernel's ephemeral range (Linux
// reads it from ip_local_port_range; 32768 is its default and the
// fallback elsewhere).
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if lo, err := strconv.Atoi(f[0]); err == nil && lo > portFloor+1000 {
				return lo
			}
		}
	}
	return 32768
}

// free reports whether a listener can bind 127.0.0.1:p now.
func free(p int) bool {
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
	if err != nil {
		return false
	}
	_ = ln.Close()
	return true
}

// freeRun finds n consecutive ports p..p+n-1, below hi, that this process
// never handed out and that are free now (with their cluster bus ports
// when bus is set), and marks them given (bus ports too, so that no later
// call hands out a cluster node's bus port).
func freeRun(n, hi int, bus bool) (int, error) {
	given.Lock()
	defer given.Unlock()
	span := hi - portFloor - n
	if span <= 0 {
		return 0, fmt.Errorf("free port: no room for %d ports in %d..%d", n, portFloor, hi)
	}
	for range 200 {
		base := portFloor + rand.IntN(span)
		ok := true
		for p := base; p < base+n && ok; p++ {
			ok = !given.ports[p] && free(p) && (!bus || !given.ports[p+busOffset] && free(p+busOffset))
		}
		if !ok {
			continue
		}
		for p := base; p < base+n; p++ {
			given.ports[p] = true
			if bus {
				given.ports[p+busOffset] = true
			}
		}
		return base, nil
	}
	return 0, errors.New("free port: no free run of ports below the ephemeral range")
}

// FreePort returns a loopback TCP port that was free a moment ago, chosen
// below the ephemeral range so that no outgoing connection can take it
// before the caller's server binds it.
func FreePort() (int, error) { return FreePorts(1) }

// FreePorts returns the first of n consecutive loopback ports that were
// free a moment ago (a demo cluster takes a base port and the ones after).
func FreePorts(n int) (int, error) {
	return freeRun(n, ephemeralLow(), false)
}

// FreeClusterPort returns a free port whose cluster bus port (port +
// 10000) was free a moment ago too, both below the ephemeral range.
func FreeClusterPort() (int, error) {
	return freeRun(1, ephemeralLow()-busOffset, true)
}
