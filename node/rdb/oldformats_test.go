package rdb

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// Files crafted byte by byte in the layouts Redis 7.0 no longer writes
// (zipmap, ziplist, quicklist of ziplists, ASCII-score sorted sets, RDB
// versions 4 to 8) and in encodings newer than it (set listpack, version
// 11 and 12 opcodes). Each file comes with the keyspace it holds; when
// redis-server is installed and can load the file, the server's view of
// it must match our decoding too.

type craftedFile struct {
	name      string
	data      []byte
	want      []*Entry
	redisCan  bool // redis-server 7.0 can load it
	unsupport []string
	streams   []string // keys decoded as streams, in order
}

func craftedFiles() []craftedFile {
	long300 := strings.Repeat("L", 300)
	long20k := string(pattern("zl", 20000))
	zlElems := []string{"a", "0", "12", "13", "-1", "127", "-128", "200", "-32768", "32767",
		"70000", "-8388608", "8388607", "2147483647", "-2147483649", "9223372036854775807",
		"007", long300, "after-300", long20k, "end"}

	// Version 7 (Redis 3.x): AUX fields, zipmap, ziplist, zset and hash
	// ziplists, ASCII-score zset, intset, both expire opcodes, two DBs.
	v7 := newRawFile(7).
		bytes(opAux).str("redis-ver").str("3.0.7").
		selectDB(0).
		key(rdbHashZipmap, "zipmap:h").blob(buildZipmap(2, "a", "1", "long", long300)).
		key(rdbListZiplist, "ziplist:l").blob(buildZiplist(zlElems...)).
		key(rdbZSetZiplist, "zset:zl").blob(buildZiplist("a", "1.5", "b", "3", "c", "inf", "d", "-inf", "e", "0.1")).
		key(rdbHashZiplist, "hash:zl").blob(buildZiplist("f1", "v1", "n", "100000")).
		key(rdbZSet, "zset:old").length(4).
		str("a").asciiScore("1.5").str("b").asciiScore("inf").
		str("c").asciiScore("-inf").str("d").asciiScore("-3").
		key(rdbSetIntset, "intset").blob(buildIntset(4, -70000, 1, 70000)).
		bytes(opExpireTime, 0x00, 0x94, 0x35, 0x77). // 2000000000 s, LE
		key(rdbString, "ttl:sec").str("s").
		bytes(opExpireTimeMs).bytes(le64(farFuture+77)...).
		key(rdbList, "ttl:ms").length(2).str("x").bytes(0xC0, 0x05).
		selectDB(2).
		key(rdbString, "db2").str("two").
		end()

	// Version 8 (Redis 4.0-6.2): quicklist of ziplists, one of them LZF
	// compressed, LRU/LFU opcodes, RESIZEDB.
	qlNode2 := buildZiplist(string(pattern("node", 500)), string(pattern("node", 400)))
	v8 := newRawFile(8).
		bytes(opAux).str("repl-id").str(strings.Repeat("ab", 20)).
		bytes(opAux).str("repl-offset").bytes(0xC2, 0x40, 0xE2, 0x01, 0x00). // int32 123456
		selectDB(0).bytes(opResizeDB).length(2).length(0).
		bytes(opIdle).length(12345).
		key(rdbListQuicklist, "ql").length(2).blob(buildZiplist("a", "b", "1")).lzf(qlNode2).
		bytes(opFreq, 7).
		key(rdbSet, "set").length(3).str("x").str("y").bytes(0xC1, 0x00, 0x01).
		end()

	// Version 4 (Redis 2.4): no checksum after EOF.
	v4 := newRawFile(4).
		selectDB(0).
		key(rdbHashZipmap, "h").blob(buildZipmap(0, "k", "v")).
		key(rdbListZiplist, "l").blob(buildZiplist("1", "2", "three")).
		end()

	// Version 10 (Redis 7.0) by hand: quicklist-2 with a plain and a
	// packed node, hash and zset listpacks, a 64-bit length.
	v10 := newRawFile(10).
		selectDB(0).
		key(rdbListQuicklist2, "ql2").length(2).
		length(containerPlain).str(long300).
		length(containerPacked).blob(buildListpack("p", "-4096", "4095", "5000000000", "-1")).
		key(rdbHashListpack, "hash:lp").blob(buildListpack("f", "v", "n", "-129")).
		key(rdbZSetListpack, "zset:lp").blob(buildListpack("a", "inf", "b", "-7", "c", "2.5")).
		key(rdbString, "len64").bytes(len64Bit, 0, 0, 0, 0, 0, 0, 0, 3).bytes('a', 'b', 'c').
		end()

	// Version 11 (Redis 7.2): set listpack. Version 12 (Redis 7.4): slot
	// info, hashes with field expiration, module data and functions,
	// which are skipped.
	v11 := newRawFile(11).
		selectDB(0).
		key(rdbSetListpack, "set:lp").blob(buildListpack("a", "1", "-20", "bb")).
		end()
	v12 := newRawFile(12).
		bytes(opFunction2).str("#!lua name=lib\nredis.register_function('f', function() return 1 end)").
		bytes(opFunctionPre).str("oldlib").str("LUA").length(1).str("desc").str("return 1").
		bytes(opModuleAux).length(0x1234<<10).length(moduleOpUInt).length(2).
		length(moduleOpSInt).length(5).length(moduleOpString).str("aux").
		length(moduleOpFloat).bytes(0, 0, 0x80, 0x3f).length(moduleOpDouble).bytes(le64(0)...).
		length(moduleOpEOF).
		selectDB(0).bytes(opSlotInfo).length(866).length(3).length(1).
		key(rdbString, "first").str("1").
		key(rdbModule2, "modkey").length(0x1234<<10|1).length(moduleOpString).str("payload").length(moduleOpEOF).
		key(rdbHashMeta, "hfe1").bytes(le64(farFuture)...).length(2).
		length(0).str("f").str("v").length(5).str("g").str("w").
		key(rdbHashMetaPreGA, "hfe0").length(1).length(farFuture).str("f").str("v").
		key(rdbHashLpEx, "hfe3").bytes(le64(farFuture)...).blob(buildListpack("f", "v", "0")).
		key(rdbHashLpExPreGA, "hfe2").blob(buildListpack("f", "v", "0")).
		key(rdbStreamListpacks, "stream15").
		length(1).blob(make([]byte, 16)).blob(buildListpack("1", "0", "1", "f", "0", "2", "0", "1", "v", "4")). // node: master ID, listpack (entry 0-1 f=v)
		length(1).length(5).length(0).                                                                          // length, last ID
		length(1).str("g").length(5).length(0).                                                                 // group: name, last delivered ID
		length(1).bytes(make([]byte, 16)...).bytes(le64(farFuture)...).length(1).                               // PEL entry
		length(1).str("c").bytes(le64(farFuture)...).length(1).bytes(make([]byte, 16)...).                      // consumer
		key(rdbStream3, "stream21").
		length(0).
		length(0).length(0).length(0).                                                    // length, last ID
		length(0).length(0).length(0).length(0).length(0).                                // first ID, max deleted ID, entries added
		length(1).str("g").length(0).length(0).length(0).                                 // group: name, last ID, entries read
		length(0).                                                                        // empty PEL
		length(1).str("c").bytes(le64(farFuture)...).bytes(le64(farFuture)...).length(0). // consumer: seen, active
		key(rdbString, "last").str("2").
		end()

	return []craftedFile{
		{name: "v7 zipmap ziplist oldzset", data: v7, redisCan: true, want: []*Entry{
			hash(0, "zipmap:h", -1, "a", "1", "long", long300),
			list(0, "ziplist:l", -1, bs(zlElems...)...),
			zset(0, "zset:zl", -1, ZMember{[]byte("a"), 1.5}, ZMember{[]byte("b"), 3},
				ZMember{[]byte("c"), math.Inf(1)}, ZMember{[]byte("d"), math.Inf(-1)}, ZMember{[]byte("e"), 0.1}),
			hash(0, "hash:zl", -1, "f1", "v1", "n", "100000"),
			zset(0, "zset:old", -1, ZMember{[]byte("a"), 1.5}, ZMember{[]byte("b"), math.Inf(1)},
				ZMember{[]byte("c"), math.Inf(-1)}, ZMember{[]byte("d"), -3}),
			set(0, "intset", -1, ints(-70000, 1, 70000)...),
			str(0, "ttl:sec", "s", 2000000000000),
			list(0, "ttl:ms", farFuture+77, bs("x", "5")...),
			str(2, "db2", "two", -1),
		}},
		{name: "v8 quicklist", data: v8, redisCan: true, want: []*Entry{
			list(0, "ql", -1, bs("a", "b", "1", string(pattern("node", 500)), string(pattern("node", 400)))...),
			set(0, "set", -1, bs("x", "y", "256")...),
		}},
		{name: "v4 no checksum", data: v4, redisCan: true, want: []*Entry{
			hash(0, "h", -1, "k", "v"),
			list(0, "l", -1, bs("1", "2", "three")...),
		}},
		{name: "v10 by hand", data: v10, redisCan: true, want: []*Entry{
			list(0, "ql2", -1, bs(long300, "p", "-4096", "4095", "5000000000", "-1")...),
			hash(0, "hash:lp", -1, "f", "v", "n", "-129"),
			zset(0, "zset:lp", -1, ZMember{[]byte("a"), math.Inf(1)}, ZMember{[]byte("b"), -7}, ZMember{[]byte("c"), 2.5}),
			str(0, "len64", "abc", -1),
		}},
		{name: "v11 set listpack", data: v11, want: []*Entry{
			set(0, "set:lp", -1, bs("a", "1", "-20", "bb")...),
		}},
		{name: "v12 skipped values", data: v12, unsupport: []string{"modkey", "hfe1", "hfe0", "hfe3", "hfe2"},
			streams: []string{"stream15:1:5-0:g=-1:c=1", "stream21:0:0-0:g=0:c=0"},
			want:    []*Entry{str(0, "first", "1", -1), str(0, "last", "2", -1)}},
	}
}

