package resp

import (
	"bytes"
	"strings"
	"testing"
)

// ReadRaw returns each RESP3 reply whole, however it nests, and leaves the
// next one unread.
func TestReadRawRESP3(t *testing.T) {
	replies := []string{
		"%2\r\n$1\r\na\r\n,1.5\r\n$1\r\nb\r\n_\r\n",
		"~2\r\n$1\r\nx\r\n#t\r\n",
		">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$2\r\nhi\r\n",
		"=8\r\ntxt:a\r\nb\r\n",
		"*2\r\n*2\r\n$1\r\nm\r\n,inf\r\n(12345678901234567890\r\n",
		"!3\r\nERR\r\n",
		"+OK\r\n",
	}
	r := NewReader(strings.NewReader(strings.Join(replies, "")))
	for _, want := range replies {
		got, err := r.ReadRaw()
		if err != nil {
			t.Fatalf("%q: %v", want, err)
		}
		if !bytes.Equal(got, []byte(want)) {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
}
