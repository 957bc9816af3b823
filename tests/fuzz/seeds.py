#!/usr/bin/env python3
# seeds.py — how the seed corpora of tests/fuzz/corpus/{pkt,audit,control}
# were made (the policy seeds are the example and golden policies).  Not
# run by make: the seeds are kept in the tree; run it again (python3
# tests/fuzz/seeds.py) only to change them.
import os
import struct

here = os.path.dirname(os.path.abspath(__file__))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def ip6(a):
    import ipaddress
    return ipaddress.IPv6Address(a).packed


def mac(m):
    return bytes(int(x, 16) for x in m.split(":"))


def tcp(sport, dport, flags=0x02, seq=1, ack=0, payload=b"", opts=b""):
    off = (20 + len(opts)) // 4
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4, flags,
                       65535, 0, 0) + opts + payload


def udp(sport, dport, payload=b"hello"):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def icmp(t, code=0, ident=7, seq=1):
    return struct.pack("!BBHHH", t, code, 0, ident, seq) + b"ping"


def v4(src, dst, proto, l4, ident=1, frag=0, ttl=64, opts=b""):
    ihl = (20 + len(opts)) // 4
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, 20 + len(opts) + len(l4),
                    ident, frag, ttl, proto, 0, ip4(src), ip4(dst)) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + l4


def v6(src, dst, nh, l4, ext=b""):
    return struct.pack("!IHBB16s16s", 6 << 28, len(ext) + len(l4), nh, 64,
                       ip6(src), ip6(dst)) + ext + l4


def eth(src, dst, etype, payload, vlans=()):
    h = mac(dst) + mac(src)
    for tpid, vid in vlans:
        h += struct.pack("!HH", tpid, vid)
    return h + struct.pack("!H", etype) + payload


def sll(etype, payload, src="02:00:0a:14:64:07"):
    return struct.pack("!HHH", 0, 1, 6) + mac(src) + b"\0\0" + \
        struct.pack("!H", etype) + payload


def sll2(etype, payload, src="02:00:0a:14:64:07"):
    return struct.pack("!HHIHBB", etype, 0, 2, 1, 0, 6) + mac(src) + \
        b"\0\0" + payload


TERM = "02:00:0a:14:64:07"
GW = "02:00:00:00:00:01"
ATENA = "02:00:0a:0a:01:14"

# Frames: (name, link index of fuzz_pkt.c's links[], frame)
frames = [
    ("eth-tcp-syn", 0, eth(TERM, GW, 0x0800,
                           v4("10.20.100.7", "192.0.2.40", 6, tcp(40000, 3389)))),
    ("eth-tcp-data", 0, eth(GW, TERM, 0x0800,
                            v4("192.0.2.40", "10.20.100.7", 6,
                               tcp(3389, 40000, 0x18, 5, 2, b"data")))),
    ("eth-tcp-opts", 0, eth(TERM, GW, 0x0800,
                            v4("10.20.100.7", "192.0.2.40", 6,
                               tcp(40001, 3389, opts=b"\x02\x04\x05\xb4\x01\x01\x04\x02")))),
    ("eth-udp", 0, eth(TERM, GW, 0x0800,
                       v4("10.20.100.7", "192.0.2.40", 17, udp(40002, 3389)))),
    ("eth-icmp-echo", 0, eth(TERM, GW, 0x0800,
                             v4("10.20.100.7", "192.0.2.40", 1, icmp(8)))),
    ("eth-icmp-unreach", 0, eth(GW, TERM, 0x0800,
                                v4("192.0.2.40", "10.20.100.7", 1,
                                   struct.pack("!BBHI", 3, 3, 0, 0) +
                                   v4("10.20.100.7", "192.0.2.40", 17,
                                      udp(40002, 3389))[:28]))),
    ("eth-ipv4-options", 0, eth(TERM, GW, 0x0800,
                                v4("10.20.100.7", "192.0.2.40", 6, tcp(40003, 443),
                                   opts=b"\x94\x04\x00\x00"))),
    ("eth-frag-first", 0, eth(TERM, GW, 0x0800,
                              v4("10.20.100.7", "192.0.2.40", 17,
                                 udp(40004, 3389, b"x" * 32), ident=99, frag=0x2000))),
    ("eth-frag-later", 0, eth(TERM, GW, 0x0800,
                              v4("10.20.100.7", "192.0.2.40", 17, b"y" * 24,
                                 ident=99, frag=5))),
    ("eth-vlan", 0, eth(TERM, GW, 0x0800,
                        v4("10.20.100.7", "192.0.2.40", 6, tcp(40005, 3389)),
                        vlans=((0x8100, 20),))),
    ("eth-qinq", 0, eth(TERM, GW, 0x0800,
                        v4("10.20.100.7", "192.0.2.40", 6, tcp(40006, 3389)),
                        vlans=((0x88a8, 100), (0x8100, 20)))),
    ("eth-arp", 0, eth(TERM, "ff:ff:ff:ff:ff:ff", 0x0806,
                       struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac(TERM) +
                       ip4("10.20.100.7") + b"\0" * 6 + ip4("10.20.0.1"))),
    ("eth-mn-pinned", 0, eth(ATENA, GW, 0x0800,
                             v4("10.10.1.20", "10.200.5.10", 6, tcp(40010, 443)))),
    ("eth-ipv6-tcp", 0, eth(TERM, GW, 0x86dd,
                            v6("fd00:20::7", "2001:db8::40", 6, tcp(40020, 443)))),
    ("eth-ipv6-ext", 0, eth(TERM, GW, 0x86dd,
                            v6("fd00:20::7", "2001:db8::40", 0,
                               tcp(40021, 443),
                               ext=bytes([60, 0, 1, 4, 0, 0, 0, 0]) +
                               bytes([6, 0, 1, 4, 0, 0, 0, 0])))),
    ("eth-ipv6-frag", 0, eth(TERM, GW, 0x86dd,
                             v6("fd00:20::7", "2001:db8::40", 44, udp(40022, 53),
                                ext=struct.pack("!BBHI", 17, 0, 1, 77)))),
    ("eth-icmpv6-echo", 0, eth(TERM, GW, 0x86dd,
                               v6("fd00:20::7", "2001:db8::40", 58,
                                  struct.pack("!BBHHH", 128, 0, 0, 9, 1)))),
    ("eth-sctp", 0, eth(TERM, GW, 0x0800,
                        v4("10.20.100.7", "192.0.2.40", 132,
                           struct.pack("!HHII", 40030, 2905, 0, 0)))),
    ("raw-ipv4", 1, v4("10.20.100.7", "192.0.2.40", 6, tcp(40040, 3389))),
    ("raw-ipv6", 1, v6("fd00:20::7", "2001:db8::40", 17, udp(40041, 53))),
    ("sll-ipv4", 2, sll(0x0800, v4("10.20.100.7", "192.0.2.40", 6, tcp(40042, 3389)))),
    ("ipv4-link", 3, v4("10.20.100.7", "192.0.2.40", 17, udp(40043, 3389))),
    ("ipv6-link", 4, v6("fd00:20::7", "2001:db8::40", 6, tcp(40044, 443))),
    ("sll2-ipv6", 5, sll2(0x86dd, v6("fd00:20::7", "2001:db8::40", 6,
                                     tcp(40045, 443)))),
]


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


