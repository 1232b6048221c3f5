package tui

// layout is where each pane goes for a window size: a header line (and a
// caption line while a scenario shows one), the tree and details side by
// side, the event log (or the full help) below, and the status bar.
// Narrow windows drop the details column; short ones shrink the log
// first.
type layout struct {
	w, h     int
	headerH  int
	bodyH    int // tree and details, title lines included
	treeW    int
	detailsW int // 0 when there is no room: the details pane is hidden
	bottomH  int // event log or full help, title line included
	statusH  int
}

// minDetailsW is the narrowest details pane worth drawing.
const minDetailsW = 30

// minBodyH is the body height the details of a node need; a short tree
// leaves the rest of a tall window to the event log.
const minBodyH = 18

// computeLayout splits a w×h window. treeRows is the tree's row count;
// bottomWant is the height the bottom pane asks for (0: the default share
// for the event log). The tree/details divider depends on the width
// alone, never on the content, so it stays put as offsets grow: the tree
// drops columns instead (treePane.columns).
func computeLayout(w, h, headerH, treeRows, bottomWant int) layout {
	l := layout{w: w, h: h, headerH: headerH, statusH: 1}
	avail := max(h-headerH-l.statusH, 0)
	l.bottomH = clamp(h/4, 4, 14)
	if bottomWant > 0 {
		l.bottomH = max(l.bottomH, bottomWant)
	}
	l.bottomH = max(l.bottomH, avail-max(treeRows+1, minBodyH))
	l.bottomH = min(l.bottomH, max(avail-4, 0))
	if avail-l.bottomH < 4 { // too short for both: the tree wins
		l.bottomH = 0
	}
	l.bodyH = avail - l.bottomH
	share := w / 2
	if w >= 120 {
		share = w * 45 / 100
	}
	l.treeW = max(share, 28)
	l.detailsW = w - l.treeW - 1
	if l.detailsW < minDetailsW {
		l.treeW, l.detailsW = w, 0
	}
	return l
}
