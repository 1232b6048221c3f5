package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// onKey routes a key press by mode.
func (m *Model) onKey(k tea.KeyPressMsg) tea.Cmd {
	switch m.mode {
	case modeConfirm:
		return m.confirmKey(k)
	case modePicker:
		return m.pickerKey(k)
	case modeFilter, modeCommand, modeJump:
		return m.inputKey(k)
	case modeExpand:
		return m.expandKey(k)
	}
	return m.normalKey(k)
}

// normalKey handles keys when no modal state is open.
func (m *Model) normalKey(k tea.KeyPressMsg) tea.Cmd {
	keys := m.st.keys
	m.status = ""
	if m.rp != nil {
		if cmd, ok := m.replayKey(k); ok {
			return cmd
		}
	}
	switch {
	case key.Matches(k, keys.Quit):
		return tea.Quit
	case key.Matches(k, keys.ReadOnlyOps):
		m.setStatus(readOnlyNote, true)
	case key.Matches(k, keys.Help):
		m.showHelp = !m.showHelp
		m.fixScroll()
	case key.Matches(k, keys.Cancel):
		m.showHelp = false
		if m.tree.filter != "" {
			m.tree.setFilter("")
		}
		m.fixScroll()
	case key.Matches(k, keys.Up):
		m.moveFocused(-1)
	case key.Matches(k, keys.Down):
		m.moveFocused(1)
	case key.Matches(k, keys.Top):
		m.jumpFocused(true)
	case key.Matches(k, keys.Bottom):
		m.jumpFocused(false)
	case key.Matches(k, keys.NextPane):
		m.focus = (m.focus + 1) % paneCount
	case key.Matches(k, keys.PrevPane):
		m.focus = (m.focus + paneCount - 1) % paneCount
	case key.Matches(k, keys.Expand) && m.focus == paneLog:
		m.openExpand()
	case key.Matches(k, keys.Filter):
		return m.openInput(modeFilter, "/", m.tree.filter)
	case key.Matches(k, keys.Command):
		return m.openInput(modeCommand, ":", "")
	case key.Matches(k, keys.Attach):
		m.startAttach()
	case key.Matches(k, keys.Detach):
		if n := m.selected(); inCluster(m.st.graph, n) {
			m.setStatus(clusterDetachNote(), true)
		} else if n != nil {
			m.ask(planDetach(m.st.graph, n))
		}
	case key.Matches(k, keys.Failover):
		if n := m.selected(); inCluster(m.st.graph, n) {
			op, err := planFailover(m.st.graph, n)
			if err != nil {
				m.setStatus(err.Error(), true)
				return nil
			}
			m.ask(op)
		} else {
			m.startFailover()
		}
	case key.Matches(k, keys.KillLink):
		if n := m.selected(); n != nil {
			op, err := planKillLink(m.st.graph, n)
			if err != nil {
				m.setStatus(err.Error(), true)
				return nil
			}
			m.ask(op)
		}
	case key.Matches(k, keys.Load):
		return toggleLoadCmd(m.st.load, !m.st.loadOn)
	case key.Matches(k, keys.Faster):
		return setSpeedCmd(m.st.pacer, min(m.st.speed*2, maxSpeed))
	case key.Matches(k, keys.Slower):
		return setSpeedCmd(m.st.pacer, max(m.st.speed/2, minSpeed))
	case key.Matches(k, keys.Pause):
		return m.togglePause()
	case key.Matches(k, keys.Next):
		return m.nextStep()
	case key.Matches(k, keys.Refresh):
		return m.refresh()
	}
	return nil
}

// moveFocused moves the focused pane's cursor or scroll position.
func (m *Model) moveFocused(delta int) {
	l := m.layout()
	switch m.focus {
	case paneTree:
		m.tree.move(delta)
		m.details.offset = 0
	case paneDetails:
		m.details.scroll(delta)
	case paneLog:
		m.log.moveSel(-delta, max(l.bottomH-1, 0))
	}
	m.fixScroll()
}

// jumpFocused goes to the top or bottom of the focused pane.
func (m *Model) jumpFocused(top bool) {
	switch m.focus {
	case paneTree:
		m.tree.jump(top)
		m.details.offset = 0
	case paneDetails:
		if top {
			m.details.offset = 0
		} else {
			m.details.offset = 1 << 20 // clamped when drawn
		}
	case paneLog:
		if top {
			m.log.sel = max(len(m.log.entries)-1, 0)
		} else {
			m.log.sel = 0
		}
		m.log.follow(max(m.layout().bottomH-1, 0))
	}
	m.fixScroll()
}

// togglePause freezes or resumes the display; a Pauser feed is told too.
// A feed that holds its own story (a scenario) is paused instead of the
// display, which stays live.
func (m *Model) togglePause() tea.Cmd {
	m.st.paused = !m.st.paused
	if m.st.selfPaused {
		if m.st.paused {
			keys := m.st.keys
			m.setStatus("paused before the next step: "+keys.Pause.Help().Key+" resumes, "+keys.Next.Help().Key+" runs one step", false)
		} else {
			m.setStatus("resumed", false)
		}
		return pauseCmd(m.feed, m.st.paused)
	}
	if m.st.paused {
		m.setStatus("paused: snapshots are held; p resumes, r shows one", false)
		return pauseCmd(m.feed, true)
	}
	m.st.held = 0
	if m.held != nil {
		u := *m.held
		m.held = nil
		m.apply(u)
	}
	m.setStatus("resumed", false)
	return pauseCmd(m.feed, false)
}

