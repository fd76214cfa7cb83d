'use strict';
// piscina's task for the independent-jobs rows: the SHA-256 of the bytes
// it was sent (a copy, as piscina posts them), with node:crypto.
const { createHash } = require('node:crypto');

module.exports = (data) => createHash('sha256').update(data).digest();
