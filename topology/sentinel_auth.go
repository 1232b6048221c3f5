package topology

import "sync"

// A Sentinel often has a password of its own (requirepass or ACL users in
// sentinel.conf), distinct from the data nodes'. Auth.Sentinel holds those
// credentials (watch --sentinel-user/--sentinel-password) and a book of the
// addresses known to be Sentinels, shared by every copy of the Auth (the
// Remote, the Sentinel event feed, the Operator): For gives a known
// Sentinel the Sentinel credentials. An address is entered in the book
// when a Sentinel names it (SENTINEL SENTINELS, a hello message) or when
// the node refused the data nodes' credentials and accepted the
// Sentinel's (a Sentinel given as a seed).

// sentinelBook is the set of addresses known to be Sentinels.
type sentinelBook struct {
	mu    sync.Mutex
	addrs map[string]bool
}

// WithSentinel returns a with separate credentials for Sentinels.
func (a Auth) WithSentinel(c Credentials) Auth {
	a.Sentinel = &c
	a.book = &sentinelBook{addrs: map[string]bool{}}
	return a
}

// isSentinel reports whether addr is in the book.
func (a Auth) isSentinel(addr string) bool {
	if a.book == nil {
		return false
	}
	a.book.mu.Lock()
	defer a.book.mu.Unlock()
	return a.book.addrs[addr]
}

// markSentinel enters addr in the book (or, with is false, takes it out);
// nothing happens without Sentinel credentials.
func (a Auth) markSentinel(addr string, is bool) {
	if a.book == nil {
		return
	}
	a.book.mu.Lock()
	defer a.book.mu.Unlock()
	if is {
		a.book.addrs[addr] = true
	} else {
		delete(a.book.addrs, addr)
	}
}

// trySentinel reports whether a node at addr that refused the credentials
// For gave should be tried with the Sentinel ones: there are some, the
// address has none of its own and is not in the book yet. It enters addr
// in the book; the caller takes it out again if that fails too.
func (a Auth) trySentinel(addr string) bool {
	if a.book == nil {
		return false
	}
	if _, own := a.own(addr); own {
		return false
	}
	a.book.mu.Lock()
	defer a.book.mu.Unlock()
	if a.book.addrs[addr] {
		return false
	}
	a.book.addrs[addr] = true
	return true
}
