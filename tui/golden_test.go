package tui

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/charmbracelet/colorprofile"
)

// updating reports whether -update was given. The flag itself is
// registered by charmbracelet/x/exp/golden (imported through teatest), so
// `go test ./tui -update` rewrites both its golden files and ours.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if updating() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tui -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run with -update after checking.\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// screen renders the model's view through a colour profile, as the
// terminal renderer would: ANSI keeps the 16 colours, ASCII is what
// NO_COLOR gives (attributes such as bold stay, colours go).
func screen(t *testing.T, m *Model, p colorprofile.Profile) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := &colorprofile.Writer{Forward: &buf, Profile: p}
	if _, err := w.WriteString(m.View().Content); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGoldenViews(t *testing.T) {
	sizes := []struct{ w, h int }{{80, 24}, {120, 40}, {200, 60}}
	profiles := []struct {
		name string
		p    colorprofile.Profile
	}{{"color", colorprofile.ANSI}, {"nocolor", colorprofile.ASCII}}
	for _, sz := range sizes {
		for _, pr := range profiles {
			name := filepath.Base(filepath.Clean(
				// e.g. dashboard-80x24-color.golden
				"dashboard-" + itoa(sz.w) + "x" + itoa(sz.h) + "-" + pr.name + ".golden"))
			t.Run(name, func(t *testing.T) {
				m := fixtureModel(t, sz.w, sz.h, Options{Feed: newFakeFeed(), Operator: &fakeOperator{}, Load: &fakeLoad{on: true}})
				m.Update(press("j")) // select the up replica
				golden(t, name, screen(t, m, pr.p))
			})
		}
	}
}

// TestGoldenDeep pins a fleet under load at the three sizes: 9-digit
// offsets, 5-digit ports and a chain four deep (TestTreeKeepsLagFirst
// checks the lag survives; this shows what goes instead).
func TestGoldenDeep(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {120, 40}, {200, 60}} {
		name := "deep-" + itoa(sz.w) + "x" + itoa(sz.h) + ".golden"
		t.Run(name, func(t *testing.T) {
			m := deepModel(t, sz.w, sz.h, 546000737)
			m.Update(press("j"))
			golden(t, name, screen(t, m, colorprofile.NoTTY))
		})
	}
}

// TestGoldenModes pins the modal screens at 80×24 without colour.
func TestGoldenModes(t *testing.T) {
	cases := []struct {
		name string
		keys []string
	}{
		{"help", []string{"?"}},
		{"confirm-detach", []string{"j", "d"}},
		{"confirm-refused", []string{"j", "j", "j", "d"}}, // 7003 is syncing: the guard refuses
		{"picker", []string{"j", "j", "j", "a"}},
		{"picker-chosen", []string{"j", "j", "a", "j", "enter"}},
		{"command", []string{":", "d", "e", "t"}},
		{"filter", []string{"/", "7", "0", "0", "4"}},
		{"readonly", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := Options{Feed: newFakeFeed(), Operator: &fakeOperator{}, Load: &fakeLoad{}}
			if c.name == "readonly" {
				opts.ReadOnly = true
			}
			m := fixtureModel(t, 80, 24, opts)
			for _, k := range c.keys {
				m.Update(press(k))
			}
			golden(t, "mode-"+c.name+".golden", screen(t, m, colorprofile.NoTTY))
		})
	}
}
