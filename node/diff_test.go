package node_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/replscope/replscope/internal/difftest"
)

// TestDifferential runs every script in testdata/diff against the
// installed redis-server and a replscope node and compares the replies
// byte for byte (see internal/difftest for the script format).
func TestDifferential(t *testing.T) {
	p := difftest.Start(t, "--enable-debug-command", "yes")
	difftest.RunDir(t, p, "testdata/diff")
}

// TestPropagationDifferential runs the scripts in testdata/propagation on
// both servers and compares the replication streams they produce: the
// effects (EXPIRE → PEXPIREAT, SET EX → SET PXAT, INCRBYFLOAT → SET
// KEEPTTL, expired keys → DEL, MULTI/EXEC wrapping, SELECT placement).
func TestPropagationDifferential(t *testing.T) {
	p := difftest.Start(t, "--enable-debug-command", "yes")
	files, err := filepath.Glob("testdata/propagation/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no propagation scripts: %v", err)
	}
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(f)
		t.Run(strings.TrimSuffix(name, ".txt"), func(t *testing.T) {
			p.RunStreamScript(t, name, string(text))
		})
	}
}
