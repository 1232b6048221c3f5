package topology

import (
	"testing"

	"github.com/replscope/replscope/node"
)

// TestDisplaySizesAreRedisHuman (issue 16 item 12): sizes shown to people
// take Redis's *_human form (human.Bytes: "14.90K", "1.50M"), one way
// everywhere; redis.conf values in advice keep the form CONFIG SET takes.
func TestDisplaySizesAreRedisHuman(t *testing.T) {
	eq(t, "full sync detail", nodeEventDetail(node.Event{Kind: node.EventFullSyncFinished, Bytes: 15258, Offset: 7}),
		"14.90K of RDB at offset 7")
	eq(t, "partial sync detail", nodeEventDetail(node.Event{Kind: node.EventPartialSyncStarted, Bytes: 172, Offset: 7}),
		"172B of backlog from offset 7")
	eq(t, "unknown size", nodeEventDetail(node.Event{Kind: node.EventFullSyncFinished, Bytes: -1, Offset: 7}),
		"? of RDB at offset 7")
	l := &Link{Health: LinkHealth{State: LinkUp, LagKnown: true, LagBytes: 3 << 19, AckAge: -1, LastIO: -1}}
	eq(t, "text tree link", linkSummary(l), "link up  lag 1.50M")
	eq(t, "redis.conf value", FormatBytes(3<<19), "1.5mb")
}
