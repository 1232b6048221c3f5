package tui

import "charm.land/bubbles/v2/key"

// KeyMap is every key the dashboard answers to, in one place. The status
// bar and the `?` help are drawn from it by bubbles/help, so a disabled
// binding (an operation under --readonly, `w` without a write load)
// disappears from both the keys and the help.
type KeyMap struct {
	Up       key.Binding
	Down     key.Binding
	Top      key.Binding
	Bottom   key.Binding
	NextPane key.Binding
	PrevPane key.Binding
	Filter   key.Binding
	Command  key.Binding
	Expand   key.Binding // the selected event, whole (events pane)
	Attach   key.Binding
	Detach   key.Binding
	KillLink key.Binding
	Failover key.Binding // the fleet kind's own failover (CLUSTER FAILOVER, promote)
	Load     key.Binding
	Faster   key.Binding
	Slower   key.Binding
	Pause    key.Binding
	Next     key.Binding
	Refresh  key.Binding
	Help     key.Binding
	Quit     key.Binding
	// ReadOnlyOps holds the operation keys under --readonly, where they
	// only say that operations are off; it is disabled otherwise.
	ReadOnlyOps key.Binding

	// The time bar of a replay (`replscope replay`); disabled otherwise.
	PlayPause key.Binding
	StepBack  key.Binding
	StepFwd   key.Binding
	PrevMark  key.Binding // the previous alert or role change
	NextMark  key.Binding
	JumpTime  key.Binding

	// Keys of the modal states: the (y/N) prompt, the master picker and
	// the filter / command line.
	Confirm   key.Binding
	Choose    key.Binding // also applies the filter / command line
	Cancel    key.Binding
	Interrupt key.Binding // quits even while typing
}

// DefaultKeyMap returns the dashboard's keys. readOnly disables the
// operations (and the command line that issues them); withLoad enables
// `w` for the demo's write load; withPace enables `+`/`-` for a scenario's
// speed; withStep enables `n` for a scenario's next step, and names
// `space` (which, like `p`, always pauses) in the help.
func DefaultKeyMap(readOnly, withLoad, withPace, withStep bool) KeyMap {
	k := KeyMap{
		Up:        key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "up")),
		Down:      key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "down")),
		Top:       key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:    key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		NextPane:  key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		PrevPane:  key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "prev pane")),
		Filter:    key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Command:   key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "command")),
		Expand:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "expand event")),
		Attach:    key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "attach")),
		Detach:    key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "detach")),
		KillLink:  key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "kill link")),
		Failover:  key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "failover")),
		Load:      key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "write load")),
		Faster:    key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "faster")),
		Slower:    key.NewBinding(key.WithKeys("-"), key.WithHelp("-", "slower")),
		Pause:     key.NewBinding(key.WithKeys("p", "space"), key.WithHelp("p", "pause")),
		Next:      key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next step")),
		Refresh:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		PlayPause: key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "play/pause"), key.WithDisabled()),
		StepBack:  key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "step back"), key.WithDisabled()),
		StepFwd:   key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "step"), key.WithDisabled()),
		PrevMark:  key.NewBinding(key.WithKeys("["), key.WithHelp("[", "prev alert/role"), key.WithDisabled()),
		NextMark:  key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "next alert/role"), key.WithDisabled()),
		JumpTime:  key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "go to time"), key.WithDisabled()),
		Confirm:   key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "confirm")),
		Choose:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")),
		Cancel:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Interrupt: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
	}
	if !withLoad {
		k.Load.SetEnabled(false)
	}
	var ops []string
	if readOnly {
		for _, b := range []*key.Binding{&k.Command, &k.Attach, &k.Detach, &k.KillLink, &k.Failover, &k.Load} {
			if b.Enabled() {
				ops = append(ops, b.Keys()...)
			}
			b.SetEnabled(false)
		}
	}
	k.ReadOnlyOps = key.NewBinding(key.WithKeys(ops...), key.WithDisabled())
	if len(ops) > 0 {
		k.ReadOnlyOps.SetEnabled(true)
	}
	if !withPace {
		k.Faster.SetEnabled(false)
		k.Slower.SetEnabled(false)
	}
	if withStep {
		k.Pause.SetHelp("space", "pause")
	} else {
		k.Next.SetEnabled(false)
	}
	return k
}

// withReplay turns the keys into a replay's: the time bar's keys and
// the speed on, the live feed's pause, step, refresh and write load off.
func (k KeyMap) withReplay() KeyMap {
	for _, b := range []*key.Binding{&k.PlayPause, &k.StepBack, &k.StepFwd, &k.PrevMark, &k.NextMark, &k.JumpTime,
		&k.Faster, &k.Slower} {
		b.SetEnabled(true)
	}
	for _, b := range []*key.Binding{&k.Pause, &k.Next, &k.Refresh, &k.Load} {
		b.SetEnabled(false)
	}
	return k
}

// ShortHelp is the status bar's one-line help. A scenario's keys come
// first when there is a next step to take, a replay's time bar keys
// when replaying.
func (k KeyMap) ShortHelp() []key.Binding {
	if k.PlayPause.Enabled() {
		return []key.Binding{k.Help, k.PlayPause, k.StepBack, k.StepFwd, k.PrevMark, k.NextMark, k.Faster, k.Slower, k.JumpTime, k.Down, k.NextPane, k.Quit}
	}
	if k.Next.Enabled() {
		return []key.Binding{k.Help, k.Pause, k.Next, k.Faster, k.Slower, k.Down, k.NextPane, k.Attach, k.Detach, k.KillLink, k.Load, k.Quit}
	}
	return []key.Binding{k.Help, k.Down, k.NextPane, k.Attach, k.Detach, k.KillLink, k.Load, k.Faster, k.Slower, k.Pause, k.Next, k.Quit}
}

// FullHelp is the `?` help, one column per group.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom},
		{k.NextPane, k.PrevPane, k.Filter, k.Expand, k.Help},
		{k.Attach, k.Detach, k.Failover, k.KillLink, k.Command},
		{k.Load, k.Faster, k.Slower, k.Pause, k.Next, k.Refresh, k.Quit},
		{k.PlayPause, k.StepBack, k.StepFwd, k.PrevMark, k.NextMark, k.JumpTime},
	}
}

// modeHelp is the help shown while a modal state has the keyboard.
type modeHelp []key.Binding

// ShortHelp returns the bindings.
func (h modeHelp) ShortHelp() []key.Binding { return h }

// FullHelp returns the bindings as one column.
func (h modeHelp) FullHelp() [][]key.Binding { return [][]key.Binding{h} }
