//go:build !linux

package node

// lowerThreadPriority: thread priorities are set on Linux only.
func lowerThreadPriority() {}
