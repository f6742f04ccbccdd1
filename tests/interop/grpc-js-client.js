// An independent gRPC client (@grpc/grpc-js) run by CanMesh.Rpc.Tests against a CanMesh.Rpc server.
// Usage: node grpc-js-client.js <scenario> <socket path> <tag>
// Prints one JSON line with what it observed; the xunit test asserts on it. Exit code 0 unless the
// client itself broke (an unexpected status is reported in the JSON, not as a crash).
'use strict';

const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const [scenario, socketPath, tag = ''] = process.argv.slice(2);
if (!scenario || !socketPath) {
  console.error('usage: node grpc-js-client.js <scenario> <socket path> [tag]');
  process.exit(2);
}

const repoRoot = path.resolve(__dirname, '..', '..');
const loaderOptions = { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true };
const echoPackage = protoLoader.loadSync('canmesh/test/v1/echo.proto', {
  ...loaderOptions,
  includeDirs: [path.join(repoRoot, 'tests', 'CanMesh.Rpc.Tests', 'Protos')],
});
const healthPackage = protoLoader.loadSync('grpc/health/v1/health.proto', {
  ...loaderOptions,
  includeDirs: [path.join(repoRoot, 'protos')],
});
const echoProto = grpc.loadPackageDefinition(echoPackage).canmesh.test.v1;
const healthProto = grpc.loadPackageDefinition(healthPackage).grpc.health.v1;

const target = `unix://${socketPath}`;
const echo = new echoProto.EchoService(target, grpc.credentials.createInsecure());
const health = new healthProto.Health(target, grpc.credentials.createInsecure());

const deadlineIn = (ms) => new Date(Date.now() + ms);
const failure = (err) => ({ code: err.code, codeName: grpc.status[err.code], details: err.details });

function unary(client, method, request, options = {}) {
  return new Promise((resolve) => {
    client[method](request, options, (err, reply) => resolve(err ? { error: failure(err) } : { reply }));
  });
}

const scenarios = {
  async unary() {
    return unary(echo, 'Echo', { text: 'hello from grpc-js' }, { deadline: deadlineIn(10000) });
  },

  async 'server-stream'() {
    return new Promise((resolve) => {
      const indexes = [];
      const call = echo.Count({ count: 1000, tag: 'js' });
      call.on('data', (reply) => indexes.push(reply.index));
      call.on('error', (err) => resolve({ count: indexes.length, error: failure(err) }));
      call.on('status', (status) => {
        if (status.code === grpc.status.OK) {
          const inOrder = indexes.every((value, i) => value === i);
          resolve({ count: indexes.length, inOrder, code: status.code });
        }
      });
    });
  },

  async bidi() {
    // Ping-pong: each request is sent only after the reply to the previous one arrived.
    return new Promise((resolve) => {
      const replies = [];
      const call = echo.Chat();
      let sent = 0;
      const sendNext = () => {
        if (sent < 5) {
          call.write({ text: `ping${sent++}` });
        } else {
          call.end();
        }
      };
      call.on('data', (reply) => {
        replies.push(reply.text);
        sendNext();
      });
      call.on('error', (err) => resolve({ replies, error: failure(err) }));
      call.on('status', (status) => {
        if (status.code === grpc.status.OK) {
          resolve({ replies, code: status.code });
        }
      });
      sendNext();
    });
  },

  async error() {
    return unary(echo, 'Echo', { failCode: grpc.status.NOT_FOUND, failMessage: 'capture ünïcödé 100% missing' });
  },

  async unimplemented() {
    const client = new grpc.Client(target, grpc.credentials.createInsecure());
    return new Promise((resolve) => {
      client.makeUnaryRequest('/canmesh.test.v1.EchoService/Nope', (x) => x, (x) => x, Buffer.alloc(0), (err) =>
        resolve(err ? { error: failure(err) } : { reply: 'unexpected' }));
    });
  },

  async cancel() {
    return new Promise((resolve) => {
      const call = echo.Count({ count: 1, waitForCancel: true, tag });
      let received = 0;
      call.on('data', () => {
        received++;
        // Give the handler time to reach its wait, then cancel: the server must see RST_STREAM.
        setTimeout(() => call.cancel(), 100);
      });
      call.on('error', (err) => resolve({ received, error: failure(err) }));
      call.on('status', (status) => {
        if (status.code === grpc.status.OK) {
          resolve({ received, code: status.code });
        }
      });
    });
  },

  async deadline() {
    return unary(echo, 'Echo', { text: 'slow', delayMs: 30000, tag }, { deadline: deadlineIn(300) });
  },

  async health() {
    return unary(health, 'Check', { service: '' }, { deadline: deadlineIn(10000) });
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
    echo.close();
    health.close();
    process.exit(0);
  })
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