// nextStep has a Stepper feed run its next step now.
func (m *Model) nextStep() tea.Cmd {
	if m.st.stepper == nil {
		return nil
	}
	m.setStatus("next step", false)
	return stepCmd(m.st.stepper)
}

// refresh asks the feed for a snapshot now; while paused, the held one
// (or the next to arrive) is shown once.
func (m *Model) refresh() tea.Cmd {
	if m.feed == nil {
		return nil
	}
	if m.holding() {
		if m.held != nil {
			u := *m.held
			m.held, m.st.held = nil, 0
			m.apply(u)
		} else {
			m.oneShot = true
		}
	}
	m.setStatus("refreshing…", false)
	return refreshCmd(m.feed)
}

// startAttach opens the master picker for the selected node.
func (m *Model) startAttach() {
	n := m.selected()
	if n == nil {
		return
	}
	m.picker = newPicker(m.st, m.st.graph, n)
	m.mode = modePicker
}

// ask opens the (y/N) prompt for an operation.
func (m *Model) ask(op operation) {
	if err := notOffered(op); err != nil {
		m.setStatus(err.Error(), true)
		return
	}
	m.prompt = promptPane{st: m.st, op: op}
	m.mode = modeConfirm
}

// confirmKey: only `y` confirms; Enter and every other key cancel.
func (m *Model) confirmKey(k tea.KeyPressMsg) tea.Cmd {
	op := m.prompt.op
	m.mode = modeNormal
	if op.Warn != "" && op.confirms == 0 && key.Matches(k, m.st.keys.Confirm) {
		m.prompt.op.confirms = 1 // a managed node: the second y decides
		m.mode = modeConfirm
		return nil
	}
	if k.String() == "T" { // CLUSTER FAILOVER TAKEOVER: asked again
		if t, ok := planTakeover(op); ok {
			m.ask(t)
			return nil
		}
	}
	if !key.Matches(k, m.st.keys.Confirm) {
		m.setStatus("cancelled: "+op.Command+" on "+op.Target, false)
		m.log.add(logEntry{at: m.st.now(), sym: symOp, sev: sevInfo, kind: string(op.Kind),
			addr: op.Target, text: op.Command + " cancelled"})
		return nil
	}
	m.busy = op.Command + " on " + op.Target
	return runOp(m.ctx, m.op, op)
}

// pickerKey moves in the master picker, chooses, or cancels.
func (m *Model) pickerKey(k tea.KeyPressMsg) tea.Cmd {
	keys := m.st.keys
	switch {
	case key.Matches(k, keys.Up):
		m.picker.move(-1)
	case key.Matches(k, keys.Down):
		m.picker.move(1)
	case key.Matches(k, keys.Top):
		m.picker.jump(true)
	case key.Matches(k, keys.Bottom):
		m.picker.jump(false)
	case key.Matches(k, keys.Choose):
		c, ok := m.picker.chosen()
		if !ok {
			m.mode = modeNormal
			return nil
		}
		op, err := planAttach(m.picker.graph, m.picker.node, c.node.Addr)
		if err != nil {
			m.mode = modeNormal
			m.setStatus(err.Error(), true)
			return nil
		}
		m.ask(op)
	case key.Matches(k, keys.Cancel, keys.Quit):
		m.mode = modeNormal
		m.setStatus("attach cancelled", false)
	}
	return nil
}

// openInput starts typing a filter or a command.
func (m *Model) openInput(md mode, prompt, value string) tea.Cmd {
	m.mode = md
	m.input.Prompt = prompt
	m.input.SetValue(value)
	m.input.CursorEnd()
	m.input.SetWidth(clamp(m.width-32, 10, 60))
	return m.input.Focus()
}

// inputKey edits the filter or command line; Enter applies, Esc cancels.
func (m *Model) inputKey(k tea.KeyPressMsg) tea.Cmd {
	keys := m.st.keys
	switch {
	case key.Matches(k, keys.Cancel):
		if m.mode == modeFilter {
			m.tree.setFilter("")
		}
		return m.closeInput()
	case key.Matches(k, keys.Choose):
		v := m.input.Value()
		md := m.mode
		cmd := m.closeInput()
		switch md {
		case modeCommand:
			m.runCommandLine(v)
		case modeJump:
			m.jumpTo(v)
		}
		return cmd
	case key.Matches(k, keys.Interrupt):
		return tea.Quit
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(k)
	if m.mode == modeFilter {
		m.tree.setFilter(m.input.Value())
		m.fixScroll()
	}
	return cmd
}

func (m *Model) closeInput() tea.Cmd {
	m.mode = modeNormal
	m.input.Blur()
	m.fixScroll()
	return nil
}

// runCommandLine parses a `:` line into an operation and asks for it.
func (m *Model) runCommandLine(line string) {
	op, err := parseCommand(m.st.graph, line)
	if err != nil {
		m.setStatus(err.Error(), true)
		return
	}
	m.ask(op)
}
