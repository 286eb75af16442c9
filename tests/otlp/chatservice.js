// A small chat service for the OTLP integration test. It knows nothing about OpenTelemetry: the
// test starts it with `node --require @opentelemetry/auto-instrumentations-node/register` and
// OTEL_* environment variables, exactly as a user would instrument their service.
//
//   PORT     where to listen
//   BUSY_MS  > 0: the handler busy-waits this long on the event loop (Node's "pseudo-async":
//            an async-looking handler that never yields), so requests are served one at a time
//   WAIT_MS  > 0: the handler waits this long without blocking (a timer, like awaiting a model)
'use strict';
const http = require('http');

const port = Number(process.env.PORT || 8080);
const busyMs = Number(process.env.BUSY_MS || 0);
const waitMs = Number(process.env.WAIT_MS || 0);

function busyWait(ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // spin: the event loop can do nothing else meanwhile
  }
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || !req.url.startsWith('/v1/chat')) {
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: 'not found' }));
    return;
  }
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', async () => {
    let message = '';
    try {
      message = String(JSON.parse(body || '{}').message || '');
    } catch (e) {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid JSON' }));
      return;
    }
    if (busyMs > 0)
      busyWait(busyMs);
    if (waitMs > 0)
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ reply: 'echo: ' + message, tokens: message.length }));
  });
});

server.listen(port, '127.0.0.1', () => {
  console.log(`chatservice listening on 127.0.0.1:${server.address().port} (busy ${busyMs} ms, wait ${waitMs} ms)`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
