package tui

import (
	"context"
	"io"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/replscope/replscope/record"
	"github.com/replscope/replscope/topology"
)

// Options configure the dashboard.
type Options struct {
	// Feed delivers topology snapshots (required): a *topology.Watcher,
	// or a scenario being played.
	Feed Feed
	// Operator carries out attach / detach / kill-link: a
	// *topology.Operator. Nil makes the dashboard read-only.
	Operator Operator
	// ReadOnly removes the operations from the keys and the help.
	ReadOnly bool
	// Title and Subtitle head the screen, e.g. "replscope demo" and
	// "ports 7001-7004".
	Title    string
	Subtitle string
	// Load is the demo's write load, toggled with `w`; nil hides the key.
	Load WriteLoad
	// Replay, instead of a Feed, shows a recorded timeline under a time
	// bar (`replscope replay`, replay.go); the dashboard is read-only.
	Replay *record.Recording
	// Now is the clock for the dashboard's own log lines (default
	// time.Now); snapshot times come from the Graphs.
	Now func() time.Time

	// Terminal settings, used by Run only: the zero values mean the
	// process's stdin, stdout and environment. NO_COLOR set to anything
	// non-empty in Env turns colour off.
	Input  io.Reader
	Output io.Writer
	Env    []string
}

// pane names the focusable panes.
type pane int

const (
	paneTree pane = iota
	paneDetails
	paneLog
	paneCount
)

// mode says what has the keyboard.
type mode int

const (
	modeNormal  mode = iota
	modeFilter       // typing a `/` filter
	modeCommand      // typing a `:` command
	modePicker       // choosing a master for `a`
	modeConfirm      // the (y/N) prompt
	modeExpand       // an event shown whole
	modeJump         // typing a replay's `t` time
)

// Model is the dashboard's root Bubble Tea model. It owns one model per
// pane and routes keys by mode. Use New, then run it in a tea.Program
// (Run does both), or embed it in another program.
type Model struct {
	ctx  context.Context
	feed Feed
	op   Operator
	st   *state

	tree    treePane
	details detailsPane
	log     logPane
	prompt  promptPane
	picker  pickerPane
	input   textinput.Model
	help    help.Model

	width, height int
	focus         pane
	mode          mode
	showHelp      bool
	status        string // last message, cleared by the next key
	statusErr     bool
	busy          string // the command in flight
	held          *topology.Update
	oneShot       bool
	rp            *replay // the recording replayed; nil on a live feed
}

// New returns the dashboard's model. ctx bounds the feed subscription and
// the operations: cancel it when the program ends.
func New(ctx context.Context, opts Options) *Model {
	readOnly := opts.ReadOnly || opts.Operator == nil
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	pacer, _ := opts.Feed.(Pacer)
	stepper, _ := opts.Feed.(Stepper)
	_, pauser := opts.Feed.(Pauser)
	st := &state{
		styles:   DefaultStyles(),
		keys:     DefaultKeyMap(readOnly, opts.Load != nil, pacer != nil, stepper != nil),
		readOnly: readOnly,
		title:    opts.Title,
		subtitle: opts.Subtitle,
		hist:     newHistory(),
		load:     opts.Load,
		now:      now,

		stepper:    stepper,
		selfPaused: stepper != nil && pauser,
	}
	if st.title == "" {
		st.title = "replscope"
	}
	if opts.Load != nil {
		st.loadOn = opts.Load.Enabled()
	}
	if pacer != nil {
		st.pacer, st.speed = pacer, pacer.Speed()
	}
	m := &Model{ctx: ctx, feed: opts.Feed, op: opts.Operator, st: st, width: 80, height: 24}
	if readOnly {
		m.op = nil
	}
	if opts.Replay != nil {
		m.rp, m.feed, m.op = newReplay(opts.Replay), nil, nil
		st.keys = DefaultKeyMap(true, false, false, false).withReplay()
		st.readOnly = true
	}
	m.tree = treePane{st: st}
	m.details = detailsPane{st: st}
	m.log = logPane{st: st}
	m.help = help.New()
	m.help.Styles = st.styles.Help
	m.input = textinput.New()
	m.input.CharLimit = 200
	return m
}

// Init starts the feed subscription, or shows a replay's first step.
func (m *Model) Init() tea.Cmd {
	if m.rp != nil {
		return m.replayInit()
	}
	return waitForUpdate(m.ctx, m.feed)
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.fixScroll()
		return m, nil
	case updateMsg:
		m.onUpdate(msg.u)
		return m, waitForUpdate(m.ctx, m.feed)
	case feedClosedMsg:
		m.st.feedClosed = true
		m.setStatus("the feed ended: this is the last snapshot", true)
		return m, nil
	case opDoneMsg:
		return m, m.onOpDone(msg)
	case loadMsg:
		m.st.loadOn = msg.on
		if msg.on {
			m.setStatus("write load on", false)
		} else {
			m.setStatus("write load off", false)
		}
		return m, nil
	case speedMsg:
		m.st.speed = msg.x
		return m, nil
	case replayTickMsg:
		return m, m.onReplayTick(msg)
	case tea.KeyPressMsg:
		return m, m.onKey(msg)
	}
	if m.mode == modeFilter || m.mode == modeCommand || m.mode == modeJump {
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		return m, cmd
	}
	return m, nil
}

