// ESM entry: the same module as require('twincore').
import tc from './index.js';

export default tc;
export const {
  sha256, sha256Sync, stats, statsSync, sort, sortSync, matmul, matmulSync,
  alloc, free, backends,
} = tc;
