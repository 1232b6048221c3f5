package node

import (
	"bytes"
	"io"
	"testing"

	"github.com/replscope/replscope/node/config"
)

// TestFanoutSharesAndReusesChunks: every replica of a transfer gets the
// same bytes in order, the pieces are shared (not a copy per replica) and
// go back to the job once every writer released them; a replica that quit
// mid-transfer holds nothing up.
func TestFanoutSharesAndReusesChunks(t *testing.T) {
	n, err := New(config.Default(), Options{Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	newPeer := func() *replicaPeer {
		return &replicaPeer{out: make(chan outItem, outQueueLen), quit: make(chan struct{})}
	}
	a, b, gone := newPeer(), newPeer(), newPeer()
	close(gone.quit)
	f := newFanout(n, []*replicaPeer{a, b, gone})
	payload := make([]byte, 3*rdbChunkSize+100)
	for i := range payload {
		payload[i] = byte(i * 31)
	}
	if k, err := f.Write(payload); err != nil || k != len(payload) {
		t.Fatalf("Write = %d, %v", k, err)
	}
	drain := func(p *replicaPeer) ([]byte, []*rdbChunk) {
		var got []byte
		var chunks []*rdbChunk
		for len(p.out) > 0 {
			it := <-p.out
			got = append(got, it.b...)
			chunks = append(chunks, it.chunk)
		}
		return got, chunks
	}
	gotA, chA := drain(a)
	if !bytes.Equal(gotA, payload) {
		t.Fatal("replica a got other bytes")
	}
	if len(gone.out) != 0 {
		t.Fatalf("a replica that quit was queued %d pieces", len(gone.out))
	}
	for _, c := range chA {
		c.release()
	}
	if len(f.free) != 0 {
		t.Fatalf("%d pieces back before replica b wrote them", len(f.free))
	}
	gotB, chB := drain(b)
	if !bytes.Equal(gotB, payload) {
		t.Fatal("replica b got other bytes")
	}
	for i, c := range chB {
		if c != chA[i] {
			t.Fatalf("piece %d copied per replica", i)
		}
		c.release()
	}
	if len(f.free) != len(chB) {
		t.Fatalf("%d pieces back in the pool, want %d", len(f.free), len(chB))
	}
	if _, err := f.Write([]byte("next")); err != nil {
		t.Fatal(err)
	}
	it := <-a.out
	if string(it.b) != "next" || len(f.free) != len(chB)-1 {
		t.Fatalf("next piece %q, %d left in the pool: not reused", it.b, len(f.free))
	}
	// every replica gone: the transfer ends
	close(a.quit)
	close(b.quit)
	if _, err := f.Write([]byte("x")); err != errJobNoReplicas {
		t.Fatalf("Write with no replica left: %v", err)
	}
}
