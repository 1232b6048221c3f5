package tui

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/replscope/replscope/topology"
)

// commandHelp is the command line's syntax, shown when a line is wrong.
const commandHelp = "replicaof <node> <host:port|node|no one> · detach <node> · kill-link <node>"

// parseCommand turns a `:` command line into an operation on g:
//
//	replicaof <node> <host:port|node>   attach (also: attach <node> <master>)
//	replicaof <node> no one             detach
//	detach <node>
//	kill-link <node>                    (also: killlink, kill)
//
// A node is named by its address, an alias, its port alone ("7002" or
// ":7002") when only one node listens there, or its ID (run_id prefix).
func parseCommand(g *topology.Graph, line string) (operation, error) {
	f := strings.Fields(line)
	if len(f) == 0 {
		return operation{}, errors.New("empty command: " + commandHelp)
	}
	if g == nil {
		return operation{}, errors.New("no topology yet")
	}
	verb := strings.ToLower(f[0])
	args := f[1:]
	switch verb {
	case "replicaof", "slaveof", "attach":
		if len(args) == 3 && strings.EqualFold(args[1], "no") && strings.EqualFold(args[2], "one") {
			return parseDetach(g, args[:1])
		}
		if len(args) == 3 { // replicaof <node> host port
			args = []string{args[0], net.JoinHostPort(args[1], args[2])}
		}
		if len(args) != 2 {
			return operation{}, fmt.Errorf("usage: %s <node> <host:port|node>", verb)
		}
		n, err := resolveNode(g, args[0])
		if err != nil {
			return operation{}, err
		}
		master, err := resolveMaster(g, args[1])
		if err != nil {
			return operation{}, err
		}
		return planAttach(g, n, master)
	case "detach":
		return parseDetach(g, args)
	case "kill-link", "killlink", "kill":
		if len(args) != 1 {
			return operation{}, errors.New("usage: kill-link <node>")
		}
		n, err := resolveNode(g, args[0])
		if err != nil {
			return operation{}, err
		}
		return planKillLink(g, n)
	default:
		return operation{}, fmt.Errorf("unknown command %q: %s", f[0], commandHelp)
	}
}

func parseDetach(g *topology.Graph, args []string) (operation, error) {
	if len(args) != 1 {
		return operation{}, errors.New("usage: detach <node>")
	}
	n, err := resolveNode(g, args[0])
	if err != nil {
		return operation{}, err
	}
	if inCluster(g, n) {
		return operation{}, errors.New(clusterDetachNote())
	}
	return planDetach(g, n), nil
}

// resolveNode finds the node a user means by ref.
func resolveNode(g *topology.Graph, ref string) (*topology.Node, error) {
	if n := g.ByAddr(ref); n != nil && strings.Contains(ref, ":") && !strings.HasPrefix(ref, ":") {
		return n, nil
	}
	if n := g.Node(topology.NodeID(ref)); n != nil {
		return n, nil
	}
	port := strings.TrimPrefix(ref, ":")
	if _, err := strconv.Atoi(port); err == nil {
		var found []*topology.Node
		for _, n := range g.Nodes {
			if hasPort(n.Addr, port) || anyHasPort(n.Aliases, port) {
				found = append(found, n)
			}
		}
		switch len(found) {
		case 1:
			return found[0], nil
		case 0:
			return nil, fmt.Errorf("no node listens on port %s", port)
		default:
			return nil, fmt.Errorf("port %s is ambiguous: give host:port", port)
		}
	}
	if len(ref) >= 4 {
		var found []*topology.Node
		for _, n := range g.Nodes {
			if strings.HasPrefix(string(n.ID), ref) {
				found = append(found, n)
			}
		}
		if len(found) == 1 {
			return found[0], nil
		}
	}
	return nil, fmt.Errorf("no node %q in the topology", ref)
}

// resolveMaster returns the address to follow: a node of the graph, or
// any host:port (the guard then says it cannot judge it).
func resolveMaster(g *topology.Graph, ref string) (string, error) {
	if n, err := resolveNode(g, ref); err == nil {
		return n.Addr, nil
	}
	if _, _, err := net.SplitHostPort(ref); err == nil {
		return topology.CanonAddr(ref), nil
	}
	return "", fmt.Errorf("no node %q in the topology, and it is not host:port", ref)
}

func hasPort(addr, port string) bool {
	_, p, err := net.SplitHostPort(addr)
	return err == nil && p == port
}

func anyHasPort(addrs []string, port string) bool {
	for _, a := range addrs {
		if hasPort(a, port) {
			return true
		}
	}
	return false
}
