//go:build tools

// Package tools pins the VHS version CI uses to validate ../../demo.tape:
//
//	cd tools/vhs && go run github.com/charmbracelet/vhs validate ../../demo.tape
//
// It is a separate module so VHS's dependencies stay out of replscope's.
package tools

import _ "github.com/charmbracelet/vhs"
