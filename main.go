// Command replscope runs Redis-compatible replication nodes and a dashboard
// for operating and observing master/replica replication.
package main

import (
	"fmt"
	"os"
)

// version is the replscope release; set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) == 0 {
		return runDemo(nil)
	}
	switch args[0] {
	case "node":
		return runNode(args[1:])
	case "watch":
		return runWatch(args[1:])
	case "demo":
		return runDemo(args[1:])
	case "play":
		return runPlay(args[1:])
	case "replay":
		return runReplay(args[1:])
	case "version", "--version", "-v":
		fmt.Printf("replscope %s\n", version)
		return 0
	case "help", "-h", "--help":
		usage(os.Stdout)
		return 0
	default:
		fmt.Fprintf(os.Stderr, "replscope: unknown command %q\n", args[0])
		usage(os.Stderr)
		return 2
	}
}

func usage(w *os.File) {
	fmt.Fprint(w, `usage:
  replscope demo  [--nodes N] [--base-port P] [--password PW] [--readonly] [--scenario NAME] [--record FILE]
                                                     embedded topology + dashboard (the default)
  replscope play  SCENARIO|FILE [--headless] [--speed X] [--record FILE] | --list
                                                     replay a scripted replication story
  replscope node  [redis.conf] [--directive value ...]  a headless node, redis-server style
  replscope watch ADDR... [--password PW] [--readonly] [--interval D] [--json [--once]] [--record FILE]
                                                     observe and operate a replication graph
  replscope replay FILE [--at TIME --once [--json]]  a recorded timeline, on the dashboard or as text
  replscope version
`)
}
