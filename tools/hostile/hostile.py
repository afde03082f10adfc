#!/usr/bin/python3
"""Hostile and malformed traffic at a board, with scapy (issue 10): one named case or all of them.

Run inside the test's network namespace, as root, on the TAP interface that faces the board:
    /usr/bin/python3 tools/hostile/hostile.py --iface emu0 --board 192.0.2.2 --board-mac 02:00:00:00:00:02
        [--peer 192.0.2.1] [--sport 40300] [--case NAME ...]
Every case sends a bounded number of frames (at most a few hundred) and prints one line: its name and the
frame count. Addresses are 192.0.2.0/24 (TEST-NET-1) only.
"""
import argparse
import random
import sys

from scapy.all import (ARP, ICMP, IP, TCP, UDP, Ether, IPOption_RR, IPOption_LSRR, IPOption_Router_Alert, Raw, conf,
                       fragment, get_if_hwaddr, sendp)
from scapy.utils import checksum

conf.verb = 0


def build(args):
    me = get_if_hwaddr(args.iface)
    eth = Ether(src=me, dst=args.board_mac)
    eth4 = Ether(src=me, dst=args.board_mac, type=0x0800)  # for raw IPv4 bytes scapy would not label itself
    board, peer = args.board, args.peer
    rnd = random.Random(args.seed)
    cases = {}

    # Checksums and lengths.
    cases["bad-ip-checksum"] = [eth / IP(src=peer, dst=board, chksum=0x1234) / ICMP() / Raw(b"x" * 32)]
    cases["bad-tcp-checksum"] = [eth / IP(src=peer, dst=board) / TCP(sport=40001, dport=7, flags="S", chksum=0xBEEF)]
    cases["bad-udp-checksum"] = [eth / IP(src=peer, dst=board) / UDP(sport=40002, dport=7, chksum=0xBEEF) / Raw(b"y" * 20)]
    long_ip = IP(src=peer, dst=board) / UDP(sport=40003, dport=7) / Raw(b"z" * 20)
    long_ip = IP(bytes(long_ip))
    long_ip.len = 1400  # claims far more than the frame carries
    cases["ip-length-beyond-frame"] = [eth4 / Raw(bytes(long_ip))]
    cases["ihl-too-small"] = [eth4 / Raw(bytes(IP(src=peer, dst=board, ihl=3) / ICMP()))]
    cases["ip-version-6-in-v4-frame"] = [eth4 / Raw(bytes(IP(src=peer, dst=board, version=6) / ICMP()))]
    short_udp = bytes(IP(src=peer, dst=board) / UDP(sport=40004, dport=7, len=4) / Raw(b"abcd"))
    cases["udp-length-too-short"] = [eth4 / Raw(short_udp)]
    bad_offset = IP(src=peer, dst=board) / TCP(sport=40005, dport=7, dataofs=15, flags="S")
    cases["tcp-data-offset-beyond-segment"] = [eth4 / Raw(bytes(bad_offset))]

    # Every TCP flag combination, to a listening port and to a closed one.
    cases["tcp-every-flag"] = [eth / IP(src=peer, dst=board) / TCP(sport=41000 + f, dport=port, flags=f, seq=rnd.getrandbits(32), ack=rnd.getrandbits(32))
                               for f in range(256) for port in (7, 81)]

    # Segments out of the live connection's window, and RSTs and SYNs at it with wrong sequence numbers.
    live = []
    for _ in range(40):
        live.append(eth / IP(src=peer, dst=board) / TCP(sport=args.sport, dport=7, flags="PA", seq=rnd.getrandbits(32), ack=rnd.getrandbits(32)) / Raw(b"OUT-OF-WINDOW\n"))
        live.append(eth / IP(src=peer, dst=board) / TCP(sport=args.sport, dport=7, flags="R", seq=rnd.getrandbits(32)))
        live.append(eth / IP(src=peer, dst=board) / TCP(sport=args.sport, dport=7, flags="S", seq=rnd.getrandbits(32)))
    cases["attack-live-connection"] = live

    # Fragments: tiny ones, overlapping ones (teardrop: the second starts inside the first), a ping of death.
    datagram = IP(src=peer, dst=board, id=0x4242) / UDP(sport=40006, dport=7) / Raw(b"F" * 200)
    cases["tiny-fragments"] = [eth / f for f in fragment(datagram, fragsize=8)]
    first = IP(src=peer, dst=board, id=0x4343, flags="MF", frag=0, proto=17) / Raw(bytes(UDP(sport=40007, dport=7, len=8 + 48)) + b"A" * 40)
    second = IP(src=peer, dst=board, id=0x4343, flags=0, frag=3, proto=17) / Raw(b"B" * 32)  # offset 24 < 48: overlaps
    cases["teardrop-overlap"] = [eth / first, eth / second]
    cases["ping-of-death"] = [eth / IP(src=peer, dst=board, id=0x4444, flags=0, frag=8189, proto=1) / Raw(b"D" * 64)]

    # ARP: someone else claims the board's own address; an ARP storm of requests for random addresses.
    cases["arp-spoof-board-address"] = [
        Ether(src="02:de:ad:be:ef:01", dst="ff:ff:ff:ff:ff:ff") / ARP(op=2, hwsrc="02:de:ad:be:ef:01", psrc=board, hwdst="ff:ff:ff:ff:ff:ff", pdst=board),
        Ether(src="02:de:ad:be:ef:01", dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc="02:de:ad:be:ef:01", psrc=board, pdst=board)]
    cases["arp-storm"] = [Ether(src="02:00:00:00:%02x:%02x" % (i >> 8, i & 0xFF), dst="ff:ff:ff:ff:ff:ff") /
                          ARP(op=1, hwsrc="02:00:00:00:%02x:%02x" % (i >> 8, i & 0xFF), psrc="192.0.2.%d" % (10 + i % 200), pdst=board)
                          for i in range(300)]

    # Frames too long and too short, and IP options (record route is harmless; loose source routing must not be obeyed).
    cases["oversized-frame"] = [eth / IP(src=peer, dst=board) / ICMP() / Raw(b"O" * 1560)]
    cases["undersized-frame"] = [Raw(bytes(eth)[:10]), eth4 / Raw(b"\x45\x00\x45")]
    cases["ip-options"] = [eth / IP(src=peer, dst=board, options=[IPOption_RR()]) / ICMP(),
                           eth / IP(src=peer, dst=board, options=[IPOption_LSRR(routers=["192.0.2.9"])]) / ICMP()]

    # Land attack (source = destination = the board) and a broadcast ping that must not be answered (no smurf amplifier).
    cases["land"] = [eth / IP(src=board, dst=board) / TCP(sport=7, dport=7, flags="S")]
    cases["broadcast-ping"] = [Ether(src=me, dst="ff:ff:ff:ff:ff:ff") / IP(src=peer, dst="192.0.2.255") / ICMP()]

    # IGMP (RFC 2236, RFC 3376) to all-hosts as a querier would send it, malformed and in a storm: a board must count the
    # bad ones, not fall over, and answer a storm of queries with no more reports than queries.
    def igmp(body, fix=True, group="224.0.0.1"):
        body = bytearray(body)
        if fix:
            body[2:4] = b"\0\0"
            body[2:4] = checksum(bytes(body)).to_bytes(2, "big")
        mac = "01:00:5e:%02x:%02x:%02x" % (int(group.split(".")[1]) & 0x7F, int(group.split(".")[2]), int(group.split(".")[3]))
        return Ether(src=me, dst=mac) / IP(src=peer, dst=group, ttl=1, proto=2, options=[IPOption_Router_Alert()]) / Raw(bytes(body))

    v2_query = bytes([0x11, 100, 0, 0, 0, 0, 0, 0])
    v3_query = bytes([0x11, 10, 0, 0, 0, 0, 0, 0, 2, 125, 0, 0])
    cases["igmp-bad-checksum"] = [igmp(bytes([0x11, 100, 0x12, 0x34, 0, 0, 0, 0]), fix=False)]
    cases["igmp-truncated"] = [igmp(bytes([0x11, 100, 0xEE, 0xFF]), fix=False), igmp(bytes([0x11, 100, 0, 0, 239, 1]))]
    # A v3 query that claims 200 sources and carries two.
    cases["igmp-v3-query-lying-source-count"] = [igmp(bytes([0x11, 10, 0, 0, 239, 1, 2, 3, 2, 125, 0, 200]) + bytes(8), group="239.1.2.3")]
    cases["igmp-unknown-type"] = [igmp(bytes([0x99, 0, 0, 0, 0, 0, 0, 0]))]
    cases["igmp-query-to-a-unicast-group"] = [igmp(bytes([0x11, 100, 0, 0, 192, 0, 2, 2]))]
    cases["igmp-query-storm"] = [igmp(v3_query if i % 2 else v2_query) for i in range(200)]

    # mDNS (RFC 6762) to 224.0.0.251:5353: names that loop, run past the packet or claim more records than they carry.
    mdns = Ether(src=me, dst="01:00:5e:00:00:fb") / IP(src=peer, dst="224.0.0.251", ttl=255) / UDP(sport=5353, dport=5353)
    header = bytes([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0])
    cases["mdns-compression-loop"] = [mdns / Raw(header + bytes([0xC0, 12, 0, 1, 0, 1]))]
    cases["mdns-label-past-the-end"] = [mdns / Raw(header + bytes([63]) + b"a" * 10)]
    cases["mdns-pointer-past-the-end"] = [mdns / Raw(header + bytes([0xC3, 0xFF, 0, 12, 0, 1]))]
    cases["mdns-counts-lie"] = [mdns / Raw(bytes([0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]) + bytes([5]) + b"board" + bytes([5]) + b"local" + bytes([0, 0, 255, 0, 1]))]
    cases["mdns-services-flood"] = [mdns / Raw(bytes([0, i & 0xFF, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]) + bytes([9]) + b"_services" + bytes([7]) + b"_dns-sd" + bytes([4]) + b"_udp" + bytes([5]) + b"local" + bytes([0, 0, 12, 0, 1]))
                                    for i in range(200)]
    return cases


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--iface", required=True)
    parser.add_argument("--board", default="192.0.2.2")
    parser.add_argument("--board-mac", default="02:00:00:00:00:02")
    parser.add_argument("--peer", default="192.0.2.1")
    parser.add_argument("--sport", type=int, default=40300)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--case", action="append")
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args()
    for a in (args.board, args.peer):
        if not a.startswith("192.0.2."):
            sys.exit("only TEST-NET-1 (192.0.2.0/24) addresses")
    cases = build(args)
    if args.list:
        print("\n".join(cases))
        return
    for name in args.case or list(cases):
        frames = cases[name]
        sent = 0
        for frame in frames:
            try:
                sendp(frame, iface=args.iface)
                sent += 1
            except OSError as error:  # a frame the interface will not carry (longer than its MTU)
                print(f"{name}: not sent: {error}")
        print(f"{name}: {sent} frames")


if __name__ == "__main__":
    main()
