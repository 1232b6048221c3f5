package script

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, that its errors are *Error
// values pointing into the source, and that a parsed script rendered with
// String parses back to the same title, description and steps.
func FuzzParse(f *testing.F) {
	seeds := []string{
		"# T\n# d\nnode a b c\nreplicaof b a\nwrite a 10 1kb\nwait synced b 5s\nexpect consistent a b\n",
		"node a\nconfig a save \"\"\nexpect a key \"k\\x00\" = \"nil\"\nsay \"a \\\"b\\\" # c\"\n",
		"node a b redis\nload a on 5\nload a off\nsleep 1.5s\nwait link b down\nreplicaof b no one\n",
		"node a\nexpect a key k = nil # gone\nexpect a alert x\nkill a\nrestart a\n",
		"node a b\nset a k v 3s\nset a \"k 1\" \"#v\"\nwait acked a 1 500ms\npause b\nexpect b keys 0\nresume b\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "errors", "*.scn"))
	for _, file := range files {
		if src, err := os.ReadFile(file); err == nil {
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		s, err := Parse("fuzz.scn", src)
		if err != nil {
			checkError(t, src, err)
			return
		}
		out := s.String()
		again, err := Parse("fuzz.scn", []byte(out))
		if err != nil {
			t.Fatalf("rendered script does not parse: %v\nsource:\n%q\nrendered:\n%s", err, src, out)
		}
		if again.Title != s.Title || again.Description != s.Description {
			t.Fatalf("header changed: %q/%q -> %q/%q", s.Title, s.Description, again.Title, again.Description)
		}
		if !reflect.DeepEqual(bare(again.Steps), bare(s.Steps)) {
			t.Fatalf("steps changed on re-parse\nrendered:\n%s\n got: %+v\nwant: %+v", out, bare(again.Steps), bare(s.Steps))
		}
	})
}

// checkError verifies that err is an *Error whose position is inside src.
func checkError(t *testing.T, src []byte, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is %T, want *Error", err, err)
	}
	lines := strings.Split(string(src), "\n")
	if e.Pos.Line < 1 || e.Pos.Line > len(lines) {
		t.Fatalf("error line %d outside 1..%d: %v", e.Pos.Line, len(lines), err)
	}
	if n := len(lines[e.Pos.Line-1]); e.Pos.Col < 1 || e.Pos.Col > n+2 {
		t.Fatalf("error column %d outside 1..%d: %v", e.Pos.Col, n+2, err)
	}
	if e.Msg == "" {
		t.Fatal("error with an empty message")
	}
}
