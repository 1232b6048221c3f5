package tui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Symbols paired with colours: every state the dashboard colours also has
// a symbol, so nothing is lost under NO_COLOR or on a monochrome terminal.
const (
	symMaster      = "◆"
	symReplica     = "◇"
	symSentinel    = "◎"
	symUnknownRole = "?"

	symOnline      = "✓"
	symSyncing     = "↻"
	symConnecting  = "…"
	symLinkDown    = "✗"
	symUnreachable = "⊘"
	symUnprobed    = "?"
	symCycle       = "↺"
	symRootLag     = "↥" // lag against the root master: an upstream is stalled

	symWarn   = "!"
	symCrit   = "‼"
	symCursor = "▸"
	symPulse  = "♥"
	symBeat   = "♡"
	symCovers = "✓"
	symLost   = "✗"
	symOp     = "$"
	symPaused = "‖"
	symLoadOn = "●"
	symLoadOf = "○"

	// The full-sync timeline's cells, one glyph per phase.
	symPhaseWait     = "░"
	symPhaseTransfer = "█"
	symPhaseLoading  = "▓"
	symPhaseCatchUp  = "▒"
)

// Styles is every style the dashboard uses, in one place. Colours are the
// 16 ANSI colours so the terminal's palette decides the exact shades; the
// renderer downsamples them and drops them under NO_COLOR.
type Styles struct {
	Header      Ink
	HeaderTitle Ink
	Caption     Ink

	PaneTitle        Ink
	PaneTitleFocused Ink
	Rule             Ink

	Cursor   Ink
	Selected Ink
	Dim      Ink
	Label    Ink
	Strong   Ink

	Master   Ink
	Replica  Ink
	Sentinel Ink

	OK   Ink
	Warn Ink
	Crit Ink
	Info Ink

	GaugeFull  Ink
	GaugeEmpty Ink
	Spark      Ink
	Pulse      Ink

	PromptTitle Ink
	Command     Ink
	Error       Ink

	// The phases of a full sync on the details pane's timeline.
	PhaseWait     Ink
	PhaseTransfer Ink
	PhaseLoading  Ink
	PhaseCatchUp  Ink

	Help help.Styles // the key help (bubbles/help draws it)
}

// Ink is one style of the dashboard, with the escape sequences it wraps
// around a single line worked out once: the tree redraws hundreds of
// styled cells a frame, and lipgloss.Style.Render is the dearest part of
// a frame.
type Ink struct {
	Style     lipgloss.Style
	pre, post string
}

// inkMark stands for the text when the sequences are worked out.
const inkMark = "\uE000"

// NewInk prepares a style for single-line text.
func NewInk(s lipgloss.Style) Ink {
	pre, post, _ := strings.Cut(s.Render(inkMark), inkMark)
	return Ink{Style: s, pre: pre, post: post}
}

// Render styles one line of text (no newlines), as Style.Render would.
func (i Ink) Render(text string) string {
	if text == "" || i.pre == "" && i.post == "" {
		return text
	}
	return i.pre + text + i.post
}

// DefaultStyles returns the dashboard's styles.
func DefaultStyles() Styles {
	c := lipgloss.Color
	n := func(s lipgloss.Style) Ink { return NewInk(s) }
	s := Styles{
		Header:      n(lipgloss.NewStyle().Foreground(c("7"))),
		HeaderTitle: n(lipgloss.NewStyle().Bold(true).Foreground(c("6"))),
		Caption:     n(lipgloss.NewStyle().Bold(true).Foreground(c("3"))),

		PaneTitle:        n(lipgloss.NewStyle().Foreground(c("8"))),
		PaneTitleFocused: n(lipgloss.NewStyle().Bold(true).Foreground(c("6"))),
		Rule:             n(lipgloss.NewStyle().Foreground(c("8"))),

		Cursor:   n(lipgloss.NewStyle().Bold(true).Foreground(c("6"))),
		Selected: n(lipgloss.NewStyle().Bold(true).Underline(true)),
		Dim:      n(lipgloss.NewStyle().Foreground(c("8"))),
		Label:    n(lipgloss.NewStyle().Foreground(c("4"))),
		Strong:   n(lipgloss.NewStyle().Bold(true)),

		Master:   n(lipgloss.NewStyle().Bold(true).Foreground(c("5"))),
		Replica:  n(lipgloss.NewStyle().Foreground(c("4"))),
		Sentinel: n(lipgloss.NewStyle().Foreground(c("6"))),

		OK:   n(lipgloss.NewStyle().Foreground(c("2"))),
		Warn: n(lipgloss.NewStyle().Foreground(c("3"))),
		Crit: n(lipgloss.NewStyle().Bold(true).Foreground(c("1"))),
		Info: n(lipgloss.NewStyle().Foreground(c("6"))),

		GaugeFull:  n(lipgloss.NewStyle().Foreground(c("4"))),
		GaugeEmpty: n(lipgloss.NewStyle().Foreground(c("8"))),
		Spark:      n(lipgloss.NewStyle().Foreground(c("3"))),
		Pulse:      n(lipgloss.NewStyle().Bold(true).Foreground(c("1"))),

		PromptTitle: n(lipgloss.NewStyle().Bold(true).Foreground(c("3"))),
		Command:     n(lipgloss.NewStyle().Bold(true).Reverse(true)),
		Error:       n(lipgloss.NewStyle().Bold(true).Foreground(c("1"))),

		PhaseWait:     n(lipgloss.NewStyle().Foreground(c("8"))),
		PhaseTransfer: n(lipgloss.NewStyle().Foreground(c("4"))),
		PhaseLoading:  n(lipgloss.NewStyle().Foreground(c("3"))),
		PhaseCatchUp:  n(lipgloss.NewStyle().Foreground(c("6"))),
	}
	key := lipgloss.NewStyle().Bold(true).Foreground(c("6"))
	desc := lipgloss.NewStyle().Foreground(c("7"))
	sep := lipgloss.NewStyle().Foreground(c("8"))
	s.Help = help.Styles{
		Ellipsis: sep, ShortKey: key, ShortDesc: desc, ShortSeparator: sep,
		FullKey: key, FullDesc: desc, FullSeparator: sep,
	}
	return s
}
