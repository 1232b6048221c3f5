package tlsutil_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/tlsutil"
)

// TestCAPool: nothing given is no pool; a CA file must hold a
// certificate; a directory's files without one (a key) are skipped, and
// so are subdirectories.
func TestCAPool(t *testing.T) {
	if p, err := tlsutil.CAPool("", ""); p != nil || err != nil {
		t.Fatalf("empty: %v %v", p, err)
	}
	f := nodetest.GenerateTLS(t)
	if _, err := tlsutil.CAPool(f.Key, ""); err == nil || !strings.Contains(err.Error(), "no certificate in") {
		t.Fatalf("a key as CA file: %v", err)
	}
	if err := os.Mkdir(filepath.Join(f.Dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	if p, err := tlsutil.CAPool("", f.Dir); err != nil || p == nil {
		t.Fatalf("CA dir: %v", err)
	}
	if _, err := tlsutil.CAPool(filepath.Join(f.Dir, "missing.crt"), ""); err == nil {
		t.Fatal("a missing CA file is no error")
	}
}
