'use strict';
// How many pool threads one async call may use (options.threads): the
// number of parts a backend asks the core to split the job into. The core
// may split it into fewer (a job too small for that many, or sha256, which
// never splits); the result is the same bits for any number.
//
// 'auto' splits where it pays: into at most as many parts as there are
// pool threads idle and cores to run them, and only where each part gets
// enough work to cover the extra round trips through the pool (a split
// sort runs in three phases, each one a round trip).

const os = require('node:os');

const CORES = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;

// The least work per part for 'auto' to split: bytes of input for stats
// and sort, multiply-adds for matmul. Each is a millisecond or more of one
// thread's work on the machine measured, against ~0.1 ms per round trip.
const MIN_PART = { stats: 8 << 20, sort: 4 << 20, matmul: 1 << 24 };

function work(call) {
  if (call.kernel === 'matmul') return call.dims[0] * call.dims[1] * call.dims[2];
  return call.input.byteLength;
}

// A backend's count of pool threads taken by calls in flight: `take` when
// a call starts, the function it returns when it settles.
class Busy {
  constructor() {
    this.threads = 0;
  }

  take(n) {
    this.threads += n;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.threads -= n;
    };
  }
}

// Parts to ask for: a number from 1 to pool. A call without threads (one
// a backend is handed directly, not through the facade) is 'auto'.
function parts(call, pool, busy) {
  const min = MIN_PART[call.kernel];
  if (min === undefined) return 1;
  if (call.threads !== 'auto' && call.threads !== undefined) return Math.max(1, Math.min(call.threads, pool));
  const idle = Math.min(pool - busy.threads, CORES);
  return Math.max(1, Math.min(idle, Math.floor(work(call) / min)));
}

module.exports = { parts, Busy, MIN_PART, CORES };
