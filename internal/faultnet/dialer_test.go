package faultnet

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDialerCutAndHeal(t *testing.T) {
	addr := echoServer(t)
	var d Dialer
	ctx := context.Background()

	c1, err := d.Dial(ctx, "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	roundTrip(t, c1, "before cut")
	if s := d.Stats(); s.Live != 1 || s.Dials != 1 || s.Cut {
		t.Fatalf("stats before cut = %+v", s)
	}

	d.Cut()
	d.Cut() // idempotent
	expectClosed(t, c1)
	_, err = d.Dial(ctx, "tcp", addr)
	if !errors.Is(err, ErrCut) || !strings.Contains(err.Error(), "faultnet: link cut") {
		t.Fatalf("dial while cut = %v, want ErrCut", err)
	}
	if s := d.Stats(); s.Live != 0 || s.Refused != 1 || !s.Cut {
		t.Fatalf("stats while cut = %+v, want Live 0, Refused 1, Cut", s)
	}

	d.Heal()
	d.Heal() // idempotent
	c2, err := d.Dial(ctx, "tcp", addr)
	if err != nil {
		t.Fatalf("dial after heal: %v", err)
	}
	c2.SetDeadline(time.Now().Add(testTimeout))
	roundTrip(t, c2, "after heal")
	c2.Close()
	if s := d.Stats(); s.Live != 0 || s.Dials != 2 || s.Cut {
		t.Fatalf("stats after close = %+v, want Live 0, Dials 2", s)
	}
}

func TestDialerPassesDialErrors(t *testing.T) {
	addr := echoServer(t)
	var d Dialer
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := d.Dial(ctx, "tcp", addr)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("dial with cancelled ctx = %v, want context.Canceled", err)
	}
	if s := d.Stats(); s.Refused != 0 || s.Dials != 0 {
		t.Fatalf("stats = %+v, want no dials and no refusals", s)
	}
}