for name, link, f in frames:
    write(os.path.join(here, "corpus", "pkt", name), bytes([link]) + f)

# Captures: pcap files, Ethernet unless said otherwise.
LINKTYPE = {0: 1, 1: 101, 2: 113, 3: 228, 4: 229, 5: 276}


def pcap(records, linktype=1, snaplen=65535, cut=None):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)
    for i, r in enumerate(records):
        caplen = len(r) if cut is None else min(cut, len(r))
        out += struct.pack("<IIII", 1790000000 + i, i * 1000, caplen, len(r))
        out += r[:caplen]
    return out


def conn(src, dst, sport, dport, smac=TERM, dmac=GW, data=b"req"):
    a = lambda fl, seq, ack, p=b"": eth(smac, dmac, 0x0800, v4(src, dst, 6, tcp(sport, dport, fl, seq, ack, p)))
    b = lambda fl, seq, ack, p=b"": eth(dmac, smac, 0x0800, v4(dst, src, 6, tcp(dport, sport, fl, seq, ack, p)))
    return [a(0x02, 1, 0), b(0x12, 100, 2), a(0x10, 2, 101), a(0x18, 2, 101, data),
            b(0x18, 101, 5, b"answer"), a(0x11, 5, 107), b(0x11, 107, 6)]


caps = {
    "permitted-rdp": pcap(conn("10.20.100.7", "192.0.2.40", 40100, 3389)),
    "violation-mn-internet": pcap(conn("10.10.1.20", "192.0.2.40", 40101, 443,
                                       smac=ATENA)),
    "mac-mismatch": pcap(conn("10.10.1.20", "10.200.5.10", 40102, 443,
                              smac="02:00:0a:0a:01:99")),
    "mixed": pcap(conn("10.20.100.7", "192.0.2.40", 40103, 3389) +
                  conn("10.20.100.7", "198.51.100.7", 40104, 80) +
                  [f for _, l, f in frames if l == 0]),
    "late-start": pcap(conn("10.20.100.7", "192.0.2.40", 40105, 3389)[3:]),
    "udp-icmp": pcap([f for n, l, f in frames if l == 0 and
                      ("udp" in n or "icmp" in n or "frag" in n)]),
    "ipv6": pcap([f for n, l, f in frames if l == 0 and "ipv6" in n]),
    "raw": pcap([f for _, l, f in frames if l == 1], linktype=101),
    "sll": pcap([f for _, l, f in frames if l == 2], linktype=113),
    "sll2": pcap([f for _, l, f in frames if l == 5], linktype=276),
    "ipv4-link": pcap([f for _, l, f in frames if l == 3], linktype=228),
    "snaplen-cut": pcap(conn("10.20.100.7", "192.0.2.40", 40106, 3389),
                        snaplen=40, cut=40),
    "empty": pcap([]),
}
caps["truncated"] = caps["permitted-rdp"][:-10]
for name, data in caps.items():
    write(os.path.join(here, "corpus", "audit", name + ".pcap"), data)

