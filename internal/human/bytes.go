// Package human renders sizes for people, the one way replscope does it:
// as Redis renders its *_human INFO fields.
package human

import (
	"fmt"
	"strconv"
)

// Bytes renders n as Redis's bytesToHuman does (used_memory_human and
// friends): "0B", "1023B", "1.00K", "40.13M", "2.50G", "1.00T", "1.00P",
// with 1024 multiples. Negative counts keep their sign.
func Bytes(n int64) string {
	if n < 0 {
		if n == -n { // math.MinInt64
			return strconv.FormatInt(n, 10) + "B"
		}
		return "-" + Bytes(-n)
	}
	units := []string{"K", "M", "G", "T", "P"}
	if n < 1024 {
		return strconv.FormatInt(n, 10) + "B"
	}
	d := float64(n) / 1024
	for _, u := range units {
		if d < 1024 || u == "P" {
			return fmt.Sprintf("%.2f%s", d, u)
		}
		d /= 1024
	}
	return strconv.FormatInt(n, 10) + "B"
}
