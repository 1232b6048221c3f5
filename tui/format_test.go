package tui

import (
	"regexp"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// sizeOtherForm matches a size written in any form other than Redis's
// human one ("1.0MB", "40.1mb", "0b", "16kb").
var sizeOtherForm = regexp.MustCompile(`\b\d+(\.\d+)?([KMGT]B|[kmgt]b|b)\b`)

// TestOneSizeForm: every size the dashboard writes itself (lag, peaks,
// sync progress, backlog, traffic, rates) is in Redis's human form.
func TestOneSizeForm(t *testing.T) {
	for _, k := range []string{"", "j", "j j"} {
		m := fixtureModel(t, 200, 60, Options{Feed: newFakeFeed()})
		for _, key := range regexp.MustCompile(`\S+`).FindAllString(k, -1) {
			m.Update(press(key))
		}
		s := ansi.Strip(m.View().Content)
		if bad := sizeOtherForm.FindAllString(s, -1); len(bad) > 0 {
			t.Errorf("keys %q: sizes not in the human form: %q\n%s", k, bad, s)
		}
	}
	if got := fmtBytes(3172); got != "3.10K" {
		t.Errorf("fmtBytes(3172) = %q", got)
	}
}
