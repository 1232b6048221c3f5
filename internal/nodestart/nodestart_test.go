package nodestart

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/replscope/replscope/node"
	"github.com/replscope/replscope/node/config"
)

// lines hands each log line to a channel, dropping those nobody waits for.
type lines chan string

func (l lines) Write(p []byte) (int, error) {
	select {
	case l <- string(p):
	default:
	}
	return len(p), nil
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// TestStartWithReadsTheConfigurationAndLogsIgnoredDirectives: the options
// may depend on the configuration, and a directive replscope accepts but
// ignores is logged, as `replscope node` always did, before the node's
// own start-up lines.
func TestStartWithReadsTheConfigurationAndLogsIgnoredDirectives(t *testing.T) {
	log := make(lines, 8)
	var seen *config.Config
	n, err := StartWith([]string{"--port", "0", "--save", "", "--dir", t.TempDir(), "--activerehashing", "no"},
		func(c *config.Config) node.Options { seen = c; return node.Options{Log: log} }, listen(t))
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if seen == nil || seen.Dir == "" {
		t.Fatalf("options built without the configuration: %+v", seen)
	}
	if first := <-log; !strings.Contains(first, "activerehashing \"no\"' is accepted but ignored by replscope") {
		t.Errorf("first log line %q, want the ignored directive", first)
	}
}

// TestStartConfigErrorClosesTheListener: arguments that do not load are a
// *ConfigError carrying the loader's message, and the listener is closed.
func TestStartConfigErrorClosesTheListener(t *testing.T) {
	ln := listen(t)
	_, err := Start([]string{"--no-such-directive", "1"}, node.Options{}, ln)
	var cerr *ConfigError
	if !errors.As(err, &cerr) || !strings.HasPrefix(err.Error(), "config: ") {
		t.Fatalf("error %v (%T), want a *ConfigError", err, err)
	}
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("listener still open: Accept says %v", err)
	}
}
