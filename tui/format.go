package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/replscope/replscope/internal/human"
)

// fmtBytes renders a byte count as Redis's INFO *_human fields do:
// "44B", "1.20K", "3.00M" (internal/human, the one size formatter).
func fmtBytes(n int64) string { return human.Bytes(n) }

// fmtAge renders an age: "0s", "12s", "3m20s", "2h05m"; "?" when negative
// (unknown).
func fmtAge(d time.Duration) string {
	switch {
	case d < 0:
		return "?"
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s"
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	case d >= 1<<62:
		return "∞"
	default:
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
}

// fmtLagTime renders an age with a tenth of a second below ten seconds:
// data lag estimates and heartbeats.
func fmtLagTime(d time.Duration) string {
	if d >= 0 && d < 10*time.Second {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return fmtAge(d)
}

// shortID shortens a replid or run_id to 8 characters.
func shortID(s string) string {
	if len(s) > 8 {
		return s[:8] + "…"
	}
	if s == "" {
		return "-"
	}
	return s
}

// fit truncates s (which may hold ANSI styles) to width w and pads it
// with spaces to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = ansi.StringWidth(s)
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

// padTo pads plain text s with spaces to w cells (never truncates).
func padTo(s string, w int) string {
	if n := w - ansi.StringWidth(s); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s
}

// padLeft right-aligns plain text s in w cells.
func padLeft(s string, w int) string {
	if n := w - ansi.StringWidth(s); n > 0 {
		return strings.Repeat(" ", n) + s
	}
	return s
}

// clamp bounds v to [lo, hi] (lo wins when hi < lo).
func clamp(v, lo, hi int) int {
	if v > hi {
		v = hi
	}
	if v < lo {
		v = lo
	}
	return v
}

// netCauses are the ends of network errors that say all an operator
// needs: "dial 127.0.0.1:7999: dial tcp 127.0.0.1:7999: connect:
// connection refused" is shown as "connection refused".
var netCauses = []string{"connection refused", "i/o timeout", "no such host", "connection reset by peer",
	"broken pipe", "network is unreachable", "no route to host", "connection timed out", "host is down"}

// briefError shortens a network error to its cause; other texts are kept
// whole (the expand view and the details pane wrap them).
func briefError(s string) string {
	if !strings.Contains(s, "dial ") && !strings.Contains(s, "tcp ") && !strings.Contains(s, "lookup ") {
		return s
	}
	for _, c := range netCauses {
		if strings.HasSuffix(s, c) {
			return c
		}
	}
	return s
}
