// Package nodestart starts an embedded replscope node from redis.conf
// arguments: the one way `replscope node`, the scenarios (and the demo,
// through them) and the test helpers (internal/nodetest) bring a node up.
package nodestart

import (
	"net"

	"github.com/replscope/replscope/node"
	"github.com/replscope/replscope/node/config"
)

// ConfigError is a failure to load the arguments: `replscope node` prints
// it as it is, as redis-server prints its config errors.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return "config: " + e.Err.Error() }

// Unwrap returns the loader's error.
func (e *ConfigError) Unwrap() error { return e.Err }

// Start is StartWith with the same options whatever the configuration.
func Start(args []string, opts node.Options, ln net.Listener) (*node.Node, error) {
	return StartWith(args, func(*config.Config) node.Options { return opts }, ln)
}

// StartWith loads args as redis-server takes them ("--directive", "value",
// … or a config file first), creates the node with the options optsFor
// gives for that configuration (their Source is set from args), logs the
// directives it accepts but ignores, as the node's first lines, and starts
// it serving on ln, or on the configured bind address and port when ln is
// nil. On an error nothing is left running: the node is closed, and so is
// ln; a configuration that does not load is a *ConfigError.
func StartWith(args []string, optsFor func(*config.Config) node.Options, ln net.Listener) (*node.Node, error) {
	cfg, src, err := config.Load(args)
	if err != nil {
		closeListener(ln)
		return nil, &ConfigError{Err: err}
	}
	opts := optsFor(cfg)
	opts.Source = src
	n, err := node.New(cfg, opts)
	if err != nil {
		closeListener(ln)
		return nil, err
	}
	for _, w := range src.Warnings {
		n.Logger().Noticef("%s", w)
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
