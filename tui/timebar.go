package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// Time bar symbols: play state, the cursor, the steps that raised or
// cleared an alert or changed a role.
const (
	symPlaying = "▶"
	symTimeCur = "●"
	symMark    = "◆"
)

// timeBarView is the replay's time bar, one line of width w:
//
//	▶ 03:02:01 +2m01s ━━━━━◆━━●──◆────── 03:10:00 · step 12/95 · 2×
//
// the play state, the cursor's time and offset from the start, the
// recording with the played part drawn heavy and the marked steps
// (alerts, role changes) as ◆, its end, the step and the speed.
func (m *Model) timeBarView(w int) string {
	r, st := m.rp, m.st.styles
	rec := r.rec
	state := st.Warn.Render(symPaused)
	if r.playing {
		state = st.OK.Render(symPlaying)
	}
	start, end := rec.Start(), rec.End()
	left := fmt.Sprintf("%s %s %s ", state, st.Strong.Render(clock(r.at, start, end)),
		st.Dim.Render("+"+shortSpan(r.at.Sub(start))))
	right := fmt.Sprintf(" %s %s %s", clock(end, start, end),
		st.Dim.Render(fmt.Sprintf("· step %d/%d ·", r.shown+1, len(rec.Steps))), fmt.Sprintf("%g×", r.speed))
	barW := w - ansi.StringWidth(left) - ansi.StringWidth(right)
	if barW < 10 { // narrow: the time and the step only
		return fit(left+st.Dim.Render(fmt.Sprintf("step %d/%d", r.shown+1, len(rec.Steps))), w)
	}
	return fit(left+m.barCells(barW, start, end)+right, w)
}

// barCells draws the recording's span in n cells.
func (m *Model) barCells(n int, start, end time.Time) string {
	r, st := m.rp, m.st.styles
	span := end.Sub(start)
	cell := func(t time.Time) int {
		if span <= 0 {
			return n - 1
		}
		return clamp(int(int64(n-1)*int64(t.Sub(start))/int64(span)), 0, n-1)
	}
	marks := make([]bool, n)
	for _, s := range r.rec.Steps {
		if s.Mark {
			marks[cell(s.At)] = true
		}
	}
	cur := cell(r.at)
	var b strings.Builder
	for i := range n {
		switch {
		case i == cur:
			b.WriteString(st.Cursor.Render(symTimeCur))
		case marks[i]:
			b.WriteString(st.Warn.Render(symMark))
		case i < cur:
			b.WriteString(st.GaugeFull.Render("━"))
		default:
			b.WriteString(st.GaugeEmpty.Render("─"))
		}
	}
	return b.String()
}

// clock shows t as a time of day, with the date when the recording
// spans more than one.
func clock(t, start, end time.Time) string {
	if start.YearDay() != end.YearDay() || start.Year() != end.Year() {
		return t.Format("01-02 15:04:05")
	}
	return t.Format("15:04:05")
}

// shortSpan renders a duration from the start: 45s, 2m01s, 3h04m.
func shortSpan(d time.Duration) string {
	d = d.Truncate(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}
