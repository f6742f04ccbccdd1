#!/usr/bin/env node
// A minimal CanMesh subscriber: streams committed CAN frames from the capture service over its Unix
// socket (gRPC, canmesh.v1.Capture/Subscribe), hands each batch to handleBatch(), and acknowledges the
// batch once handleBatch() has finished. The default handler prints candump log lines
// (`(sec.usec) iface frame`, as `candump -l` writes them) on standard output.
//
// To forward frames somewhere else (MQTT, Kafka, a web socket, a file...), replace handleBatch() below,
// or keep this file as it is and pass --handler ./my-handler.js (a module exporting handleBatch).
// README.md explains acks, resume, retain and filters.
//
// Usage: node subscriber.js [--target unix:///run/canmesh/capture.sock | --socket PATH] [--proto PATH]
//        [--name js-subscriber] [--count N] [--interface can0]... [--ids 100-1FF]... [--handler FILE]
'use strict';

const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

// ---------------------------------------------------------------------------------------------------
// The one function to replace. It gets the frames of one batch, each with `line` (candump text),
// `iface` (interface name), `seq`, `timestampNs` (BigInt), `canId`, `flags`, `data` (Buffer), and
// the batch's `throughSeq`/`committedSeq`. When the promise it returns resolves, everything in the
// batch counts as done and is acknowledged: resolve only after your work is durable (the broker
// confirmed the publish, the file is fsynced...). Throw to stop without acknowledging the batch; the
// next run resumes after the last acknowledged seq and gets the batch again.
// ---------------------------------------------------------------------------------------------------
async function handleBatch(frames /* , batch */) {
  if (frames.length === 0) return;
  const text = frames.map((f) => f.line).join('\n') + '\n';
  // Respect stdout's back-pressure (a slow pipe), so "done" means "handed to the OS".
  if (!process.stdout.write(text)) {
    await new Promise((resolve) => process.stdout.once('drain', resolve));
  }
}

// --- Options -----------------------------------------------------------------------------------------

function usage(message) {
  if (message) console.error(`js-subscriber: ${message}`);
  console.error(
    'usage: node subscriber.js [--target unix:///run/canmesh/capture.sock | --socket PATH] [--proto PATH]\n' +
      '                          [--name NAME] [--count N] [--interface NAME]... [--ids MIN-MAX]... [--handler FILE]\n' +
      'environment: CANMESH_TARGET, CANMESH_SOCKET, CANMESH_PROTO, CANMESH_SUBSCRIBER');
  process.exit(2);
}

function parseArguments(argv) {
  const options = {
    target: process.env.CANMESH_TARGET
      || (process.env.CANMESH_SOCKET ? `unix://${path.resolve(process.env.CANMESH_SOCKET)}` : 'unix:///run/canmesh/capture.sock'),
    proto: process.env.CANMESH_PROTO || path.resolve(__dirname, '..', '..', 'protos', 'canmesh', 'v1', 'capture.proto'),
    name: process.env.CANMESH_SUBSCRIBER || 'js-subscriber',
    count: 0,
    interfaces: [],
    idRanges: [],
    handler: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${arg} needs a value`);
      return argv[++i];
    };
    switch (arg) {
      case '--target': options.target = value(); break;
      case '--socket': options.target = `unix://${path.resolve(value())}`; break;
      case '--proto': options.proto = path.resolve(value()); break;
      case '--name': options.name = value(); break;
      case '--count': {
        const text = value();
        if (!/^[0-9]+$/.test(text) || Number(text) < 1) usage(`--count wants a positive whole number, not '${text}'`);
        options.count = Number(text);
        break;
      }
      case '--interface': options.interfaces.push(value()); break;
      case '--ids': {
        const text = value();
        const m = /^([0-9A-Fa-f]{1,8})(?:-([0-9A-Fa-f]{1,8}))?$/.exec(text);
        if (!m) usage(`--ids wants a hex id or range such as 100-1FF, not '${text}'`);
        options.idRanges.push({ min: parseInt(m[1], 16), max: parseInt(m[2] ?? m[1], 16) });
        break;
      }
      case '--handler': options.handler = path.resolve(value()); break;
      case '-h': case '--help': usage(); break;
      default: usage(`unknown argument '${arg}'`);
    }
  }
  return options;
}

// --- candump log format --------------------------------------------------------------------------------

const FLAG_EXTENDED = 1;
const FLAG_REMOTE = 2;
const FLAG_ERROR = 4;
const FLAG_FD = 8;
const FLAG_BRS = 16;
const FLAG_ESI = 32;
const CAN_ERR_FLAG = 0x20000000;

const hex = (value, digits) => value.toString(16).toUpperCase().padStart(digits, '0');

