package simnet

import (
	"bytes"
	"sync"
)

// pipe is one direction of a connection: a bounded byte buffer with one
// writing end and one reading end. All blocking happens outside the mutex, on
// the channel returned by waitLocked, so goroutines blocked on a pipe are
// durably blocked in a testing/synctest bubble.
type pipe struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	limit  int
	paused bool  // bytes are held: the reader sees none until resumed
	eof    bool  // the writing end closed: the reader gets io.EOF once drained
	broken bool  // the reading end closed: writes fail
	reset  error // the link was cut: both ends fail with this error
	wake   chan struct{}
}

func newPipe(limit int) *pipe {
	return &pipe{limit: limit}
}

// waitLocked returns a channel that is closed at the next state change.
// The caller holds p.mu and must release it before waiting.
func (p *pipe) waitLocked() <-chan struct{} {
	if p.wake == nil {
		p.wake = make(chan struct{})
	}
	return p.wake
}

// notifyLocked wakes every goroutine waiting on the pipe. The caller holds p.mu.
func (p *pipe) notifyLocked() {
	if p.wake != nil {
		close(p.wake)
		p.wake = nil
	}
}

// readResult is what one read attempt produced.
type readResult int

const (
	readBlocked readResult = iota
	readData
	readEOF
	readReset
)

// tryRead copies buffered bytes into b if any are deliverable. When it
// returns readBlocked, wait is the channel to block on.
func (p *pipe) tryRead(b []byte) (n int, res readResult, wait <-chan struct{}, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.reset != nil:
		return 0, readReset, nil, p.reset
	case !p.paused && p.buf.Len() > 0:
		n, _ = p.buf.Read(b)
		p.notifyLocked()
		return n, readData, nil, nil
	case !p.paused && p.eof:
		return 0, readEOF, nil, nil
	}
	return 0, readBlocked, p.waitLocked(), nil
}

// writeResult is what one write attempt produced.
type writeResult int

const (
	writeProgress writeResult = iota
	writeBlocked
	writeBroken
	writeReset
)

// tryWrite appends as much of b as fits. When it returns writeBlocked, no
// byte fitted and wait is the channel to block on.
func (p *pipe) tryWrite(b []byte) (n int, res writeResult, wait <-chan struct{}, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.reset != nil:
		return 0, writeReset, nil, p.reset
	case p.broken, p.eof:
		return 0, writeBroken, nil, nil
	}
	space := p.limit - p.buf.Len()
	if space <= 0 {
		return 0, writeBlocked, p.waitLocked(), nil
	}
	n = min(space, len(b))
	p.buf.Write(b[:n])
	p.notifyLocked()
	return n, writeProgress, nil, nil
}

// closeWriter marks the writing end closed.
func (p *pipe) closeWriter() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.eof = true
	p.notifyLocked()
}

// closeReader marks the reading end closed and discards unread bytes.
func (p *pipe) closeReader() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.broken = true
	p.buf.Reset()
	p.notifyLocked()
}

// setReset fails both ends with err and discards unread bytes.
func (p *pipe) setReset(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.reset == nil {
		p.reset = err
	}
	p.buf.Reset()
	p.notifyLocked()
}

// setPaused holds or releases delivery of buffered bytes.
func (p *pipe) setPaused(paused bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.paused = paused
	p.notifyLocked()
}

// buffered reports how many bytes wait in the pipe.
func (p *pipe) buffered() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.buf.Len()
}
