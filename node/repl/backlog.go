package repl

// The backlog holds a master's replication stream: the bytes fed to
// replicas, numbered by replication offset, kept in fixed-size blocks.
//
// One buffer serves both the replication backlog (the last Size bytes, from
// which a reconnecting replica resumes with PSYNC) and the unsent tail of
// every connected replica, as Redis 7's shared replication buffer does: a
// block is freed once it is older than the backlog window and every reader
// has moved past it. Readers are just offsets; the owner tells Trim the
// oldest offset a reader still needs. The owner (State) is not
// synchronized: the node's lock guards it.
//
// Freed blocks are kept (up to maxFree) and written again by Append, as
// Redis's allocator hands a freed block back: a master streaming 50 MB/s
// to its replicas otherwise makes 50 MB/s of garbage, and the collections
// it paces took ~5% of the master's CPU. So a slice Read handed out stays
// valid only while the owner keeps its offset at or above the oldest it
// passes to Trim (State counts a writer's slices until it reports them
// sent or released).

const (
	blockSize = 16 << 10
	maxFree   = 16 // blocks kept for reuse: 256 KB
)

// Backlog is the replication stream buffer.
type Backlog struct {
	size   int64    // repl-backlog-size: how much history PSYNC may use
	blocks [][]byte // each of cap blockSize; only the last may be partial
	start  int64    // offset of blocks[0][0]
	end    int64    // offset of the last byte written (master_repl_offset)
	first  int64    // first byte offset of the history (never below start)
	free   [][]byte // freed blocks, to be written again
}

// MinBacklogSize is the smallest backlog Redis allows (16 KB).
const MinBacklogSize = 16 << 10

// NewBacklog returns an empty backlog whose next byte will be offset+1.
func NewBacklog(size int64, offset int64) *Backlog {
	b := &Backlog{size: max(size, MinBacklogSize), start: offset + 1, end: offset, first: offset + 1}
	return b
}

// Offset returns the offset of the last byte fed (master_repl_offset).
func (b *Backlog) Offset() int64 { return b.end }

// Size returns the configured history size.
func (b *Backlog) Size() int64 { return b.size }

// FirstByte returns repl_backlog_first_byte_offset: the oldest offset a
// replica may resume from.
func (b *Backlog) FirstByte() int64 { return b.first }

// HistLen returns repl_backlog_histlen: how many bytes of history it holds.
func (b *Backlog) HistLen() int64 { return b.end - b.first + 1 }

// Retained returns how many bytes are held in memory, history plus the
// part only slow replicas still need.
func (b *Backlog) Retained() int64 { return b.end - b.start + 1 }

// Covers reports whether a replica can resume at offset off, the first
// byte it lacks: off must lie in [FirstByte, Offset+1].
func (b *Backlog) Covers(off int64) bool { return off >= b.first && off <= b.end+1 }

// Window returns the backlog's extent; a nil backlog is inactive.
func (b *Backlog) Window() Window {
	if b == nil {
		return Window{}
	}
	return Window{Active: true, First: b.first, Len: b.HistLen()}
}

// Append feeds p to the stream.
func (b *Backlog) Append(p []byte) {
	for len(p) > 0 {
		if n := len(b.blocks); n == 0 || len(b.blocks[n-1]) == blockSize {
			b.blocks = append(b.blocks, b.newBlock())
		}
		last := &b.blocks[len(b.blocks)-1]
		k := min(blockSize-len(*last), len(p))
		*last = append(*last, p[:k]...)
		p = p[k:]
		b.end += int64(k)
	}
	if lo := b.end - b.size + 1; lo > b.first {
		b.first = lo
	}
}

// newBlock returns an empty block: a freed one when there is one.
func (b *Backlog) newBlock() []byte {
	if k := len(b.free); k > 0 {
		blk := b.free[k-1][:0]
		b.free[k-1] = nil
		b.free = b.free[:k-1]
		return blk
	}
	return make([]byte, 0, blockSize)
}

// Read returns the bytes from offset off (inclusive) up to at most max
// bytes, as slices of the internal blocks. The slices stay valid and
// unchanged after the lock is released for as long as the owner passes
// Trim no oldest offset above off: blocks are append-only, and a block is
// written again only after Trim freed it. off must be retained (>= the
// start of the buffer); reading past the end returns nothing.
func (b *Backlog) Read(off int64, max int, dst [][]byte) [][]byte {
	if off < b.start || off > b.end {
		return dst
	}
	rel := off - b.start
	i := int(rel / blockSize)
	o := int(rel % blockSize)
	for ; i < len(b.blocks) && max > 0; i++ {
		blk := b.blocks[i][o:]
		o = 0
		if len(blk) > max {
			blk = blk[:max]
		}
		if len(blk) == 0 {
			break
		}
		dst = append(dst, blk)
		max -= len(blk)
	}
	return dst
}

// Retains reports whether off (the next byte a reader needs) is still in
// the buffer, i.e. Read can serve it.
func (b *Backlog) Retains(off int64) bool { return off >= b.start && off <= b.end+1 }

// Trim frees whole blocks that are older than the history and that no
// reader needs: oldest is the smallest offset any reader will still read
// (pass Offset()+1 when there are none).
func (b *Backlog) Trim(oldest int64) {
	keep := min(oldest, b.first)
	for len(b.blocks) > 1 && b.start+blockSize <= keep {
		b.release(b.blocks[0])
		b.blocks[0] = nil
		b.blocks = b.blocks[1:]
		b.start += blockSize
	}
	if len(b.blocks) == 1 && len(b.blocks[0]) == blockSize && b.start+blockSize <= keep {
		b.release(b.blocks[0])
		b.blocks[0] = nil
		b.blocks = b.blocks[:0]
		b.start += blockSize
	}
}

// release keeps a freed block for reuse, or leaves it to the collector
// when maxFree are kept already.
func (b *Backlog) release(blk []byte) {
	if len(b.free) < maxFree {
		b.free = append(b.free, blk)
	}
}

// Resize changes the history size (CONFIG SET repl-backlog-size). Growing
// cannot recover bytes already freed; shrinking takes effect at once.
func (b *Backlog) Resize(size int64) {
	b.size = max(size, MinBacklogSize)
	if lo := b.end - b.size + 1; lo > b.first {
		b.first = lo
	}
	if b.first < b.start {
		b.first = b.start
	}
}