// onUpdate applies a snapshot, or holds it while paused (unless the feed
// holds its own story).
func (m *Model) onUpdate(u topology.Update) {
	if m.holding() && !m.oneShot {
		if h := m.held; h != nil {
			if u.Graph == nil { // an events-only update keeps the held snapshot
				u.Graph = h.Graph
			}
			u.Events = slices.Concat(h.Events, u.Events)
			if n := len(u.Events); n > logCapacity {
				u.Events = u.Events[n-logCapacity:]
			}
		}
		m.held = &u
		m.st.held++
		return
	}
	m.oneShot = false
	m.apply(u)
}

// holding reports whether snapshots are held: while paused, when the feed
// does not hold its own story instead.
func (m *Model) holding() bool { return m.st.paused && !m.st.selfPaused }

// apply installs a snapshot in every pane; the end of a scenario puts
// its summary in the status bar.
func (m *Model) apply(u topology.Update) {
	m.st.apply(u)
	for _, e := range u.Events {
		if e.Kind == EventScenarioDone {
			m.setStatus(e.Detail, !passed(e.Detail))
		}
	}
	m.tree.setRows()
	m.log.addEvents(u.Events)
	m.fixScroll()
}

// onOpDone logs an operation's outcome and asks for a fresh snapshot.
func (m *Model) onOpDone(msg opDoneMsg) tea.Cmd {
	m.busy = ""
	m.log.add(opEntry(m.st.now(), msg.op, msg.out, msg.err))
	if msg.err != nil {
		m.setStatus(msg.op.Command+" on "+msg.op.Target+" failed: "+briefError(msg.err.Error()), true)
	} else {
		summary := msg.out.Summary
		if summary == "" {
			summary = msg.op.Command + " → " + msg.out.Reply
		}
		m.setStatus(summary, false)
	}
	if m.feed == nil {
		return nil
	}
	return refreshCmd(m.feed)
}

// setStatus shows a message in the status bar until the next key.
func (m *Model) setStatus(s string, isErr bool) {
	m.status, m.statusErr = s, isErr
}

// layout computes where the panes go now.
func (m *Model) layout() layout {
	headerH := 1
	if m.st.caption != "" || m.rp != nil {
		headerH = 2
	}
	bottom := 0
	if m.showHelp {
		bottom = m.helpHeight(m.width)
	}
	return computeLayout(m.width, m.height, headerH, len(m.tree.rows), bottom)
}

// fixScroll keeps cursors visible after a move, a resize or a snapshot.
func (m *Model) fixScroll() {
	l := m.layout()
	m.tree.scroll(l.bodyH - 1)
	m.log.scroll(0, max(l.bottomH-1, 0))
}

// selected returns the node under the tree cursor.
func (m *Model) selected() *topology.Node { return m.tree.selectedNode() }

// View draws the whole screen.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = m.st.title
	return v
}

// render composes the panes into the screen's text.
func (m *Model) render() string {
	l := m.layout()
	var b strings.Builder
	b.Grow(m.width * m.height * 2)
	b.WriteString(m.headerView(l.w))
	if m.rp != nil {
		b.WriteByte('\n')
		b.WriteString(m.timeBarView(l.w))
	} else if m.st.caption != "" {
		b.WriteByte('\n')
		b.WriteString(fit(m.st.styles.Caption.Render("» "+m.st.caption), l.w))
	}
	var left, right []string
	switch {
	case l.detailsW > 0:
		left = m.tree.view(l.treeW, l.bodyH, m.focus == paneTree && m.mode == modeNormal)
		right = m.rightView(l.detailsW, l.bodyH)
	case m.mode == modePicker || m.mode == modeConfirm || m.mode == modeExpand || m.focus == paneDetails:
		left = m.rightView(l.treeW, l.bodyH) // narrow: one pane at a time
	default:
		left = m.tree.view(l.treeW, l.bodyH, m.focus == paneTree && m.mode == modeNormal)
	}
	sep := m.st.styles.Rule.Render("│")
	for i := 0; i < l.bodyH; i++ {
		b.WriteByte('\n')
		b.WriteString(left[i])
		if right != nil {
			b.WriteString(sep)
			b.WriteString(right[i])
		}
	}
	if l.bottomH > 0 {
		var bottom []string
		if m.showHelp {
			bottom = m.helpView(l.w, l.bottomH)
		} else {
			bottom = m.log.view(l.w, l.bottomH, m.focus == paneLog && (m.mode == modeNormal || m.mode == modeExpand))
		}
		for _, line := range bottom {
			b.WriteByte('\n')
			b.WriteString(line)
		}
	}
	b.WriteByte('\n')
	b.WriteString(m.statusView(l.w))
	return b.String()
}

// rightView is the details pane, or the picker / prompt while one is open.
func (m *Model) rightView(w, h int) []string {
	switch m.mode {
	case modePicker:
		return m.picker.view(w, h)
	case modeConfirm:
		return m.prompt.view(w, h)
	case modeExpand:
		return m.expandView(w, h)
	}
	return m.details.view(m.selected(), w, h, m.focus == paneDetails && m.mode == modeNormal)
}
