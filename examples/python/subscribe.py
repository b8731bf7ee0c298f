#!/usr/bin/python3
"""Subscribes to one wiredesk channel and prints one line per message.

    subscribe.py [--endpoint EP] [--count N] [--timeout MS] [--proto FILE]
                 [CHANNEL]

Every message of the worker's PUB socket is [channel, bytes, seq, epoch]:
an Article (package wiredesk.v1) on "all", "country.<CC>" and
"theme.<slug>", a WorkerStats on "$stats"; seq numbers the channel's
messages 1, 2, 3, ... within the worker's run, epoch (8 bytes) names the
run. A jump in seq is a gap, said on stderr. Older workers send only the
first two frames. Each Article is printed as one tab-separated line:

    channel  id  countries  themes  title

(countries and themes comma-separated, "-" when there are none). A
WorkerStats is printed as "channel  worker  pages_received=N ...".

Exit status: 0 after --count messages, or on a --timeout (MS without a
message) when at least one message came; 1 on a timeout with nothing
received; 2 on a usage error.

Needs Debian's python3-zmq, python3-protobuf and protobuf-compiler: the
Python module of proto/wiredesk.proto is generated at start-up with
`protoc --python_out` into a temporary directory, so no generated code is
kept anywhere.
"""

import argparse
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

import zmq
import zmq.utils.monitor

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PROTO = os.path.join(HERE, "..", "..", "proto", "wiredesk.proto")


def load_proto(proto_path):
    """Generates wiredesk_pb2 from the .proto with protoc and imports it."""
    proto_path = os.path.abspath(proto_path)
    if not os.path.isfile(proto_path):
        sys.exit(f"subscribe.py: no such file {proto_path} (see --proto)")
    if shutil.which("protoc") is None:
        sys.exit("subscribe.py: protoc not found "
                 "(apt-get install protobuf-compiler)")
    out = tempfile.mkdtemp(prefix="wiredesk-pb2-")
    try:
        subprocess.run(["protoc", "--proto_path=" + os.path.dirname(proto_path),
                        "--python_out=" + out, os.path.basename(proto_path)],
                       check=True)
        sys.path.insert(0, out)
        name = os.path.splitext(os.path.basename(proto_path))[0] + "_pb2"
        return importlib.import_module(name)
    finally:
        # The module is loaded; its source file is no longer needed.
        shutil.rmtree(out, ignore_errors=True)


def one_line(text):
    """Tabs and line breaks would split the line: they become spaces."""
    return text.translate({9: " ", 10: " ", 13: " "})


def article_line(channel, art):
    return "\t".join([channel, art.id, ",".join(art.countries) or "-",
                      ",".join(art.themes) or "-", one_line(art.title)])


def stats_line(channel, ws):
    return "\t".join([channel, ws.worker,
                      f"pages_received={ws.pages_received}",
                      f"pages_rejected={ws.pages_rejected}",
                      f"articles_published={ws.articles_published}",
                      f"publish_dropped={ws.publish_dropped}"])


def event_line(channel, ev):
    return "\t".join([channel, ev.id, ev.change, f"articles={ev.articles}",
                      f"sources={ev.sources}", one_line(ev.title)])


def main():
    ap = argparse.ArgumentParser(
        description="Print the Articles a wiredesk worker publishes on a "
                    "channel, one line each.")
    ap.add_argument("channel", nargs="?", default="all",
                    help='all, country.CC, theme.SLUG, $stats or $events '
                         '[all]')
    ap.add_argument("--endpoint", default="tcp://127.0.0.1:5558",
                    help="the worker's PUB socket [%(default)s]")
    ap.add_argument("--count", type=int, default=0,
                    help="exit 0 after N messages [0 = never]")
    ap.add_argument("--timeout", type=int, default=0, metavar="MS",
                    help="exit after MS without a message: 1 when nothing "
                         "came, else 0 [0 = never]")
    ap.add_argument("--proto", default=DEFAULT_PROTO,
                    help="path of wiredesk.proto [the repository's]")
    args = ap.parse_args()
    if args.count < 0 or args.timeout < 0:
        ap.error("--count and --timeout take a number >= 0")

    pb = load_proto(args.proto)

    ctx = zmq.Context()
    sock = ctx.socket(zmq.SUB)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.RCVHWM, 0)  # keep every message until it is read
    # ZeroMQ matches subscriptions by prefix; wiredesk's channel names are
    # prefix-free, so this delivers exactly the one channel.
    sock.setsockopt(zmq.SUBSCRIBE, args.channel.encode())
    mon = sock.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED)
    sock.connect(args.endpoint)

    timeout_s = args.timeout / 1000.0
    last_seq = {}  # (channel, epoch) -> the last sequence number seen
    got = 0
    timed_out = False
    last = time.monotonic()
    poller = zmq.Poller()
    poller.register(sock, zmq.POLLIN)
    poller.register(mon, zmq.POLLIN)
    try:
        while args.count == 0 or got < args.count:
            if timeout_s and time.monotonic() - last >= timeout_s:
                timed_out = True
                break
            ready = dict(poller.poll(200))
            if mon in ready:
                # The ZMTP handshake with the worker is done: the
                # subscription is on its way. Said on stderr so that a
                # script can wait for it before it pushes pages.
                ev = zmq.utils.monitor.recv_monitor_message(mon)
                if ev["event"] == zmq.EVENT_HANDSHAKE_SUCCEEDED:
                    print(f"subscribed to {args.channel} on {args.endpoint}",
                          file=sys.stderr, flush=True)
            if sock not in ready:
                continue
            frames = sock.recv_multipart()
            last = time.monotonic()
            if len(frames) < 2:
                print("subscribe.py: a message of one frame, skipped",
                      file=sys.stderr)
                continue
            channel = frames[0].decode("utf-8", "replace")
            if len(frames) >= 4 and len(frames[2]) == 8:
                seq = int.from_bytes(frames[2], "big")
                key = (channel, frames[3])
                prev = last_seq.get(key)
                if prev is not None and seq <= prev:
                    continue  # a repeat
                if prev is not None and seq > prev + 1:
                    print(f"subscribe.py: gap on {channel}: "
                          f"{seq - prev - 1} missed (seq {prev} -> {seq})",
                          file=sys.stderr, flush=True)
                last_seq[key] = seq
            try:
                if channel == "$stats":
                    msg = pb.WorkerStats.FromString(frames[1])
                    line = stats_line(channel, msg)
                elif channel == "$events":
                    msg = pb.Event.FromString(frames[1])
                    line = event_line(channel, msg)
                else:
                    msg = pb.Article.FromString(frames[1])
                    line = article_line(channel, msg)
            except Exception as e:  # a DecodeError: say so, go on
                print(f"subscribe.py: undecodable message on {channel}: {e}",
                      file=sys.stderr)
                continue
            print(line, flush=True)
            got += 1
    except KeyboardInterrupt:
        pass
    finally:
        sock.disable_monitor()
        mon.close()
        sock.close()
        ctx.term()

    if timed_out and got == 0:
        print(f"subscribe.py: nothing received on {args.channel} within "
              f"{args.timeout} ms", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
