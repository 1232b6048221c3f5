package node

import (
	"errors"

	"github.com/replscope/replscope/node/config"
)

// errNoNotifications refuses notify-keyspace-events: replscope publishes
// no keyspace or keyevent notifications, so a node says so instead of
// accepting classes it would silently ignore.
var errNoNotifications = errors.New("notify-keyspace-events is not supported by replscope: keyspace notifications are never published; leave it empty")

// checkNotifyConfig refuses any keyspace event class.
func checkNotifyConfig(cfg *config.Config) error {
	if v, _ := cfg.Value("notify-keyspace-events"); v != "" {
		return errNoNotifications
	}
	return nil
}
