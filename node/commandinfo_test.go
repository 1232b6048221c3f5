package node_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/redistest"
	"github.com/replscope/replscope/internal/resp"
)

// TestCommandInfoMatchesRedis compares every command's COMMAND INFO entry
// (arity, flags, key positions, ACL categories) with redis-server 7.0's:
// the flags drive the same refusals (stale, loading, write on a replica)
// that Redis applies.
func TestCommandInfoMatchesRedis(t *testing.T) {
	rs := redistest.Start(t)
	n := nodetest.Start(t)
	names := nodetest.MustDo(t, n.Addr(), "COMMAND", "LIST")
	for _, nv := range names.Elems {
		name := string(nv.Str)
		want := nodetest.MustDo(t, rs.Addr, "COMMAND", "INFO", name)
		got := nodetest.MustDo(t, n.Addr(), "COMMAND", "INFO", name)
		if len(want.Elems) != 1 || want.Elems[0].Kind != resp.Array || want.Elems[0].Null {
			continue // not a Redis 7.0 command
		}
		w, g := want.Elems[0].Elems, got.Elems[0].Elems
		if w[1].Int != g[1].Int {
			t.Errorf("%s: arity %d, redis has %d", name, g[1].Int, w[1].Int)
		}
		wf, gf := strs(w[2]), strs(g[2])
		delete(wf, "movablekeys") // key specs are not modelled
		delete(wf, "no_mandatory_keys")
		delete(wf, "sentinel")
		delete(wf, "module")
		delete(wf, "no_async_loading")
		if d := diffSet(wf, gf); d != "" {
			t.Errorf("%s: flags differ: %s", name, d)
		}
		for i, what := range []string{"first key", "last key", "step"} {
			if w[3+i].Int != g[3+i].Int {
				t.Errorf("%s: %s %d, redis has %d", name, what, g[3+i].Int, w[3+i].Int)
			}
		}
		if d := diffSet(strs(w[6]), strs(g[6])); d != "" {
			t.Errorf("%s: ACL categories differ: %s", name, d)
		}
	}
}

func strs(v resp.Value) map[string]bool {
	out := map[string]bool{}
	for _, e := range v.Elems {
		out[strings.ToLower(string(e.Str))] = true
	}
	return out
}

func diffSet(want, got map[string]bool) string {
	var missing, extra []string
	for k := range want {
		if !got[k] {
			missing = append(missing, k)
		}
	}
	for k := range got {
		if !want[k] {
			extra = append(extra, k)
		}
	}
	if len(missing)+len(extra) == 0 {
		return ""
	}
	sort.Strings(missing)
	sort.Strings(extra)
	return "missing " + strings.Join(missing, ",") + "; extra " + strings.Join(extra, ",")
}
