package node_test

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/nodestart"
	"github.com/replscope/replscope/node"
)

// TestCloseRightAfterStart: Close must return even when the accept loop
// has not started yet (redcon's Close alone would leave it accepting).
func TestCloseRightAfterStart(t *testing.T) {
	for i := 0; i < 50; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		n, err := nodestart.Start([]string{"--port", "0", "--save", "", "--dir", t.TempDir()}, node.Options{Log: io.Discard}, ln)
		if err != nil {
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
