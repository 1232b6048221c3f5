// Package tui is replscope's terminal dashboard: a Bubble Tea program that
// shows a replication topology as a live tree, the details of the selected
// node (replication history, offsets, byte lag with a sparkline, backlog
// fill and coverage, heartbeats, sync progress, counters and alerts), an
// event log, and a status bar with key help, and lets the operator attach,
// detach and cut links from the keyboard after a (y/N) confirmation.
//
// The dashboard depends on two small interfaces: a Feed of topology
// snapshots (a *topology.Watcher is one; a running scenario is another)
// and an Operator that carries out replication changes (a
// *topology.Operator is one). `replscope demo`, `replscope watch` and
// `replscope play` all open it through Run.
//
// Structure: one model per pane (tree.go, details.go, eventlog.go,
// statusbar.go, prompt.go, picker.go), one KeyMap (keymap.go), one Styles
// (styles.go); I/O only in tea.Cmds (feed.go, operation.go); sizes come from
// tea.WindowSizeMsg (layout.go).
package tui
