package human

import "testing"

// TestBytes checks the forms Redis 7.0's bytesToHuman prints (e.g.
// INFO memory's used_memory_human:1.03M).
func TestBytes(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{
		{0, "0B"}, {44, "44B"}, {1023, "1023B"}, {1024, "1.00K"}, {1536, "1.50K"},
		{1048575, "1024.00K"}, {1 << 20, "1.00M"}, {42048000, "40.10M"},
		{1 << 30, "1.00G"}, {1 << 40, "1.00T"}, {1 << 50, "1.00P"}, {1 << 60, "1024.00P"},
		{-3172, "-3.10K"},
	} {
		if got := Bytes(c.n); got != c.want {
			t.Errorf("Bytes(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}
