package node_test

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/replscope/replscope/node"
	"github.com/replscope/replscope/node/config"
)

// TestCloseRightAfterStart: Close must return even when the accept loop
// has not started yet (redcon's Close alone would leave it accepting).
func TestCloseRightAfterStart(t *testing.T) {
	for i := 0; i < 50; i++ {
		cfg, _, err := config.Load([]string{"--port", "0", "--save", "", "--dir", t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		n, err := node.New(cfg, node.Options{Log: io.Discard})
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		if err := n.StartListener(ln); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { _ = n.Close(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("Close right after Start hung (iteration %d)", i)
		}
	}
}
