package node

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// LogLevel orders log lines as redis.conf's loglevel does.
type LogLevel int

// The log levels, from most to least verbose.
const (
	LogDebug LogLevel = iota
	LogVerbose
	LogNotice
	LogWarning
	LogNothing
)

// ParseLogLevel maps a loglevel directive value to a level.
func ParseLogLevel(s string) LogLevel {
	switch s {
	case "debug":
		return LogDebug
	case "verbose":
		return LogVerbose
	case "warning":
		return LogWarning
	case "nothing":
		return LogNothing
	}
	return LogNotice
}

// Logger writes lines in Redis's format:
//
//	12345:M 22 Nov 2026 01:02:03.123 * Ready to accept connections
//
// where the letter after the pid is the role (M master, S replica) and the
// mark before the message is the level (. - * #).
type Logger struct {
	mu    sync.Mutex
	w     io.Writer
	level LogLevel
	pid   int
	role  byte
	now   func() time.Time
}

// NewLogger returns a logger writing to w at the given level.
func NewLogger(w io.Writer, level LogLevel, now func() time.Time) *Logger {
	if now == nil {
		now = time.Now
	}
	return &Logger{w: w, level: level, pid: os.Getpid(), role: 'M', now: now}
}

// SetLevel changes the minimum level written.
func (l *Logger) SetLevel(level LogLevel) {
	l.mu.Lock()
	l.level = level
	l.mu.Unlock()
}

// SetRole sets the role letter: 'M' for a master, 'S' for a replica.
func (l *Logger) SetRole(role byte) {
	l.mu.Lock()
	l.role = role
	l.mu.Unlock()
}

// Logf writes one line at level.
func (l *Logger) Logf(level LogLevel, format string, args ...any) {
	if l == nil || l.w == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if level < l.level {
		return
	}
	mark := byte('*')
	switch level {
	case LogDebug:
		mark = '.'
	case LogVerbose:
		mark = '-'
	case LogWarning:
		mark = '#'
	}
	t := l.now()
	fmt.Fprintf(l.w, "%d:%c %s.%03d %c %s\n", l.pid, l.role, t.Format("02 Jan 2006 15:04:05"),
		t.Nanosecond()/1e6, mark, fmt.Sprintf(format, args...))
}

// Noticef logs at notice level.
func (l *Logger) Noticef(format string, args ...any) { l.Logf(LogNotice, format, args...) }

// Warnf logs at warning level.
func (l *Logger) Warnf(format string, args ...any) { l.Logf(LogWarning, format, args...) }

// Verbosef logs at verbose level.
func (l *Logger) Verbosef(format string, args ...any) { l.Logf(LogVerbose, format, args...) }

// Logger returns the node's logger.
func (n *Node) Logger() *Logger { return n.log }
