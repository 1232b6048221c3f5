package tui

import (
	"strconv"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
)

// press builds the key press a terminal would send for s: a printable
// character ("j", "G", "?") or a named key ("enter", "esc", "tab",
// "shift+tab", "up", "down", "home", "end", "backspace", "ctrl+c").
func press(s string) tea.KeyPressMsg {
	named := map[string]tea.Key{
		"enter":     {Code: tea.KeyEnter},
		"esc":       {Code: tea.KeyEscape},
		"tab":       {Code: tea.KeyTab},
		"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
		"up":        {Code: tea.KeyUp},
		"down":      {Code: tea.KeyDown},
		"home":      {Code: tea.KeyHome},
		"end":       {Code: tea.KeyEnd},
		"backspace": {Code: tea.KeyBackspace},
		"ctrl+c":    {Code: 'c', Mod: tea.ModCtrl},
	}
	if k, ok := named[s]; ok {
		return tea.KeyPressMsg(k)
	}
	r, _ := utf8.DecodeRuneInString(s)
	return tea.KeyPressMsg{Code: r, Text: s}
}

func itoa(n int) string { return strconv.Itoa(n) }
