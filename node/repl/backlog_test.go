package repl

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestAgainstModel feeds random writes to a backlog and to a plain copy of
// the whole stream, trims as random readers move on, and checks after each
// step the offsets Redis reports (repl_backlog_first_byte_offset, histlen),
// what PSYNC may resume from, the bytes Read serves and the memory held.
func TestAgainstModel(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		rng := rand.New(rand.NewPCG(seed, 1))
		const base = 1000 // a backlog created at offset 1000: next byte 1001
		size := int64(MinBacklogSize + rng.IntN(3*blockSize))
		b := NewBacklog(size, base)
		var stream []byte // stream[i] is offset base+1+i
		readers := []int64{base + 1, base + 1}
		for step := 0; step < 400; step++ {
			p := make([]byte, rng.IntN(3*blockSize/2))
			for i := range p {
				p[i] = byte((len(stream)+i)*7/3) ^ byte(seed) // varies with the offset
			}
			b.Append(p)
			stream = append(stream, p...)
			end := int64(base + len(stream))
			if b.Offset() != end {
				t.Fatalf("seed %d: Offset %d, want %d", seed, b.Offset(), end)
			}
			wantFirst := max(end-size+1, base+1)
			if b.FirstByte() != wantFirst || b.HistLen() != end-wantFirst+1 || b.HistLen() > size {
				t.Fatalf("seed %d: first %d histlen %d, want %d and %d (size %d)", seed, b.FirstByte(), b.HistLen(), wantFirst, end-wantFirst+1, size)
			}
			if b.Covers(wantFirst-1) || !b.Covers(wantFirst) || !b.Covers(end+1) || b.Covers(end+2) {
				t.Fatalf("seed %d: Covers wrong around [%d, %d]", seed, wantFirst, end+1)
			}
			// readers move forward by random amounts, one may stall
			for i := range readers {
				if rng.IntN(4) > 0 {
					readers[i] = min(end+1, readers[i]+int64(rng.IntN(2*blockSize)))
				}
				if !b.Retains(readers[i]) {
					t.Fatalf("seed %d: reader at %d no longer retained (start %d)", seed, readers[i], b.start)
				}
				got := bytes.Join(b.Read(readers[i], 5000, nil), nil)
				from := readers[i] - base - 1
				want := stream[from:min(int64(len(stream)), from+5000)]
				if !bytes.Equal(got, want) {
					t.Fatalf("seed %d: Read(%d) gave %d bytes, not the stream's %d", seed, readers[i], len(got), len(want))
				}
			}
			oldest := min(readers[0], readers[1])
			b.Trim(oldest)
			// held: the history or what the slowest reader needs, whichever
			// reaches further back, rounded out to whole blocks
			need := max(b.HistLen(), end-oldest+1)
			if b.Retained() > need+blockSize {
				t.Fatalf("seed %d: %d bytes held, %d needed", seed, b.Retained(), need)
			}
			if rng.IntN(50) == 0 {
				readers[rng.IntN(2)] = end + 1 // a replica that was dropped and came back at the end
			}
		}
	}
}

// TestReadOutsideTheBuffer: offsets before the buffer or past the end give
// nothing, and Resize never claims history it no longer holds.
func TestReadOutsideTheBuffer(t *testing.T) {
	b := NewBacklog(MinBacklogSize, 0)
	b.Append(bytes.Repeat([]byte("x"), 3*blockSize))
	b.Trim(b.Offset() + 1)
	if got := b.Read(1, 10, nil); len(got) != 0 {
		t.Fatalf("read of a freed offset returned %d slices", len(got))
	}
	if got := b.Read(b.Offset()+1, 10, nil); len(got) != 0 {
		t.Fatalf("read past the end returned %d slices", len(got))
	}
	first := b.FirstByte()
	b.Resize(10 * MinBacklogSize)
	if b.FirstByte() != first || b.Size() != 10*MinBacklogSize {
		t.Fatalf("growing moved the first byte %d -> %d", first, b.FirstByte())
	}
	b.Resize(1) // below the minimum: Redis's 16 KB
	if b.Size() != MinBacklogSize || b.HistLen() > MinBacklogSize {
		t.Fatalf("size %d histlen %d after shrinking below the minimum", b.Size(), b.HistLen())
	}
}

// TestFreedBlocksAreReused: once the stream has run past the history, a
// backlog whose readers keep up appends without allocating: the blocks
// Trim frees are written again.
func TestFreedBlocksAreReused(t *testing.T) {
	b := NewBacklog(4*blockSize, 0)
	p := bytes.Repeat([]byte("x"), blockSize) // a block per append
	step := func() {
		b.Append(p)
		b.Trim(b.Offset() + 1)
	}
	for range 200 {
		step()
	}
	if allocs := testing.AllocsPerRun(500, step); allocs > 0 {
		t.Fatalf("%.0f allocations per append in the steady state, want none", allocs)
	}
	if got := b.Retained(); got > 4*blockSize+blockSize {
		t.Fatalf("%d bytes held for a %d-byte history", got, 4*blockSize)
	}
}
