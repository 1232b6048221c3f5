package simnet

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestReadDeadlineFiresAtFakeTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		client, _ := connPair(t, New(), "app", "n1:6379")
		start := time.Now()
		client.SetReadDeadline(start.Add(3 * time.Second))
		_, err := client.Read(make([]byte, 1))
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("read = %v, want os.ErrDeadlineExceeded", err)
		}
		if got := time.Since(start); got != 3*time.Second {
			t.Fatalf("read deadline fired after %v of fake time, want 3s", got)
		}
	})
}

func TestReadDeadlineMovedWhileBlocked(t *testing.T) {
	tests := []struct {
		name    string
		initial time.Duration
		moveAt  time.Duration
		moveTo  time.Duration // 0 clears the deadline
		want    time.Duration // when the read fails; 0 means it succeeds at 10s
	}{
		{"extended", time.Second, 500 * time.Millisecond, 3 * time.Second, 3 * time.Second},
		{"shortened", 5 * time.Second, time.Second, 2 * time.Second, 2 * time.Second},
		{"moved into the past", 5 * time.Second, time.Second, -time.Second, time.Second},
		{"cleared", time.Second, 500 * time.Millisecond, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				client, server := connPair(t, New(), "app", "n1:6379")
				start := time.Now()
				client.SetReadDeadline(start.Add(tt.initial))
				failedAt := make(chan time.Duration, 1)
				go func() {
					_, err := client.Read(make([]byte, 1))
					if err != nil {
						failedAt <- time.Since(start)
						return
					}
					failedAt <- 0
				}()
				time.Sleep(tt.moveAt) // advance fake time
				if tt.moveTo == 0 {
					client.SetReadDeadline(time.Time{})
				} else {
					client.SetReadDeadline(start.Add(tt.moveTo))
				}
				time.Sleep(10*time.Second - tt.moveAt)
				server.Write([]byte("x")) // lets a read without a deadline finish
				if got := <-failedAt; got != tt.want {
					t.Fatalf("read failed at %v, want %v (0 = succeeded)", got, tt.want)
				}
			})
		})
	}
}

func TestWriteDeadlineWhileBufferFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		client, _ := connPair(t, New(WithBufferSize(4)), "app", "n1:6379")
		start := time.Now()
		client.SetWriteDeadline(start.Add(2 * time.Second))
		n, err := client.Write([]byte("0123456789"))
		if !errors.Is(err, os.ErrDeadlineExceeded) || n != 4 {
			t.Fatalf("write = %d, %v; want 4, os.ErrDeadlineExceeded", n, err)
		}
		if got := time.Since(start); got != 2*time.Second {
			t.Fatalf("write deadline fired after %v, want 2s", got)
		}
	})
}

// TestStreamingWithPeriodicAcks runs the pattern of a master streaming to
// a replica that ACKs once a second on the same connection. The replica
// reads and ACKs from one goroutine and the master only reads ACKs after it
// finished streaming: over net.Pipe the first ACK would block the replica,
// which then stops reading and blocks the master for ever.
func TestStreamingWithPeriodicAcks(t *testing.T) {
	tests := []struct {
		name     string
		bufSize  int
		readWait time.Duration // replica pause between reads: a slow reader
	}{
		{"default buffer, fast replica", 0, 0},
		{"small buffer, slow replica", 64 << 10, 20 * time.Millisecond},
	}
	const (
		chunk    = 16 << 10
		interval = 10 * time.Millisecond
		duration = 5 * time.Second
		total    = chunk * int(duration/interval)
	)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var opts []Option
				if tt.bufSize > 0 {
					opts = append(opts, WithBufferSize(tt.bufSize))
				}
				master, replica := connPair(t, New(opts...), "replica", "master:6379")
				replicaErr := make(chan error, 1)
				go func() { replicaErr <- replicate(replica, total, tt.readWait) }()

				start := time.Now()
				tick := time.NewTicker(interval)
				payload := make([]byte, chunk)
				for sent := 0; sent < total; sent += chunk {
					<-tick.C
					if _, err := master.Write(payload); err != nil {
						t.Fatalf("master write at %d: %v", sent, err)
					}
				}
				tick.Stop()
				acks, last, err := readAcks(master)
				if err != nil {
					t.Fatalf("master reading acks: %v", err)
				}
				if err := <-replicaErr; err != nil {
					t.Fatalf("replica: %v", err)
				}
				if last != total {
					t.Errorf("last ack = %d, want %d", last, total)
				}
				if min := int(time.Since(start) / time.Second); acks < min {
					t.Errorf("got %d acks in %v, want at least %d", acks, time.Since(start), min)
				}
			})
		})
	}
}

// replicate reads want bytes from c, writes "ACK <offset>\n" once a second
// of (fake) time from the same goroutine, then a final ACK, and closes c.
func replicate(c io.ReadWriteCloser, want int, readWait time.Duration) error {
	defer c.Close()
	buf := make([]byte, 32<<10)
	offset, lastAck := 0, time.Now()
	for offset < want {
		if readWait > 0 {
			time.Sleep(readWait) // a slow reader, in fake time
		}
		n, err := c.Read(buf)
		if err != nil {
			return fmt.Errorf("read at offset %d: %w", offset, err)
		}
		offset += n
		if time.Since(lastAck) >= time.Second {
			lastAck = time.Now()
			if _, err := fmt.Fprintf(c, "ACK %d\n", offset); err != nil {
				return fmt.Errorf("ack: %w", err)
			}
		}
	}
	if _, err := fmt.Fprintf(c, "ACK %d\n", offset); err != nil {
		return fmt.Errorf("final ack: %w", err)
	}
	return nil
}

// readAcks reads ACK lines until EOF and returns their count and the last offset.
func readAcks(r io.Reader) (count, last int, err error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), "ACK ")
		if !ok {
			return count, last, fmt.Errorf("unexpected line %q", sc.Text())
		}
		if last, err = strconv.Atoi(v); err != nil {
			return count, last, fmt.Errorf("bad ack %q: %w", v, err)
		}
		count++
	}
	return count, last, sc.Err()
}

func TestPauseHoldsBytesUntilResume(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New()
		client, server := connPair(t, n, "app", "n1:6379")
		n.Pause("n1", "app")
		if _, err := client.Write([]byte("held")); err != nil {
			t.Fatalf("write while paused: %v", err)
		}
		got := make(chan string, 1)
		go func() {
			buf := make([]byte, 4)
			_, err := io.ReadFull(server, buf)
			if err != nil {
				got <- err.Error()
				return
			}
			got <- string(buf)
		}()
		synctest.Wait()
		select {
		case s := <-got:
			t.Fatalf("read %q while the link was paused", s)
		default:
		}
		n.Resume("app", "n1")
		if s := <-got; s != "held" {
			t.Fatalf("after resume read %q, want held", s)
		}
	})
}

func TestDialWaitsWhilePaused(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New()
		ln, err := n.Listen("n1:6379")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		n.Pause("app", "n1")

		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		if _, err := n.Dialer("app")(ctx, "tcp", "n1:6379"); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("dial while paused = %v, want context.DeadlineExceeded", err)
		}
		if got := time.Since(start); got != time.Second {
			t.Fatalf("dial gave up after %v, want 1s", got)
		}

		done := make(chan error, 1)
		go func() {
			c, err := n.Dialer("app")(context.Background(), "tcp", "n1:6379")
			if err == nil {
				c.Close()
			}
			done <- err
		}()
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("dial returned while paused: %v", err)
		default:
		}
		n.HealAll()
		if err := <-done; err != nil {
			t.Fatalf("dial after HealAll: %v", err)
		}
	})
}
