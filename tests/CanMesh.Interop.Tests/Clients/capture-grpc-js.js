// An independent gRPC client (@grpc/grpc-js + @grpc/proto-loader) that CanMesh.Interop.Tests runs
// against the real canmesh-capture executable's Unix socket, one scenario per run.
// Usage: node capture-grpc-js.js <scenario> <socket path> [argument]
// Prints one JSON line with what it observed; the xunit test asserts on it. Exits 0 unless the client
// itself broke (an unexpected status is reported in the JSON, not as a crash). 64-bit numbers are
// strings (longs: String), as they are in the proto3 JSON mapping.
// Modules come from tests/interop/node_modules (NODE_PATH, set by the tests).
'use strict';

const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const [scenario, socketPath, argument = ''] = process.argv.slice(2);
if (!scenario || !socketPath) {
  console.error('usage: node capture-grpc-js.js <scenario> <socket path> [argument]');
  process.exit(2);
}

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const protoRoot = path.join(repoRoot, 'protos');
const loaderOptions = { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [protoRoot] };
const canmesh = grpc.loadPackageDefinition(protoLoader.loadSync('canmesh/v1/capture.proto', loaderOptions)).canmesh.v1;
// grpc.health.v1 as the grpc-node project ships it (npm grpc-health-check), not a copy of ours.
const healthProtoFile = path.join(path.dirname(require.resolve('grpc-health-check/package.json')), 'proto', 'health', 'v1', 'health.proto');
const healthProto = grpc.loadPackageDefinition(protoLoader.loadSync(healthProtoFile, loaderOptions)).grpc.health.v1;

const target = `unix://${socketPath}`;
const capture = new canmesh.Capture(target, grpc.credentials.createInsecure());
const health = new healthProto.Health(target, grpc.credentials.createInsecure());

const deadlineIn = (ms) => new Date(Date.now() + ms);
const failure = (err) => ({ code: err.code, codeName: grpc.status[err.code], details: err.details });

function unary(client, method, request) {
  return new Promise((resolve) => {
    client[method](request, { deadline: deadlineIn(15000) }, (err, reply) => resolve(err ? { error: failure(err) } : { reply }));
  });
}

/** Collects a stream's messages until it ends; `onData` may return true to cancel the call. */
function collect(call, onData = () => false) {
  return new Promise((resolve) => {
    const messages = [];
    let cancelled = false;
    call.on('data', (message) => {
      messages.push(message);
      if (!cancelled && onData(message, messages)) {
        cancelled = true;
        call.cancel();
      }
    });
    call.on('error', (err) => resolve({ messages, cancelledByClient: cancelled, error: failure(err) }));
    call.on('status', (status) => {
      if (status.code === grpc.status.OK) resolve({ messages, cancelledByClient: cancelled, code: status.code });
    });
  });
}

const scenarios = {
  async 'get-stats'() {
    return unary(capture, 'GetStats', {});
  },

  async 'list-interfaces'() {
    return unary(capture, 'ListInterfaces', {});
  },

  async 'watch-stats'() {
    const started = Date.now();
    const result = await collect(capture.WatchStats({ intervalMs: 200 }), (_, all) => all.length === 2);
    return {
      count: result.messages.length,
      atUnixNs: result.messages.map((m) => m.atUnixNs),
      committedSeq: result.messages.map((m) => m.store.committedSeq),
      elapsedMs: Date.now() - started,
      error: result.error,
    };
  },

  async query() {
    // argument: first-last[/max_batch_frames]
    const [range, batch = '0'] = argument.split('/');
    const [first, last] = range.split('-');
    const result = await collect(capture.Query({ seqs: { first, last }, maxBatchFrames: Number(batch) }));
    const names = new Map();
    const { candumpLine } = require(path.join(repoRoot, 'examples', 'js-subscriber', 'subscriber.js'));
    const lines = [];
    const seqs = [];
    for (const batch of result.messages) {
      for (const i of batch.interfaces) names.set(i.id, i.name);
      for (const f of batch.frames) {
        seqs.push(f.seq);
        lines.push(candumpLine(f, names.get(f.interfaceId)));
      }
    }
    return {
      batches: result.messages.map((b) => ({ frames: b.frames.length, throughSeq: b.throughSeq, committedSeq: b.committedSeq, captureId: b.captureId })),
      interfaces: Object.fromEntries(names),
      seqs,
      lines,
      code: result.code,
      error: result.error,
    };
  },

  async 'subscribe-error'() {
    // argument: "name" (a start with an invalid subscriber name) or "ack-first" (an ack before start).
    const call = capture.Subscribe();
    const result = collect(call);
    if (argument === 'ack-first') call.write({ ack: { seq: '1' } });
    else call.write({ start: { subscriber: 'not a valid name!', resume: true } });
    const r = await result;
    return { frames: r.messages.length, error: r.error, code: r.code };
  },

  async 'subscribe-cancel'() {
    // argument: subscriber name. Cancels after the first batch, without acknowledging anything.
    const call = capture.Subscribe();
    const result = collect(call, () => true);
    call.write({ start: { subscriber: argument, resume: true, maxBatchFrames: 10 } });
    const r = await result;
    return { batches: r.messages.length, firstBatchFrames: r.messages[0]?.frames.length, cancelledByClient: r.cancelledByClient, error: r.error, code: r.code };
  },

  async health() {
    const results = {};
    for (const service of ['', 'canmesh.v1.Capture', 'no.such.Service']) {
      const r = await unary(health, 'Check', { service });
      results[service || '(server)'] = r.reply ? r.reply.status : r.error;
    }
    return results;
  },
};

const run = scenarios[scenario];
if (!run) {
  console.error(`unknown scenario '${scenario}'; known: ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}

run()
  .then((result) => {
    console.log(JSON.stringify(result));
    capture.close();
    health.close();
    process.exit(0);
  })
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
