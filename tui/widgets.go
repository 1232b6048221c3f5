package tui

import (
	"strings"
	"time"
)

// sparkRunes are the eight levels of a sparkline.
var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// sparkline draws samples taken within [now-window, now] as width cells,
// each the largest value in its slice of time, scaled to the largest value
// overall. A slice with no sample repeats the one before it; slices before
// the first sample are blank. It also returns the largest value.
func sparkline(samples []lagSample, now time.Time, window time.Duration, width int) (string, int64) {
	if width <= 0 {
		return "", 0
	}
	buckets := make([]int64, width)
	seen := make([]bool, width)
	var peak int64
	start := now.Add(-window)
	for _, s := range samples {
		if s.at.Before(start) || s.at.After(now) {
			continue
		}
		i := int(int64(s.at.Sub(start)) * int64(width) / int64(window))
		i = clamp(i, 0, width-1)
		if !seen[i] || s.bytes > buckets[i] {
			buckets[i] = s.bytes
		}
		seen[i] = true
		peak = max(peak, s.bytes)
	}
	// hold each sample until the next one: polls are sparser than cells
	for i := 1; i < width; i++ {
		if !seen[i] && seen[i-1] {
			buckets[i], seen[i] = buckets[i-1], true
		}
	}
	var b strings.Builder
	for i, v := range buckets {
		switch {
		case !seen[i]:
			b.WriteByte(' ')
		case peak == 0:
			b.WriteRune(sparkRunes[0])
		default:
			lvl := int(v * int64(len(sparkRunes)-1) / peak)
			b.WriteRune(sparkRunes[lvl])
		}
	}
	return b.String(), peak
}

// bar draws a horizontal gauge of width cells filled to frac (0..1):
// the filled and the empty part, to be styled separately.
func bar(frac float64, width int) (full, empty string) {
	if width <= 0 {
		return "", ""
	}
	frac = min(max(frac, 0), 1)
	n := int(frac*float64(width) + 0.5)
	return strings.Repeat("█", n), strings.Repeat("░", width-n)
}

// gauge renders a styled bar between brackets.
func (s Styles) gauge(frac float64, width int) string {
	full, empty := bar(frac, width)
	return "[" + s.GaugeFull.Render(full) + s.GaugeEmpty.Render(empty) + "]"
}