# Control requests, one line each (without the newline control.c removes).
requests = {
    "status": '{"cmd":"status"}',
    "status-args": '{"cmd":"status","args":{}}',
    "zones": '{"cmd":"zones","args":{}}',
    "flows": '{"cmd":"flows","args":{}}',
    "verify": '{"cmd":"verify","args":{}}',
    "reload": '{"cmd":"reload","args":{}}',
    "alerts": '{"cmd":"alerts","args":{}}',
    "alerts-since": '{"cmd":"alerts","args":{"since":"2026-09-01T00:00:00+09:00"}}',
    "alerts-bad-since": '{"cmd":"alerts","args":{"since":"yesterday"}}',
    "check": '{"cmd":"check","args":{"src":"10.20.100.7","dst":"192.0.2.40","proto":"tcp/3389"}}',
    "check-names": '{"cmd":"check","args":{"src":"atena","dst":"chukan","proto":"tcp/443"}}',
    "check-sport": '{"cmd":"check","args":{"src":"lg-terms","dst":"rds","proto":"tcp/3389","sport":40000}}',
    "check-mac": '{"cmd":"check","args":{"src":"atena","dst":"chukan","proto":"tcp/443","mac":"02:00:0a:0a:01:99"}}',
    "check-icmp": '{"cmd":"check","args":{"src":"10.20.100.7","dst":"192.0.2.40","proto":"icmp/8"}}',
    "check-v6": '{"cmd":"check","args":{"src":"fd00:20::7","dst":"2001:db8::40","proto":"udp/53"}}',
    "check-sport-big": '{"cmd":"check","args":{"src":"10.20.100.7","dst":"192.0.2.40","proto":"tcp/3389","sport":4294967376}}',
    "check-sport-neg": '{"cmd":"check","args":{"src":"10.20.100.7","dst":"192.0.2.40","proto":"tcp/3389","sport":-1}}',
    "check-sport-real": '{"cmd":"check","args":{"src":"10.20.100.7","dst":"192.0.2.40","proto":"tcp/3389","sport":80.0}}',
    "check-missing": '{"cmd":"check","args":{"src":"10.20.100.7"}}',
    "check-extra": '{"cmd":"check","args":{"src":"a","dst":"b","proto":"tcp","port":1}}',
    "dup-cmd": '{"cmd":"status","cmd":"reload"}',
    "dup-args": '{"cmd":"check","args":{"src":"atena","src":"lg-terms","dst":"rds","proto":"tcp/3389"}}',
    "unknown": '{"cmd":"rm-rf"}',
    "extra-key": '{"cmd":"status","id":1}',
    "not-object": '["status"]',
    "not-json": 'hello there',
    "args-array": '{"cmd":"status","args":[]}',
    "escapes": '{"cmd":"check","args":{"src":"\\u0061tena","dst":"chukan","proto":"tcp\\/443"}}',
    "flows-unused": '{"cmd":"flows","args":{"unused":30,"rows":true}}',
    "flows-unused-big": '{"cmd":"flows","args":{"unused":36501}}',
    "reload-full": '{"cmd":"reload","args":{"full":true}}',
    "reload-full-int": '{"cmd":"reload","args":{"full":1}}',
    "check-service": '{"cmd":"check","args":{"src":"lg-terms","dst":"rds","proto":"rdp"}}',
    "check-appliance": '{"cmd":"check","args":{"src":"10.20.100.7","dst":"appliance","proto":"tcp/22"}}',
    "health": '{"cmd":"health","args":{}}',
    "health-peer": '{"cmd":"health","args":{"peer":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","accept_last_good":true}}',
    "health-peer-bad": '{"cmd":"health","args":{"peer":"not-a-sha"}}',
    "health-lg-int": '{"cmd":"health","args":{"accept_last_good":1}}',
    "ha-state-master": '{"cmd":"ha-state","args":{"state":"master","conntrackd":"commit ok, flush ok, resync ok, bulk ok"}}',
    "ha-state-backup": '{"cmd":"ha-state","args":{"state":"backup"}}',
    "ha-state-bad": '{"cmd":"ha-state","args":{"state":"primary"}}',
    "ha-state-missing": '{"cmd":"ha-state","args":{"conntrackd":"commit ok"}}',
    "ha-state-empty-ct": '{"cmd":"ha-state","args":{"state":"fault","conntrackd":""}}',
}
for name, line in requests.items():
    write(os.path.join(here, "corpus", "control", name), line.encode())
