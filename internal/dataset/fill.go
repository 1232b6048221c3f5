package dataset

import (
	"fmt"
	"strconv"

	"github.com/replscope/replscope/internal/resp"
)

// fillBatchBytes bounds the commands Fill pipelines at once.
const fillBatchBytes = 4 << 20

// Fill sets the keys prefix+first … prefix+last (decimal numbers) to
// value through c, pipelined in batches of at most 1000 commands and about
// 4 MB. It stops at the first error, a transport error or an error reply.
func Fill(c *resp.Client, prefix string, first, last int64, value string) error {
	batch := int64(max(1, min(1000, fillBatchBytes/max(1, len(value)))))
	var buf []byte
	for lo := first; lo <= last; lo += batch {
		hi := min(lo+batch-1, last)
		buf = buf[:0]
		for k := lo; k <= hi; k++ {
			buf = resp.AppendCommand(buf, "SET", prefix+strconv.FormatInt(k, 10), value)
		}
		if err := c.WriteRaw(buf); err != nil {
			return fmt.Errorf("fill %s%d…%d: %w", prefix, lo, hi, err)
		}
		for k := lo; k <= hi; k++ {
			v, err := c.Receive()
			if err == nil {
				err = v.Err()
			}
			if err != nil {
				return fmt.Errorf("SET %s%d: %w", prefix, k, err)
			}
		}
	}
	return nil
}
