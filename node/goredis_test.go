package node_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/replscope/replscope/internal/nodetest"
)

// TestGoRedisDefaultOptions uses go-redis v9 with its default options
// (RESP3 HELLO first, CLIENT SETINFO, a connection pool, pipelines,
// transactions, pub/sub) against a node, as an application would.
func TestGoRedisDefaultOptions(t *testing.T) {
	n := nodetest.Start(t, "--requirepass", "pw")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rdb := redis.NewClient(&redis.Options{Addr: n.Addr(), Password: "pw"})
	defer rdb.Close()

	if err := rdb.Set(ctx, "k", "v", time.Minute).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	if v, err := rdb.Get(ctx, "k").Result(); err != nil || v != "v" {
		t.Fatalf("GET: %q %v", v, err)
	}
	if ttl, err := rdb.TTL(ctx, "k").Result(); err != nil || ttl <= 0 || ttl > time.Minute {
		t.Fatalf("TTL: %v %v", ttl, err)
	}
	if _, err := rdb.Get(ctx, "missing").Result(); err != redis.Nil {
		t.Fatalf("GET missing: %v, want redis.Nil", err)
	}
	if err := rdb.HSet(ctx, "h", "a", 1, "b", 2).Err(); err != nil {
		t.Fatal(err)
	}
	if m, err := rdb.HGetAll(ctx, "h").Result(); err != nil || m["a"] != "1" || m["b"] != "2" {
		t.Fatalf("HGETALL: %v %v", m, err)
	}
	if err := rdb.ZAdd(ctx, "z", redis.Z{Score: 1.5, Member: "m"}).Err(); err != nil {
		t.Fatal(err)
	}
	if s, err := rdb.ZScore(ctx, "z", "m").Result(); err != nil || s != 1.5 {
		t.Fatalf("ZSCORE: %v %v", s, err)
	}
	pipe := rdb.Pipeline()
	incr := pipe.Incr(ctx, "n")
	pipe.Incr(ctx, "n")
	if _, err := pipe.Exec(ctx); err != nil || incr.Val() != 1 {
		t.Fatalf("pipeline: %v %d", err, incr.Val())
	}
	_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "tx1", "a", 0)
		p.Set(ctx, "tx2", "b", 0)
		return nil
	})
	if err != nil {
		t.Fatalf("MULTI/EXEC: %v", err)
	}
	sub := rdb.Subscribe(ctx, "news")
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatalf("SUBSCRIBE: %v", err)
	}
	if n, err := rdb.Publish(ctx, "news", "hello").Result(); err != nil || n != 1 {
		t.Fatalf("PUBLISH: %d %v", n, err)
	}
	msg, err := sub.ReceiveMessage(ctx)
	if err != nil || msg.Payload != "hello" {
		t.Fatalf("message: %v %v", msg, err)
	}
	if info, err := rdb.Info(ctx, "replication").Result(); err != nil || len(info) == 0 {
		t.Fatalf("INFO: %v", err)
	}
	wrong := redis.NewClient(&redis.Options{Addr: n.Addr(), Password: "nope"})
	defer wrong.Close()
	if err := wrong.Ping(ctx).Err(); err == nil {
		t.Fatal("a wrong password was accepted")
	}
}