/** One frame as can-utils' `candump -l` writes it: `(sec.usec) iface id#data`. */
function candumpLine(frame, iface) {
  const ns = BigInt(frame.timestampNs);
  const stamp = `(${ns / 1000000000n}.${String((ns % 1000000000n) / 1000n).padStart(6, '0')})`;
  const flags = frame.flags;
  let id;
  if (flags & FLAG_ERROR) id = hex((frame.canId | CAN_ERR_FLAG) >>> 0, 8);
  else if (flags & FLAG_EXTENDED) id = hex(frame.canId, 8);
  else id = hex(frame.canId, 3);
  let body;
  if (flags & FLAG_REMOTE) {
    body = 'R' + (frame.length ? hex(frame.length, 1) : '');
  } else {
    // CAN FD: `##` and a flags digit, BRS=1, ESI=2, FDF=4 (always set, as candump on a current kernel writes it).
    const fd = flags & FLAG_FD ? '#' + hex(4 | (flags & FLAG_BRS ? 1 : 0) | (flags & FLAG_ESI ? 2 : 0), 1) : '';
    body = fd + Buffer.from(frame.data).toString('hex').toUpperCase();
  }
  if (frame.len8Dlc) body += '_' + hex(frame.len8Dlc, 1);
  return `${stamp} ${iface} ${id}#${body}`;
}

// --- The subscription ------------------------------------------------------------------------------------

function loadCapture(protoPath) {
  const definition = protoLoader.loadSync(protoPath, {
    // 64-bit numbers as strings: timestamps in ns do not fit a JavaScript number.
    keepCase: false, longs: String, enums: String, defaults: true, oneofs: true,
  });
  return grpc.loadPackageDefinition(definition).canmesh.v1;
}

async function run(options, handle) {
  const canmesh = loadCapture(options.proto);
  const client = new canmesh.Capture(options.target, grpc.credentials.createInsecure());
  const call = client.Subscribe();
  const names = new Map(); // interface id -> name, from FrameBatch.interfaces
  let handled = 0;
  let acked = 0n;
  let stopping = false;

  const ack = (seq) => new Promise((resolve, reject) => {
    if (seq <= acked) { resolve(); return; }
    acked = seq;
    call.write({ ack: { seq: seq.toString() } }, (err) => (err ? reject(err) : resolve()));
  });

  // The call's status, whenever it comes: the loop below ends on stream end or error.
  const status = new Promise((resolve) => call.on('status', resolve));

  call.write({
    start: {
      subscriber: options.name,
      resume: true, // continue right after this subscriber's last ack (from the first stored frame the first time)
      retain: false, // true: the capture keeps frames until this subscriber acks them (the forwarder does)
      filter: { interfaces: options.interfaces, idRanges: options.idRanges },
    },
  });

  try {
    for await (const batch of call) {
      for (const i of batch.interfaces) names.set(i.id, i.name);
      let frames = batch.frames;
      let through = BigInt(batch.throughSeq);
      const last = options.count > 0 && handled + frames.length >= options.count;
      if (last) {
        // Stop mid-batch: acknowledge only what was handled.
        frames = frames.slice(0, options.count - handled);
        through = BigInt(frames[frames.length - 1].seq);
      }
      const items = frames.map((f) => {
        const iface = names.get(f.interfaceId) ?? `if${f.interfaceId}`;
        return {
          seq: f.seq, timestampNs: BigInt(f.timestampNs), iface, canId: f.canId, flags: f.flags,
          data: f.data, length: f.length, len8Dlc: f.len8Dlc, line: candumpLine(f, iface),
        };
      });
      await handle(items, { throughSeq: through, committedSeq: BigInt(batch.committedSeq), captureId: batch.captureId });
      handled += items.length;
      // Everything up to through_seq is done (filtered-out frames too): the watermark moves there.
      if (through > 0n) await ack(through);
      if (last) {
        stopping = true;
        // No more acks: half-close, give the server a moment to take the last ack, then cancel the stream
        // (Subscribe is endless; the server saves the watermark when the call ends).
        call.end();
        const ended = await Promise.race([status.then(() => true), new Promise((r) => setTimeout(() => r(false), 300))]);
        if (!ended) call.cancel();
        break;
      }
    }
  } catch (err) {
    if (!(stopping && err.code === grpc.status.CANCELLED)) throw err;
  } finally {
    client.close();
  }
  return { handled, acked };
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const handle = options.handler ? require(options.handler).handleBatch : handleBatch;
  if (typeof handle !== 'function') usage(`${options.handler} does not export a handleBatch function`);
  const { handled, acked } = await run(options, handle);
  console.error(`js-subscriber: ${handled} frames handled, acknowledged through seq ${acked}`);
}

module.exports = { candumpLine, run };

if (require.main === module) {
  main().catch((err) => {
    const code = err.code !== undefined && grpc.status[err.code] ? ` (${grpc.status[err.code]}, code ${err.code})` : '';
    console.error(`js-subscriber: ${err.details || err.message}${code}`);
    process.exit(1);
  });
}
