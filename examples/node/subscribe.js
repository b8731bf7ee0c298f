#!/usr/bin/env node
// Subscribes to one wiredesk channel and prints one line per message.
//
//   node subscribe.js [--endpoint EP] [--count N] [--timeout MS]
//                     [--proto FILE] [CHANNEL]
//
// Every message of the worker's PUB socket is [channel, bytes, seq, epoch]:
// an Article (package wiredesk.v1) on "all", "country.<CC>" and
// "theme.<slug>", a WorkerStats on "$stats"; seq numbers the channel's
// messages 1, 2, 3, ... within the worker's run, epoch (8 bytes) names the
// run. A jump in seq is a gap, said on stderr. Older workers send only the
// first two frames. Each Article is printed as one tab-separated line:
//
//   channel  id  countries  themes  title
//
// (countries and themes comma-separated, "-" when there are none). A
// WorkerStats is printed as "channel  worker  pages_received=N ...".
//
// Exit status: 0 after --count messages, or on a --timeout (MS without a
// message) when at least one message came; 1 on a timeout with nothing
// received; 2 on a usage error.
//
// npm packages: zeromq (its native addon ships inside the npm package, no
// download) and protobufjs, which reads proto/wiredesk.proto at start-up:
// nothing is generated.
"use strict";

const path = require("path");
const { parseArgs } = require("util");
const zmq = require("zeromq");
const protobuf = require("protobufjs");

const USAGE = `usage: node subscribe.js [--endpoint EP] [--count N] [--timeout MS]
                         [--proto FILE] [CHANNEL]

Prints the Articles a wiredesk worker publishes on CHANNEL (all,
country.CC, theme.SLUG, $stats or $events; default all), one line each:
channel, id, countries, themes, title, separated by tabs.

  --endpoint EP    the worker's PUB socket [tcp://127.0.0.1:5558]
  --count N        exit 0 after N messages [0 = never]
  --timeout MS     exit after MS without a message: 1 when nothing
                   came, else 0 [0 = never]
  --proto FILE     wiredesk.proto [the repository's]
  -h, --help       this text
`;

function usageError(msg) {
  process.stderr.write(`subscribe.js: ${msg}\n${USAGE}`);
  process.exit(2);
}

function parse() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        endpoint: { type: "string", default: "tcp://127.0.0.1:5558" },
        count: { type: "string", default: "0" },
        timeout: { type: "string", default: "0" },
        proto: {
          type: "string",
          default: path.join(__dirname, "..", "..", "proto", "wiredesk.proto"),
        },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    usageError(e.message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const num = (name) => {
    const s = values[name];
    if (!/^[0-9]+$/.test(s)) usageError(`bad --${name} '${s}'`);
    return Number(s);
  };
  if (positionals.length > 1)
    usageError(`one CHANNEL only, not '${positionals[1]}'`);
  return {
    endpoint: values.endpoint,
    count: num("count"),
    timeout: num("timeout"),
    proto: values.proto,
    channel: positionals[0] || "all",
  };
}

// Tabs and line breaks would split the line: they become spaces.
const oneLine = (s) => s.replace(/[\t\n\r]/g, " ");
const list = (v) => (v.length ? v.map(oneLine).join(",") : "-");

function line(pb, channel, bytes) {
  if (channel === "$stats") {
    const ws = pb.WorkerStats.toObject(pb.WorkerStats.decode(bytes), {
      longs: String,
      defaults: true,
    });
    return [
      channel,
      ws.worker,
      `pages_received=${ws.pagesReceived}`,
      `pages_rejected=${ws.pagesRejected}`,
      `articles_published=${ws.articlesPublished}`,
      `publish_dropped=${ws.publishDropped}`,
    ].join("\t");
  }
  if (channel === "$events") {
    const ev = pb.Event.toObject(pb.Event.decode(bytes), { defaults: true });
    return [
      channel,
      ev.id,
      ev.change,
      `articles=${ev.articles}`,
      `sources=${ev.sources}`,
      oneLine(ev.title),
    ].join("\t");
  }
  const a = pb.Article.decode(bytes);
  return [
    channel,
    a.id,
    list(a.countries),
    list(a.themes),
    oneLine(a.title),
  ].join("\t");
}

async function main() {
  const opt = parse();
  const root = await protobuf.load(opt.proto);
  const pb = {
    Article: root.lookupType("wiredesk.v1.Article"),
    WorkerStats: root.lookupType("wiredesk.v1.WorkerStats"),
    Event: root.lookupType("wiredesk.v1.Event"),
  };

  const sock = new zmq.Subscriber({ linger: 0, receiveHighWaterMark: 0 });
  // The ZMTP handshake with the worker is done: the subscription is on its
  // way. Said on stderr so that a script can wait for it before it pushes.
  sock.events.on("handshake", () => {
    process.stderr.write(`subscribed to ${opt.channel} on ${opt.endpoint}\n`);
  });
  // ZeroMQ matches subscriptions by prefix; wiredesk's channel names are
  // prefix-free, so this delivers exactly the one channel.
  sock.subscribe(opt.channel);
  sock.connect(opt.endpoint);
  // receive() rejects with EAGAIN after this long without a message.
  if (opt.timeout > 0) sock.receiveTimeout = opt.timeout;

  let stopping = false;
  const stop = () => {
    stopping = true;
    sock.close();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  let got = 0;
  let timedOut = false;
  const lastSeq = new Map(); // channel + epoch -> the last sequence number
  while (!stopping && (opt.count === 0 || got < opt.count)) {
    let frames;
    try {
      frames = await sock.receive();
    } catch (e) {
      if (e.code === "EAGAIN") timedOut = true;
      else if (!stopping) throw e;
      break;
    }
    if (frames.length < 2) {
      process.stderr.write("subscribe.js: a message of one frame, skipped\n");
      continue;
    }
    const channel = frames[0].toString("utf8");
    if (frames.length >= 4 && frames[2].length === 8) {
      const seq = frames[2].readBigUInt64BE(0);
      const key = `${channel} ${frames[3].toString("hex")}`;
      const last = lastSeq.get(key);
      if (last !== undefined && seq <= last) continue; // a repeat
      if (last !== undefined && seq > last + 1n)
        process.stderr.write(
          `subscribe.js: gap on ${channel}: ${seq - last - 1n} missed ` +
            `(seq ${last} -> ${seq})\n`,
        );
      lastSeq.set(key, seq);
    }
    let text;
    try {
      text = line(pb, channel, frames[1]);
    } catch (e) {
      process.stderr.write(
        `subscribe.js: undecodable message on ${channel}: ${e.message}\n`,
      );
      continue;
    }
    process.stdout.write(text + "\n");
    got++;
  }
  if (!sock.closed) sock.close();
  if (timedOut && got === 0) {
    process.stderr.write(
      `subscribe.js: nothing received on ${opt.channel} within ${opt.timeout} ms\n`,
    );
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`subscribe.js: ${e.stack || e}\n`);
    process.exitCode = 1;
  },
);
