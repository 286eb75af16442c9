// Captures what an OTLP exporter sends: every POST body is written as it arrived (still gzip if
// it was) to OUT_DIR/<n>-<content-type>[.gz], and answered with an empty 200.
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');
const out = process.env.OUT_DIR || '.';
let n = 0;
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const type = (req.headers['content-type'] || 'none').includes('json') ? 'json' : 'protobuf';
    const gz = req.headers['content-encoding'] === 'gzip' ? '.gz' : '';
    const chunked = req.headers['transfer-encoding'] === 'chunked' ? '-chunked' : '';
    const file = path.join(out, `${++n}-${type}${chunked}${gz}`);
    fs.writeFileSync(file, Buffer.concat(chunks));
    console.log(`${req.url} ${file} ${req.headers['content-type']} ${req.headers['content-encoding'] || ''} ${req.headers['transfer-encoding'] || ''}`);
    res.writeHead(200, { 'Content-Type': req.headers['content-type'] || 'application/x-protobuf' });
    res.end(type === 'json' ? '{}' : '');
  });
}).listen(Number(process.env.PORT || 4399), '127.0.0.1');
