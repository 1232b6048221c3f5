// Package nodestart starts an embedded replscope node from redis.conf
// arguments: the one way scenarios, the demo (through scenarios) and the
// test helpers (internal/nodetest) bring a node up.
package nodestart

import (
	"fmt"
	"net"

	"github.com/replscope/replscope/node"
	"github.com/replscope/replscope/node/config"
)

// Start loads args as redis-server takes them ("--directive", "value", …
// or a config file first), creates the node with opts (its Source is set
// from args) and starts it serving on ln, or on the configured bind
// address and port when ln is nil. On an error nothing is left running:
// the node is closed, and so is ln.
func Start(args []string, opts node.Options, ln net.Listener) (*node.Node, error) {
	cfg, src, err := config.Load(args)
	if err != nil {
		closeListener(ln)
		return nil, fmt.Errorf("config: %w", err)
	}
	opts.Source = src
	n, err := node.New(cfg, opts)
	if err != nil {
		closeListener(ln)
		return nil, err
	}
	if ln == nil {
		err = n.Start()
	} else {
		err = n.StartListener(ln)
	}
	if err != nil {
		_ = n.Close()
		closeListener(ln)
		return nil, err
	}
	return n, nil
}

func closeListener(ln net.Listener) {
	if ln != nil {
		_ = ln.Close()
	}
}