func le64(v uint64) []byte {
	b := make([]byte, 8)
	for i := range b {
		b[i] = byte(v >> (8 * i))
	}
	return b
}

func TestCraftedFiles(t *testing.T) {
	for _, cf := range craftedFiles() {
		t.Run(cf.name, func(t *testing.T) {
			d := NewDecoder(bytesReader(cf.data))
			got := keyspace{}
			var skipped, streams []string
			for {
				en, err := d.Next()
				if err == errEOF {
					break
				}
				if err == nil && en.Type == TypeStream {
					s := en.Stream
					g := s.Groups[0]
					streams = append(streams, fmt.Sprintf("%s:%d:%d-%d:%s=%d:%s=%d", en.Key, s.Length, s.LastID.Ms, s.LastID.Seq,
						g.Name, g.EntriesRead, g.Consumers[0].Name, len(g.Consumers[0].PEL)))
					continue
				}
				if ue, ok := err.(*UnsupportedTypeError); ok && ue.Skipped {
					skipped = append(skipped, string(ue.Key))
					continue
				}
				if err != nil {
					t.Fatalf("Next: %v", err)
				}
				got[dbKey{en.DB, string(en.Key)}] = normalized(en)
			}
			if diff := diffKeyspaces(got, keyspaceOf(cf.want)); diff != "" {
				t.Fatalf("decoded:\n%s", diff)
			}
			if strings.Join(streams, ",") != strings.Join(cf.streams, ",") {
				t.Fatalf("streams %q, want %q", streams, cf.streams)
			}
			if strings.Join(skipped, ",") != strings.Join(cf.unsupport, ",") {
				t.Fatalf("skipped %q, want %q", skipped, cf.unsupport)
			}
			if d.Read() != int64(len(cf.data)) {
				t.Fatalf("consumed %d of %d bytes", d.Read(), len(cf.data))
			}
		})
	}
}

// TestCraftedFilesInRedis loads the crafted files Redis 7.0 can read into
// redis-server and compares its content with our decoding: it checks the
// hand-made layouts against the reference implementation.
func TestCraftedFilesInRedis(t *testing.T) {
	for _, cf := range craftedFiles() {
		if !cf.redisCan {
			continue
		}
		t.Run(cf.name, func(t *testing.T) {
			checkRDB(t, cf.data)
			srv := startWithRDB(t, cf.data)
			got, _ := decodeAll(t, cf.data)
			if diff := diffKeyspaces(got, serverKeyspace(t, srv)); diff != "" {
				t.Fatalf("our decoding differs from redis-server's:\n%s", diff)
			}
		})
	}
}
