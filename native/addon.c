/* twincore's Node-API binding: one generic entry point over the core's
 * kernel table, in three phases.
 *
 *   parse    (JS thread)   validate arguments, fill a tc_job; in copy mode
 *                          copy the inputs into memory the binding owns
 *   execute  (any thread)  allocate scratch, tc_run(); no napi calls
 *   convert  (JS thread)   in copy mode copy the result out; hand the
 *                          output array back
 *
 * run() does the three in a row; runAsync() puts execute on the libuv
 * threadpool and returns a Promise. The facade
 * (js/) has already validated the call and chosen the mode; this layer
 * checks again so that no input can crash it. In particular an async call
 * borrows only memory that nothing can free or shrink while the job runs:
 * a SharedArrayBuffer, or a block the addon owns (block.h) and holds a
 * reference to. Any other ArrayBuffer can be detached under the job (by a
 * transfer, or by a stream reading into it), so it is copied.
 *
 * Async jobs do not get a work item each. They go on the environment's
 * own queue, and work items called runners take them from it on the
 * threadpool, as many runners as there are jobs waiting for one, up to
 * the pool's size (UV_THREADPOOL_SIZE). A runner runs jobs until the
 * queue is empty, whatever the JS thread is doing. It hands what it ran
 * back to the JS thread (a threadsafe function) before it takes a slow
 * job (TC_SLOW_WORK) and every TC_HAND_BACK_NS, and the rest when it completes;
 * the JS thread settles all it is handed in one go. A large job starts runners
 * at once. A small one starts one runner if none is live, and the rest
 * wait for flush(), which the facade calls once a turn. Until then the JS
 * thread may queue more calls, so a runner that finds the queue empty
 * waits a little for the next one (yielding its CPU) instead of leaving
 * it to a runner that has yet to wake up. So 64 small calls in flight
 * cost one or a few work items and wake-ups, not 64 of each, and they run
 * while the JS thread queues the rest: by the end of the turn most are
 * done. While calls come back to back (an await loop), a runner also
 * waits a little after it hands back what it ran, so the next call finds
 * it there (TC_LINGER_NS). A job of a millisecond or more is still settled as
 * soon as it ends. A job split into parts puts each part of a phase on the
 * queue; the runner that ends a phase queues the next one, and runners whose
 * part ended first wait for it (as long as their part ran), so the JS
 * thread hears of the job once, at its end.
 *
 * Context-aware: all state lives in a per-environment tc_addon_t (instance
 * data), so the addon loads in the main thread and any number of workers.
 */
#include "sync.h"

#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "block.h"
#include "cache.h"

enum { TC_MODE_COPY = 0, TC_MODE_BORROW = 1 };

typedef struct tc_call_s tc_call_t;
typedef struct tc_task_s tc_task_t;

/* A runner hands back what it ran at least this often while the queue
 * stays full. */
#define TC_HAND_BACK_NS 1000000u

/* A runner that ran a part of a split job and finds the queue empty while
 * a split job is still running waits for the next phase's parts (on a
 * condition variable, not a CPU) as long as its part ran, and at least
 * this long: the runner that ends a phase queues the next one itself, and
 * the JS thread need not wake to start runners for it. The parts of a
 * phase are of about equal work, but here they end up to 40% apart (a
 * sort of 64 MiB in 2: parts of 4-8, 12-18 and 30-45 ms). One that ends
 * further ahead (skewed keys; stats' second pass, which part 0 runs
 * alone) leaves, rather than hold a threadpool thread that other work
 * (fs, dns, zlib) may need for longer than its work took. The runner that
 * then queues a phase that the runners still live cannot take asks the JS
 * thread for more (tc_split_advance). */
#define TC_PHASE_WAIT_NS 1000000u

/* A runner that finds the queue empty waits up to this long for the next
 * call, yielding its CPU between looks (the scheduler may have put it on
 * the JS thread's), in two cases:
 *   - while the JS thread is still queueing the calls of its turn
 *     (runAsync() since the last flush()). On 2 cores, 64 calls of 16
 *     bytes in flight took 3.0-4.1 us per call without it, 1.9-2.3 with
 *     it.
 *   - while calls come back to back (warm: the JS thread queued the last
 *     one within this long of settling the one before), after it has
 *     handed back what it ran. The next call then finds it running, and
 *     costs no work item, no pool thread's wake-up and no JS thread's
 *     sleep: on 2 cores, 16-byte calls one after another took 3.8-4.9 us
 *     each instead of 33-50 (a bare Node-API work item: 29-43). A wait
 *     that ends without a call ends the warm spell, so calls further
 *     apart than this cost no wait, and no second wake-up of the JS
 *     thread for the runner's completion.
 * One runner at a time waits; it holds a threadpool thread meanwhile, so
 * the wait is short: 100 us at most after the last call. */
#define TC_LINGER_NS 100000u

static int tc_is_undefined(napi_env env, napi_value v) {
  napi_valuetype t;
  return napi_typeof(env, v, &t) == napi_ok && t == napi_undefined;
}

/* Per-environment state. Freed once the environment has finalized it, no
 * job is in flight, no runner is outstanding and the threadsafe function
 * is gone (a job's complete callback may run after the instance-data
 * finalizer while a worker is torn down). */
typedef struct {
  napi_env env;
  tc_call_t *jobs; /* in-flight async jobs, for cancel() and teardown */
  size_t inflight;
  size_t live_bytes; /* bytes of input/output copies alive */
  int finalized;
  int left_cache; /* tc_cache_env_leave() was called for it */
  /* The job queue, and what runners handed back. The lock guards all
   * from head to tsfn: runners take tasks on the threadpool. */
  tc_lock_t lock;
  tc_task_t *head, *tail;       /* the queue, oldest first */
  size_t queued;                /* tasks on the queue */
  size_t live;                  /* runners that may still take a task */
  size_t running;               /* of those, the ones running a task now */
  tc_task_t *done, **done_tail; /* handed back, not settled yet */
  int signaled; /* a call of tsfn is on its way to settle them */
  int burst;    /* runAsync() queued a job since the last flush() */
  int waiting;  /* a runner is waiting for the next one (TC_LINGER_NS) */
  int warm;     /* calls come back to back (TC_LINGER_NS) */
  /* Split jobs whose current phase is queued or running, and the runners
   * waiting on split_cv (broadcast when tasks are queued or such a job
   * ends; TC_PHASE_WAIT_NS) for the next phase of one of them. */
  size_t splits, split_waiting;
  tc_cond_t split_cv;
  napi_threadsafe_function tsfn; /* NULL once the environment is going */
  int tsfn_alive;                /* its finalizer has not run yet */
  size_t runners;      /* runner work items not completed yet (JS thread) */
  double started;      /* runner work items queued so far (JS thread) */
  uint64_t settled_ns; /* when it last settled handed-back tasks (JS thread) */
  size_t pool;         /* the most runners at once: the threadpool's size */
} tc_addon_t;

/* What a runner runs: a whole job, or one part of a split job's current
 * phase. */
#define TC_WHOLE ((size_t)-1)
struct tc_task_s {
  tc_call_t *call;
  size_t part;  /* TC_WHOLE, or the part */
  int slow;     /* about TC_HAND_BACK_NS of work or more: a runner hands back
                 * what it ran before it takes it */
  int on_queue; /* under the lock */
  tc_task_t *prev, *next;
};

/* A runner: a work item that takes tasks off its environment's queue, and
 * the tasks it ran, which its complete callback settles. */
typedef struct {
  tc_addon_t *addon;
  napi_async_work work;
  tc_task_t *done, **done_tail;
} tc_runner_t;

/* An async zero-copy output up to this size is written to memory the
 * binding owns and copied out at the end: cheaper than lending a block. */
#define TC_SMALL_OUTPUT 4096

/* A result the binding makes of at most this many bytes (a digest, the
 * stats, a small product) is written into the call itself and handed to
 * JS as a string of its bytes, one char per byte: V8 makes that string on
 * its own heap, where a new ArrayBuffer costs three mallocs, a
 * registration and a later sweep (about 0.7 us of a 1.7 us sync call
 * here). The facade turns it into the array (js/native.js). */
#define TC_INLINE_OUTPUT 64

/* One call, sync or async. */
struct tc_call_s {
  tc_job job;
  tc_addon_t *addon;
  int copy;
  int async;
  int make_out;   /* the binding creates the output array */
  int copy_out;   /* ... by copying the result out at the end */
  int inline_out; /* ... or from inline_bytes, as a string (TC_INLINE_OUTPUT) */
  union {
    unsigned char bytes[TC_INLINE_OUTPUT];
    max_align_t align;
  } inline_bytes;
  tc_view_t in, in2, out;
  void *owned_in, *owned_in2, *owned_out; /* copy mode */
  size_t owned_bytes;
  tc_block_t *held[3]; /* blocks an async borrow holds */
  /* async only */
  napi_ref in_ref, in2_ref, out_ref;
  napi_deferred deferred;
  double id;
  int aborted; /* cancel() was called before complete */
  tc_call_t *prev, *next;
  /* the task of a job that is not split; of a split one, what the runner
   * that ends its last phase hands back to settle it */
  tc_task_t whole;
  /* a job split into parts (plan.parts > 1): a task per part, queued
   * once per phase, and the scratch that holds the split's state;
   * pending (under the lock): the phase's parts not done yet */
  size_t parts, pending;
  tc_task_t *tasks;
  void *split_scratch;
  int lost; /* no runner could be started: tasks ran here, cancelled */
};

/* Element type of each kernel's output array. */
static tc_dtype tc_out_dtype(int kernel, tc_dtype in_dtype) {
  switch (kernel) {
    case TC_KERNEL_SHA256:
      return TC_DTYPE_U8;
    case TC_KERNEL_STATS:
      return TC_DTYPE_F64;
    case TC_KERNEL_MATMUL:
      return TC_DTYPE_F32;
    default:
      return in_dtype;
  }
}

/* The environment is going (its cleanup hook or its instance data's
 * finalizer, whichever comes first). JS thread. */
static void tc_addon_leave_cache(tc_addon_t *addon) {
  if (addon->left_cache) return;
  addon->left_cache = 1;
  tc_cache_env_leave();
}

static void tc_addon_maybe_free(tc_addon_t *addon) {
  if (addon->finalized && addon->inflight == 0 && addon->runners == 0 &&
      !addon->tsfn_alive) {
    tc_cond_destroy(&addon->split_cv);
    tc_lock_destroy(&addon->lock);
    free(addon);
  }
}

static napi_typedarray_type tc_napi_type(tc_dtype d) {
  switch (d) {
    case TC_DTYPE_I32:
      return napi_int32_array;
    case TC_DTYPE_U32:
      return napi_uint32_array;
    case TC_DTYPE_F32:
      return napi_float32_array;
    case TC_DTYPE_F64:
      return napi_float64_array;
    default:
      return napi_uint8_array;
  }
}

/* A typed array of dtype over all of an ArrayBuffer of bytes bytes. */
static napi_value tc_typed_over(napi_env env, napi_value ab, tc_dtype dtype,
                                size_t bytes) {
  napi_value ta;
  TC_NAPI_CALL(
      env,
      napi_create_typedarray(env, tc_napi_type(dtype),
                             bytes / tc_dtype_size((int)dtype), ab, 0, &ta),
      NULL);
  return ta;
}

/* Free what a call owns (what its large buffers leave to free, off the
 * JS thread: cache.h). JS thread. */
static void tc_call_free(napi_env env, tc_call_t *c) {
  for (int i = 0; i < 3; i++)
    if (c->held[i]) tc_block_unref(c->held[i]);
  if (c->in_ref) napi_delete_reference(env, c->in_ref);
  if (c->in2_ref) napi_delete_reference(env, c->in2_ref);
  if (c->out_ref) napi_delete_reference(env, c->out_ref);
  free(c->tasks);
  tc_cache_give_deferred(c->split_scratch);
  if (c->owned_out != c->owned_in) tc_cache_give_deferred(c->owned_out);
  tc_cache_give_deferred(c->owned_in);
  tc_cache_give_deferred(c->owned_in2);
  c->addon->live_bytes -= c->owned_bytes;
  free(c);
}

/* Copy a view into memory the call owns; NULL data for an empty view. */
static int tc_own_copy(tc_call_t *c, const tc_view_t *v, void **owned) {
  *owned = NULL;
  if (v->bytes == 0) return 1;
  *owned = tc_cache_take(v->bytes);
  if (*owned == NULL) return 0;
  memcpy(*owned, v->data, v->bytes);
  c->owned_bytes += v->bytes;
  return 1;
}

/* May an async job borrow this view? Only if nothing can free or shrink
 * its memory meanwhile: a SharedArrayBuffer, or an addon block, which the
 * job then holds. Returns 0 with an exception pending if not. */
static int tc_hold(napi_env env, tc_call_t *c, const tc_view_t *v, int slot) {
  bool plain = false;
  tc_block_t *b = NULL;
  int ours;
  if (v->value == NULL) return 1;
  /* A typed array's buffer is an ArrayBuffer or a SharedArrayBuffer: asked
   * of the engine, without running JS (a lookup of the global
   * SharedArrayBuffer, or instanceof, would run the caller's getters and
   * Symbol.hasInstance, which could free the block before it is held). */
  TC_NAPI_CALL(env, napi_is_arraybuffer(env, v->buffer, &plain), 0);
  if (!plain) return 1;
  ours = tc_block_of(env, v->buffer, &b);
  if (ours < 0) return 0;
  if (ours == 0) {
    napi_throw(env, tc_code_error(env, "ERR_TC_BORROW",
                                  "an async call can only borrow a "
                                  "SharedArrayBuffer or an alloc()'d array; "
                                  "other memory is copied"));
    return 0;
  }
  tc_block_ref(b);
  c->held[slot] = b;
  return 1;
}

/* A new ArrayBuffer of bytes for a result, *data its memory: V8's own for
 * a small one; for a larger one a block of ours (block.h), whose memory
 * may not be there (ERR_TC_ENOMEM) where V8 would end the process instead.
 * *block is set when it is a block. NULL with an exception pending on
 * failure. JS thread. */
static napi_value tc_result_buffer(napi_env env, size_t bytes, void **data,
                                   tc_block_t **block) {
  napi_value ab;
  *block = NULL;
  if (bytes <= TC_SMALL_OUTPUT) {
    TC_NAPI_CALL(env, napi_create_arraybuffer(env, bytes, data, &ab), NULL);
    return ab;
  }
  if ((ab = tc_block_new(env, bytes, 0, block)) == NULL) return NULL;
  *data = (*block)->data;
  return ab;
}

/* The output array the binding makes (all kernels but sort): memory it
 * writes in place when borrowing, else a copy made at convert. */
static int tc_make_output(napi_env env, tc_call_t *c, size_t bytes) {
  napi_value ab;
  tc_block_t *b;
  c->out.dtype = tc_out_dtype(c->job.kernel, (tc_dtype)c->job.dtype);
  c->out.bytes = bytes;
  if (bytes <= TC_INLINE_OUTPUT) {
    /* The kernel writes into the call itself, in either mode. */
    c->inline_out = 1;
    c->out.data = c->inline_bytes.bytes;
    return 1;
  }
  c->copy_out = c->copy || (c->async && bytes <= TC_SMALL_OUTPUT);
  if (c->copy_out) return 1;
  if ((ab = tc_result_buffer(env, bytes, &c->out.data, &b)) == NULL) return 0;
  if (c->async) {
    /* Larger than TC_SMALL_OUTPUT, so a block: the job holds it. */
    tc_block_ref(b);
    c->held[2] = b;
  }
  c->out.buffer = ab;
  c->out.value = tc_typed_over(env, ab, c->out.dtype, bytes);
  return c->out.value != NULL;
}

/* Parse: argv is kernel, dtype, mode, input, input2, m, k, n, output, and
 * for an async call the parts it may split into (undefined: 1); a null
 * output asks the binding to make it. Returns a call ready to
 * execute, or NULL with an exception pending. JS thread. */
static tc_call_t *tc_parse(napi_env env, tc_addon_t *addon, napi_value *argv,
                           int async) {
  int32_t kernel, dtype, mode;
  size_t dims[3], parts = 1;
  tc_plan_t plan;
  tc_status st;
  tc_call_t *c;

  if (!tc_get_int(env, argv[0], "kernel", &kernel) ||
      !tc_get_int(env, argv[1], "dtype", &dtype) ||
      !tc_get_int(env, argv[2], "mode", &mode))
    return NULL;
  if (kernel < 0 || kernel >= TC_KERNEL_COUNT || dtype < 0 ||
      dtype >= TC_DTYPE_COUNT ||
      (mode != TC_MODE_COPY && mode != TC_MODE_BORROW)) {
    tc_throw_range(env, "kernel, dtype or mode out of range");
    return NULL;
  }
  if (!tc_get_size(env, argv[5], "m", &dims[0]) ||
      !tc_get_size(env, argv[6], "k", &dims[1]) ||
      !tc_get_size(env, argv[7], "n", &dims[2]) ||
      (async && !tc_is_undefined(env, argv[9]) &&
       !tc_get_size(env, argv[9], "parts", &parts)))
    return NULL;

  c = calloc(1, sizeof *c);
  if (c == NULL) {
    tc_throw_status(env, TC_ENOMEM);
    return NULL;
  }
  c->addon = addon;
  c->copy = mode == TC_MODE_COPY;
  c->async = async;
  tc_job_init(&c->job);
  c->job.kernel = kernel;
  c->job.dtype = dtype;
  memcpy(c->job.dim, dims, sizeof dims);
  c->job.parts = parts;
  if (!tc_get_view(env, argv[3], (tc_dtype)dtype, 0, "input", &c->in) ||
      !tc_get_view(env, argv[4], (tc_dtype)dtype, 1, "input2", &c->in2) ||
      !tc_get_view(env, argv[8], tc_out_dtype(kernel, (tc_dtype)dtype), 1,
                   "output", &c->out))
    goto fail;
  c->make_out = c->out.value == NULL;
  c->job.in_len = c->in.bytes;
  c->job.in2_len = c->in2.bytes;
  st = tc_plan(&c->job, &plan);
  if (st != TC_OK) {
    tc_throw_status(env, st);
    goto fail;
  }
  if (c->make_out ? !tc_make_output(env, c, plan.out_len)
                  : c->out.bytes != plan.out_len) {
    if (!c->make_out)
      tc_throw_range(env, "output has the wrong length for this call");
    goto fail;
  }
  c->job.out_len = plan.out_len;
  c->job.scratch_len = plan.scratch_len;
  c->parts = plan.parts;

  if (!c->copy) {
    if (async && (!tc_hold(env, c, &c->in, 0) || !tc_hold(env, c, &c->in2, 1) ||
                  (!c->make_out && !tc_hold(env, c, &c->out, 2))))
      goto fail;
    c->job.in = c->in.data;
    c->job.in2 = c->in2.data;
    c->job.out = c->out.data;
    if (c->make_out && c->copy_out && c->out.bytes > 0) {
      if ((c->owned_out = tc_cache_take(c->out.bytes)) == NULL) goto nomem;
      c->owned_bytes += c->out.bytes;
      addon->live_bytes += c->out.bytes;
      c->job.out = c->owned_out;
    }
    return c;
  }
  /* Copy mode. A sort whose output is its input sorts one copy in place
   * (another kernel's output over its input, say through a second buffer
   * object over the same memory, gets a copy of its own: copies never
   * alias). */
  if (!tc_own_copy(c, &c->in, &c->owned_in) ||
      !tc_own_copy(c, &c->in2, &c->owned_in2))
    goto nomem;
  if (kernel == TC_KERNEL_SORT && !c->make_out && c->out.data == c->in.data &&
      c->out.bytes == c->in.bytes) {
    c->owned_out = c->owned_in;
  } else if (!c->inline_out && c->out.bytes > 0) {
    c->owned_out = tc_cache_take(c->out.bytes);
    if (c->owned_out == NULL) goto nomem;
    c->owned_bytes += c->out.bytes;
  }
  addon->live_bytes += c->owned_bytes;
  c->job.in = c->owned_in;
  c->job.in2 = c->owned_in2;
  c->job.out = c->inline_out ? c->out.data : c->owned_out;
  return c;

nomem:
  addon->live_bytes += c->owned_bytes;
  tc_throw_status(env, TC_ENOMEM);
fail:
  tc_call_free(env, c);
  return NULL;
}

/* Execute: scratch lives only as long as the kernel runs. Any thread; no
 * napi calls. js: on the JS thread, where what giving the scratch back
 * leaves to free is freed off it (cache.h). */
static void tc_execute_job(tc_call_t *c, int js) {
  void *scratch = NULL;
  if (c->job.scratch_len > 0) {
    scratch = tc_cache_take(c->job.scratch_len);
    if (scratch == NULL) {
      c->job.status = TC_ENOMEM;
      return;
    }
  }
  c->job.scratch = scratch;
  tc_run(&c->job);
  c->job.scratch = NULL;
  if (js)
    tc_cache_give_deferred(scratch);
  else
    tc_cache_give(scratch);
}

/* Convert: the output array with the result in it, or NULL with *err set.
 * out is the output array as it is now (after an async job, its buffer may
 * have been detached in the meantime). JS thread. */
static napi_value tc_convert(napi_env env, tc_call_t *c, napi_value out,
                             napi_value *err) {
  tc_view_t now;
  tc_status st = (tc_status)c->job.status;
  *err = NULL;
  if (st != TC_OK) {
    *err = tc_status_error(env, st);
    return NULL;
  }
  if (c->inline_out) {
    napi_value bytes;
    if (napi_create_string_latin1(env, (const char *)c->inline_bytes.bytes,
                                  c->out.bytes, &bytes) != napi_ok) {
      tc_napi_throw_last(env, napi_generic_failure,
                         "napi_create_string_latin1");
      napi_get_and_clear_last_exception(env, err);
      return NULL;
    }
    return bytes;
  }
  if (c->make_out && c->copy_out) {
    /* Copy out into a new array. */
    napi_value ab, ta;
    void *data;
    tc_block_t *block;
    if ((ab = tc_result_buffer(env, c->out.bytes, &data, &block)) == NULL ||
        (ta = tc_typed_over(env, ab, c->out.dtype, c->out.bytes)) == NULL) {
      napi_get_and_clear_last_exception(env, err);
      return NULL;
    }
    if (c->out.bytes > 0) memcpy(data, c->owned_out, c->out.bytes);
    return ta;
  }
  /* The array may have been detached (transferred: a borrowed job then
   * wrote into memory that another array owns now), shrunk (a resizable
   * buffer, copy mode) or grown (a growable SharedArrayBuffer) meanwhile.
   * Grown is fine: the job's elements are still where they were. */
  if (!tc_get_view(env, out, c->out.dtype, 0, "output", &now)) {
    napi_get_and_clear_last_exception(env, err);
    return NULL;
  }
  if (now.bytes < c->out.bytes) {
    napi_value code, msg;
    napi_create_string_utf8(env, "ERR_TC_OUT_OF_BOUNDS", NAPI_AUTO_LENGTH,
                            &code);
    napi_create_string_utf8(env,
                            "the array shrank while the job ran: the result "
                            "has nowhere to go",
                            NAPI_AUTO_LENGTH, &msg);
    napi_create_type_error(env, code, msg, err);
    return NULL;
  }
  if (c->copy && c->out.bytes > 0) memcpy(now.data, c->owned_out, c->out.bytes);
  return out;
}

static tc_addon_t *tc_addon(napi_env env) {
  void *data = NULL;
  if (napi_get_instance_data(env, &data) != napi_ok || data == NULL) {
    tc_napi_throw_last(env, napi_generic_failure, "napi_get_instance_data");
    return NULL;
  }
  return data;
}

/* run(kernel, dtype, mode, input, input2, m, k, n, output) -> output */
static napi_value tc_run_sync(napi_env env, napi_callback_info info) {
  napi_value argv[9], result, err;
  size_t argc = 9;
  tc_addon_t *addon = tc_addon(env);
  tc_call_t *c;
  if (addon == NULL) return NULL;
  TC_NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL), NULL);
  if (argc < 9) {
    tc_throw_type(env, "run() takes 9 arguments");
    return NULL;
  }
  if ((c = tc_parse(env, addon, argv, 0)) == NULL) return NULL;
  tc_execute_job(c, 1);
  result = tc_convert(env, c, c->out.value, &err);
  tc_call_free(env, c);
  if (result == NULL) {
    if (err != NULL)
      napi_throw(env, err);
    else
      tc_throw_status(env, TC_ENOMEM);
  }
  return result;
}

static void tc_unlink(tc_call_t *c) {
  tc_addon_t *addon = c->addon;
  if (c->prev)
    c->prev->next = c->next;
  else
    addon->jobs = c->next;
  if (c->next) c->next->prev = c->prev;
  addon->inflight--;
}

/* Settle a finished async call's promise (with err, if given), then free
 * it. JS thread (or environment teardown, with JS disabled: then every
 * napi call below fails and the job is only freed, "not delivered"). */
static void tc_settle(napi_env env, tc_call_t *c, napi_value err) {
  tc_addon_t *addon = c->addon;
  napi_value out = NULL, result = NULL;

  if (c->aborted) c->job.status = TC_CANCELED;
  if (c->lost && err == NULL)
    err = tc_code_error(env, "ERR_TC_NAPI",
                        "the job could not be queued on the threadpool");
  /* No reference: a copy-mode output the binding makes now. */
  if (err == NULL &&
      (c->out_ref == NULL ||
       (napi_get_reference_value(env, c->out_ref, &out) == napi_ok && out)))
    result = tc_convert(env, c, out, &err);
  if (result != NULL) {
    napi_resolve_deferred(env, c->deferred, result);
  } else {
    if (err == NULL && c->job.status != TC_OK)
      err = tc_status_error(env, (tc_status)c->job.status);
    if (err == NULL)
      err = tc_code_error(env, "ERR_TC_NAPI",
                          "the job finished but its output was unreachable");
    if (err != NULL) napi_reject_deferred(env, c->deferred, err);
  }
  tc_unlink(c);
  tc_call_free(env, c);
  tc_addon_maybe_free(addon);
}

/* ---- the job queue and its runners ---- */

/* The queue, oldest first, doubly linked so that a cancelled job leaves
 * it at once. Lock held. */
static void tc_queue_append(tc_addon_t *addon, tc_task_t *t) {
  t->next = NULL;
  t->prev = addon->tail;
  if (addon->tail != NULL)
    addon->tail->next = t;
  else
    addon->head = t;
  addon->tail = t;
  t->on_queue = 1;
  addon->queued++;
}

static void tc_queue_unlink(tc_addon_t *addon, tc_task_t *t) {
  if (t->prev != NULL)
    t->prev->next = t->next;
  else
    addon->head = t->next;
  if (t->next != NULL)
    t->next->prev = t->prev;
  else
    addon->tail = t->prev;
  t->prev = t->next = NULL;
  t->on_queue = 0;
  addon->queued--;
}

/* Put n tasks on the queue; burst: they are a call's, queued by
 * runAsync(), and flush() will follow; warm: that call came within
 * TC_LINGER_NS of a settle. JS thread. */
static void tc_queue_push(tc_addon_t *addon, tc_task_t *tasks, size_t n,
                          int burst, int warm) {
  tc_lock(&addon->lock);
  for (size_t i = 0; i < n; i++) tc_queue_append(addon, &tasks[i]);
  if (burst) addon->burst = 1;
  if (warm) addon->warm = 1;
  if (addon->split_waiting) tc_cond_broadcast(&addon->split_cv);
  tc_unlock(&addon->lock);
}

/* Take every task off the queue, as a list linked by next. */
static tc_task_t *tc_queue_take_all(tc_addon_t *addon) {
  tc_task_t *all;
  tc_lock(&addon->lock);
  all = addon->head;
  for (tc_task_t *t = all; t != NULL; t = t->next) t->on_queue = 0;
  addon->head = addon->tail = NULL;
  addon->queued = 0;
  tc_unlock(&addon->lock);
  return all;
}

/* Run a task. Any thread (js: the JS thread); no napi calls. */
static void tc_task_run(tc_task_t *t, int js) {
  if (t->part == TC_WHOLE)
    tc_execute_job(t->call, js);
  else
    tc_run_part(&t->call->job, t->part);
}

static int tc_part_done(tc_call_t *c);
static void tc_split_phase_done(napi_env env, tc_call_t *c);

/* A task has run: settle its job, or, for the last part of a phase, go on
 * to the next phase. JS thread: for a task that ran here (tc_tasks_lost),
 * or a split job's whole task, which a runner hands back once the job's
 * last phase is done. */
static void tc_task_done(napi_env env, tc_task_t *t) {
  tc_call_t *c = t->call;
  if (t->part == TC_WHOLE)
    tc_settle(env, c, NULL);
  else if (tc_part_done(c))
    tc_split_phase_done(env, c);
}

/* tc_task_done() for each task of a list linked by next. */
static void tc_tasks_done(napi_env env, tc_task_t *t) {
  while (t != NULL) {
    tc_task_t *next = t->next; /* t may be freed with its call */
    tc_task_done(env, t);
    t = next;
  }
}

static int tc_split_advance(tc_call_t *c);

/* Have the JS thread run tc_hand_back(): one call on its way is enough,
 * it takes all there is. Lock held; addon->tsfn set. */
static void tc_signal(tc_addon_t *addon) {
  if (!addon->signaled)
    addon->signaled = napi_call_threadsafe_function(
                          addon->tsfn, NULL, napi_tsfn_nonblocking) == napi_ok;
}

/* Pass what a runner ran to the JS thread (tc_hand_back). Lock held. */
static void tc_runner_hand_back(tc_runner_t *r) {
  tc_addon_t *addon = r->addon;
  *addon->done_tail = r->done;
  addon->done_tail = r->done_tail;
  r->done = NULL;
  r->done_tail = &r->done;
  tc_signal(addon);
}

/* Threadpool thread: take tasks until the queue is empty (and, while the
 * JS thread may queue more this turn, or in a warm spell, TC_LINGER_NS
 * have passed without one; after a part of a split job, while a split job
 * runs, as long as the part ran, for a next phase: TC_PHASE_WAIT_NS). A runner
 * that ends a split job's phase runs tc_next() and queues the next phase
 * itself, so a split job wakes the JS thread once, at its end. What it ran it
 * hands back to the JS thread before it takes a slow task, before it waits for
 * a phase or for the next call of a warm spell, and once TC_HAND_BACK_NS have
 * passed since it last did; the rest goes back when it completes. */
static void tc_runner_execute(napi_env env, void *data) {
  tc_runner_t *r = data;
  tc_addon_t *addon = r->addon;
  /* idle: since when it waits for more calls of the turn; after: since
   * when it waits for the next call of a warm spell (TC_LINGER_NS) */
  uint64_t since = tc_now_ns(), idle = 0, after = 0;
  /* when the part it ran last ended, if it did, and how long it may wait
   * from then for the next phase */
  uint64_t part_end = 0, part_wait = 0;
  int ran = 0, took = 0; /* took: it has run a task */
  (void)env;
  for (;;) {
    tc_task_t *t;
    uint64_t now =
        ran || idle != 0 || after != 0 || part_end != 0 ? tc_now_ns() : since;
    tc_lock(&addon->lock);
    if (ran) addon->running--; /* the task it just ran */
    ran = 0;
    t = addon->head;
    if (t == NULL) {
      /* One runner waits at a time for more calls of the turn. In a warm
       * spell it hands back what it ran first: the JS thread, busy with
       * its turn, then finds it there when the turn ends, and need not
       * sleep until this runner's wait is over. */
      if (addon->burst &&
          (idle == 0 ? !addon->waiting : now - idle < TC_LINGER_NS)) {
        if (idle == 0 && addon->warm && r->done != NULL &&
            addon->tsfn != NULL) {
          tc_runner_hand_back(r);
          since = now;
        }
        addon->waiting = 1;
        tc_unlock(&addon->lock);
        if (idle == 0) idle = now;
        tc_yield();
        continue;
      }
      if (idle != 0) addon->waiting = 0;
      idle = 0;
      if (part_end != 0 && addon->splits > 0 && now - part_end < part_wait) {
        /* Every part of a phase is taken, and the runners running them
         * will queue the next one, or end the job (TC_PHASE_WAIT_NS). */
        if (r->done != NULL && addon->tsfn != NULL) {
          tc_runner_hand_back(r);
          since = now;
        }
        addon->split_waiting++;
        tc_cond_wait_ns(&addon->split_cv, &addon->lock,
                        part_wait - (now - part_end));
        addon->split_waiting--;
        tc_unlock(&addon->lock);
        continue;
      }
      /* Calls come back to back: hand back what it ran, and wait for the
       * next one. A wait that ends without one ends the warm spell. */
      if (addon->warm && addon->tsfn != NULL &&
          (after == 0 ? took && !addon->waiting : now - after < TC_LINGER_NS)) {
        if (after == 0) {
          if (r->done != NULL) tc_runner_hand_back(r);
          since = after = now;
          addon->waiting = 1;
        }
        tc_unlock(&addon->lock);
        tc_yield();
        continue;
      }
      if (after != 0) addon->waiting = addon->warm = 0;
      addon->live--;
      tc_unlock(&addon->lock);
      return;
    }
    if (idle != 0 || after != 0) addon->waiting = 0;
    idle = after = 0;
    if (r->done != NULL && addon->tsfn != NULL &&
        (t->slow || now - since >= TC_HAND_BACK_NS)) {
      tc_runner_hand_back(r);
      since = now;
    }
    tc_queue_unlink(addon, t);
    addon->running++;
    tc_unlock(&addon->lock);
    tc_task_run(t, 0);
    ran = took = 1;
    part_end = 0;
    if (t->part != TC_WHOLE) {
      /* A part: nothing to hand back until its job's last phase is done.
       * Its call stays until then (the JS thread settles it once handed
       * back), but not its tasks past tc_part_done() unless this one ran
       * the phase's last part. */
      tc_call_t *c = t->call;
      part_end = tc_now_ns();
      part_wait =
          part_end - now > TC_PHASE_WAIT_NS ? part_end - now : TC_PHASE_WAIT_NS;
      if (!tc_part_done(c) || !tc_split_advance(c)) continue;
      t = &c->whole;
    }
    t->next = NULL;
    *r->done_tail = t;
    r->done_tail = &t->next;
  }
}

/* Settle what runners handed back (a list linked by next), and note when
 * (a call queued soon after is warm, TC_LINGER_NS). JS thread. */
static void tc_settle_done(napi_env env, tc_addon_t *addon, tc_task_t *t) {
  if (t == NULL) return;
  tc_tasks_done(env, t);
  addon->settled_ns = tc_now_ns();
}

/* Everything runners have handed back. signaled: for the threadsafe
 * function's call, which ends the one on its way. */
static tc_task_t *tc_take_done(tc_addon_t *addon, int signaled) {
  tc_task_t *done;
  tc_lock(&addon->lock);
  done = addon->done;
  addon->done = NULL;
  addon->done_tail = &addon->done;
  if (signaled) addon->signaled = 0;
  tc_unlock(&addon->lock);
  return done;
}

static int tc_runners_start(napi_env env, tc_addon_t *addon, size_t most);

/* The threadsafe function's call on the JS thread: settle what runners
 * handed back, and start runners for tasks that those live cannot take
 * (a split job's next phase, tc_split_advance). NULL env: the environment
 * is going; the teardown frees what is left. */
static void tc_hand_back(napi_env env, napi_value js_cb, void *context,
                         void *data) {
  (void)js_cb;
  (void)data;
  if (env == NULL) return;
  tc_settle_done(env, context, tc_take_done(context, 1));
  tc_runners_start(env, context, ((tc_addon_t *)context)->pool);
}

/* Tasks no runner will take: each runs here, cancelled (it returns at
 * once; a sort's part still puts its keys back), and its call rejects.
 * JS thread. */
static void tc_tasks_lost(napi_env env, tc_task_t *t) {
  while (t != NULL) {
    tc_task_t *next = t->next;
    t->call->lost = 1;
    tc_job_cancel(&t->call->job);
    tc_task_run(t, 1);
    tc_task_done(env, t);
    t = next;
  }
}

/* A runner is done: settle what was handed back and what it ran since.
 * JS thread. */
static void tc_runner_complete(napi_env env, napi_status status, void *data) {
  tc_runner_t *r = data;
  tc_addon_t *addon = r->addon;
  tc_task_t *mine = r->done;
  napi_delete_async_work(env, r->work);
  if (status == napi_cancelled) {
    /* never ran, so never stopped taking */
    tc_lock(&addon->lock);
    addon->live--;
    tc_unlock(&addon->lock);
  }
  free(r);
  /* Counted until the end: nothing below may free the addon. */
  tc_settle_done(env, addon, tc_take_done(addon, 0));
  tc_settle_done(env, addon, mine);
  tc_runners_start(env, addon, addon->pool);
  addon->runners--;
  tc_addon_maybe_free(addon);
}

/* Start runners while there are more tasks queued than runners free to
 * take them (live ones not running a task), until `most` are live (the
 * pool's size, or 1 for a small call's runAsync()). Where
 * none is live and none can be started (or the environment is going),
 * the queued tasks are lost (tc_tasks_lost). Returns 0 then. JS thread. */
static int tc_runners_start(napi_env env, tc_addon_t *addon, size_t most) {
  napi_value name;
  for (;;) {
    tc_runner_t *r = NULL;
    int want;
    tc_lock(&addon->lock);
    want = addon->queued > addon->live - addon->running && addon->live < most;
    if (want) addon->live++;
    tc_unlock(&addon->lock);
    if (!want) return 1;
    if (!addon->finalized) r = calloc(1, sizeof *r);
    if (r != NULL) {
      r->addon = addon;
      r->done_tail = &r->done;
      if (napi_create_string_utf8(env, "twincore", NAPI_AUTO_LENGTH, &name) ==
              napi_ok &&
          napi_create_async_work(env, NULL, name, tc_runner_execute,
                                 tc_runner_complete, r, &r->work) == napi_ok) {
        if (napi_queue_async_work(env, r->work) == napi_ok) {
          addon->runners++;
          addon->started++;
          continue;
        }
        napi_delete_async_work(env, r->work);
      }
      free(r);
    }
    tc_lock(&addon->lock);
    want = --addon->live == 0;
    tc_unlock(&addon->lock);
    /* A runner still live will get to the queue's tasks. */
    if (want) tc_tasks_lost(env, tc_queue_take_all(addon));
    return 0;
  }
}

/* ---- a job split into parts (tc_begin): each phase's parts are tasks of
 * their own, queued at once; the runner that finishes the last one runs
 * tc_next() and queues the next phase, or hands the job back to the JS
 * thread to settle. No part waits for another, so a pool of any size
 * finishes the job. ---- */

/* A part of c's current phase has run: whether it was the last. Any
 * thread; lock not held. */
static int tc_part_done(tc_call_t *c) {
  int last;
  tc_lock(&c->addon->lock);
  last = --c->pending == 0;
  tc_unlock(&c->addon->lock);
  return last;
}

/* Every part of c's current phase has run: tc_next(), then queue the next
 * phase's parts (their tasks set up once, by tc_split_start), or end the
 * job. Returns 1 if it ended (c is to be settled). Any thread; lock not
 * held. */
static int tc_split_advance(tc_call_t *c) {
  tc_addon_t *addon = c->addon;
  int end = tc_next(&c->job) != TC_PENDING;
  tc_lock(&addon->lock);
  if (end) {
    addon->splits--;
  } else {
    c->pending = c->parts;
    for (size_t p = 0; p < c->parts; p++) tc_queue_append(addon, &c->tasks[p]);
    /* More parts than the runners live can take (this one takes one):
     * the JS thread starts more (tc_hand_back). */
    if (addon->queued > addon->live - addon->running + 1 &&
        addon->live < addon->pool && addon->tsfn != NULL)
      tc_signal(addon);
  }
  if (addon->split_waiting) tc_cond_broadcast(&addon->split_cv);
  tc_unlock(&addon->lock);
  return end;
}

/* Every part of a phase ran on the JS thread (tc_tasks_lost): the next
 * phase, or the end. */
static void tc_split_phase_done(napi_env env, tc_call_t *c) {
  if (tc_split_advance(c))
    tc_settle(env, c, NULL);
  else
    tc_runners_start(env, c->addon, c->addon->pool);
}

/* Start a split call whose promise exists; it settles on its own; warm:
 * as for tc_queue_push(). Returns 0 if it settled already (and c is
 * freed). */
static int tc_split_start(napi_env env, tc_call_t *c, int warm) {
  tc_status st = TC_ENOMEM;
  c->split_scratch = tc_cache_take(c->job.scratch_len);
  c->tasks = calloc(c->parts, sizeof *c->tasks);
  if (c->split_scratch != NULL && c->tasks != NULL) {
    c->job.scratch = c->split_scratch;
    st = tc_begin(&c->job);
  } else {
    c->job.status = TC_ENOMEM;
  }
  if (st != TC_PENDING) {
    tc_settle(env, c, NULL);
    return 0;
  }
  for (size_t p = 0; p < c->parts; p++) {
    c->tasks[p].call = c;
    c->tasks[p].part = p;
    c->tasks[p].slow = 1;
  }
  c->whole.call = c;
  c->whole.part = TC_WHOLE;
  c->pending = c->parts;
  tc_lock(&c->addon->lock);
  c->addon->splits++;
  tc_unlock(&c->addon->lock);
  tc_queue_push(c->addon, c->tasks, c->parts, 0, warm);
  return 1;
}

/* A reference that keeps an array alive while a pool thread uses its
 * memory, where nothing else does: not for a copy (the job has its own),
 * nor for an addon block the call holds (held), whose memory stays until
 * the call lets go of it. */
static int tc_ref(napi_env env, const tc_view_t *v, const tc_call_t *c,
                  int held, napi_ref *ref) {
  *ref = NULL;
  if (v->value == NULL || c->copy || held) return 1;
  return napi_create_reference(env, v->value, 1, ref) == napi_ok;
}

/* A large job, some tens of microseconds of work or more, starts runners
 * at once, as many as the queue needs (its caller may mean to overlap its
 * own work with it); a smaller one starts a runner only where none is
 * live, and more wait for the next flush(). */
#define TC_LARGE_WORK ((double)(64 << 10))

/* A slow job, about TC_HAND_BACK_NS of work or more: a runner hands back
 * what it ran before it takes one, so calls that ended do not wait for it.
 * Not before a job of less: 64 hashes of 64 KiB in flight are settled a
 * few at a time, not one JS-thread wake-up each. */
#define TC_SLOW_WORK ((double)(1 << 20))

/* runAsync(id, kernel, dtype, mode, input, input2, m, k, n, output[, parts])
 *   -> Promise<output>; parts (default 1): how many the job may split into.
 * The job is queued; a large one starts runners at once, a small one a
 * runner if none is live (the others at the next flush()). */
static napi_value tc_run_async(napi_env env, napi_callback_info info) {
  napi_value argv[11], promise;
  size_t argc = 11;
  tc_addon_t *addon = tc_addon(env);
  tc_call_t *c;
  double id;
  int large, warm;
  double work;
  if (addon == NULL) return NULL;
  TC_NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL), NULL);
  if (argc < 10) {
    tc_throw_type(env, "runAsync() takes 10 or 11 arguments");
    return NULL;
  }
  if (napi_get_value_double(env, argv[0], &id) != napi_ok) {
    tc_throw_type(env, "id must be a number");
    return NULL;
  }
  if ((c = tc_parse(env, addon, argv + 1, 1)) == NULL) return NULL;
  c->id = id;
  if (napi_create_promise(env, &c->deferred, &promise) != napi_ok) {
    tc_napi_throw_last(env, napi_generic_failure, "napi_create_promise");
    tc_call_free(env, c);
    return NULL;
  }
  /* The output is always referenced: it is what the promise resolves to. */
  if (!tc_ref(env, &c->in, c, c->held[0] != NULL, &c->in_ref) ||
      !tc_ref(env, &c->in2, c, c->held[1] != NULL, &c->in2_ref) ||
      (c->out.value != NULL &&
       napi_create_reference(env, c->out.value, 1, &c->out_ref) != napi_ok)) {
    /* The promise exists: settle it rather than leave it pending. */
    napi_value err = NULL;
    tc_napi_throw_last(env, napi_generic_failure, "napi_create_reference");
    napi_get_and_clear_last_exception(env, &err);
    if (err == NULL) err = tc_status_error(env, TC_ENOMEM);
    napi_reject_deferred(env, c->deferred, err);
    tc_call_free(env, c);
    return promise;
  }
  c->next = addon->jobs;
  if (addon->jobs) addon->jobs->prev = c;
  addon->jobs = c;
  addon->inflight++;
  /* c may be freed below */
  work = tc_job_work(&c->job);
  large = c->parts > 1 || work >= TC_LARGE_WORK;
  warm =
      addon->settled_ns != 0 && tc_now_ns() - addon->settled_ns < TC_LINGER_NS;
  if (c->parts > 1) {
    if (!tc_split_start(env, c, warm)) return promise;
  } else {
    c->whole.call = c;
    c->whole.part = TC_WHOLE;
    c->whole.slow = work >= TC_SLOW_WORK;
    tc_queue_push(addon, &c->whole, 1, 1, warm);
  }
  tc_runners_start(env, addon, large ? addon->pool : 1);
  return promise;
}

/* flush(): the calls of this turn are queued (the facade calls it in a
 * microtask): runners stop waiting for more, and more start if the queue
 * outgrew those live. So a burst of small calls starts a few runners that
 * share it out, rather than a runner for each call that finds the queue
 * empty behind it. */
static napi_value tc_flush(napi_env env, napi_callback_info info) {
  tc_addon_t *addon = tc_addon(env);
  (void)info;
  if (addon != NULL) {
    tc_lock(&addon->lock);
    addon->burst = 0;
    tc_unlock(&addon->lock);
    tc_runners_start(env, addon, addon->pool);
  }
  return NULL;
}

/* Ask a job to stop. One still on the queue is taken off it and settles
 * now (cancelled); a running one stops at its next chunk; a split job's
 * parts stop by themselves; a finished one that has not been settled yet
 * is still reported as cancelled. JS thread. */
static void tc_call_cancel(napi_env env, tc_call_t *c) {
  tc_addon_t *addon = c->addon;
  int queued = 0;
  c->aborted = 1;
  tc_job_cancel(&c->job);
  if (c->parts > 1) return;
  tc_lock(&addon->lock);
  if (c->whole.on_queue) {
    tc_queue_unlink(addon, &c->whole);
    queued = 1;
  }
  tc_unlock(&addon->lock);
  if (queued) tc_settle(env, c, NULL);
}

/* cancel(id) -> whether a job with that id was in flight. */
static napi_value tc_cancel(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  size_t argc = 1;
  double id;
  tc_call_t *c;
  tc_addon_t *addon = tc_addon(env);
  if (addon == NULL) return NULL;
  TC_NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL), NULL);
  if (argc < 1 || napi_get_value_double(env, argv[0], &id) != napi_ok) {
    tc_throw_type(env, "cancel() takes a job id");
    return NULL;
  }
  for (c = addon->jobs; c != NULL && c->id != id; c = c->next) {
  }
  if (c != NULL) tc_call_cancel(env, c);
  TC_NAPI_CALL(env, napi_get_boolean(env, c != NULL, &result), NULL);
  return result;
}

/* cancelAll(): ask every job in flight to stop (the facade calls it when
 * the process exits: Node finishes queued threadpool work before exiting,
 * and runs no cleanup hook first). */
static napi_value tc_cancel_all(napi_env env, napi_callback_info info) {
  tc_addon_t *addon = tc_addon(env);
  (void)info;
  if (addon == NULL) return NULL;
  /* Flags only: at exit no promise is worth settling, and runners take
   * what is queued at once (a cancelled job returns before any work). */
  for (tc_call_t *c = addon->jobs; c != NULL; c = c->next) {
    c->aborted = 1;
    tc_job_cancel(&c->job);
  }
  return NULL;
}

/* alloc(bytes) -> ArrayBuffer over a zero-filled block the addon owns. */
static napi_value tc_alloc(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1, bytes;
  tc_block_t *b;
  TC_NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL), NULL);
  if (argc < 1) {
    tc_throw_type(env, "alloc() takes a byte length");
    return NULL;
  }
  if (!tc_get_size(env, argv[0], "bytes", &bytes)) return NULL;
  return tc_block_new(env, bytes, 1, &b);
}

/* detach(arrayBuffer): free() of a library-owned array. */
static napi_value tc_detach(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  bool is_ab = false;
  TC_NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL), NULL);
  if (argc < 1 || napi_is_arraybuffer(env, argv[0], &is_ab) != napi_ok ||
      !is_ab) {
    tc_throw_type(env, "detach() takes an ArrayBuffer");
    return NULL;
  }
  tc_block_release(env, argv[0]);
  return NULL;
}

static napi_status tc_set_number(napi_env env, napi_value obj, const char *key,
                                 double v) {
  napi_value n;
  napi_status s = napi_create_double(env, v, &n);
  return s != napi_ok ? s : napi_set_named_property(env, obj, key, n);
}

static napi_status tc_set_string(napi_env env, napi_value obj, const char *key,
                                 const char *v) {
  napi_value str;
  napi_status s = napi_create_string_utf8(env, v, NAPI_AUTO_LENGTH, &str);
  return s != napi_ok ? s : napi_set_named_property(env, obj, key, str);
}

/* The code path the core picked on this CPU for each kernel:
 * { sha256: "sha-ni", stats: "avx512f", ... } (tc_kernel_path()). */
static napi_status tc_set_paths(napi_env env, napi_value obj) {
  napi_value paths;
  napi_status s = napi_create_object(env, &paths);
  for (int k = 0; s == napi_ok && k < TC_KERNEL_COUNT; k++)
    s = tc_set_string(env, paths, tc_kernel_name(k), tc_kernel_path(k));
  return s != napi_ok ? s : napi_set_named_property(env, obj, "paths", paths);
}

/* simdCap: tc_simd_cap(), null when there is no cap. */
static napi_status tc_set_simd_cap(napi_env env, napi_value obj) {
  const char *cap = tc_simd_cap();
  napi_value none;
  napi_status s;
  if (cap != NULL) return tc_set_string(env, obj, "simdCap", cap);
  s = napi_get_null(env, &none);
  return s != napi_ok ? s : napi_set_named_property(env, obj, "simdCap", none);
}

/* info() -> { napiVersion, paths, simdCap, compiler, threads, inflight,
 * liveBytes, cachedBytes, runnersStarted }, where napiVersion is the
 * Node-API version this addon was built against, simdCap the TWINCORE_SIMD
 * cap the core read, or null, threads the threadpool's size
 * (tc_pool_size()), and runnersStarted how many runner work items this
 * environment has queued. */
static napi_value tc_info(napi_env env, napi_callback_info info) {
  napi_value obj;
  tc_addon_t *addon = tc_addon(env);
  (void)info;
  if (addon == NULL) return NULL;
  TC_NAPI_CALL(env, napi_create_object(env, &obj), NULL);
  TC_NAPI_CALL(env, tc_set_number(env, obj, "napiVersion", NAPI_VERSION), NULL);
  TC_NAPI_CALL(env, tc_set_paths(env, obj), NULL);
  TC_NAPI_CALL(env, tc_set_simd_cap(env, obj), NULL);
#if defined(__clang__)
  TC_NAPI_CALL(env,
               tc_set_string(env, obj, "compiler", "clang " __clang_version__),
               NULL);
#elif defined(__GNUC__)
  TC_NAPI_CALL(env, tc_set_string(env, obj, "compiler", "gcc " __VERSION__),
               NULL);
#else
  TC_NAPI_CALL(env, tc_set_string(env, obj, "compiler", "unknown"), NULL);
#endif
  TC_NAPI_CALL(env, tc_set_number(env, obj, "threads", (double)addon->pool),
               NULL);
  TC_NAPI_CALL(
      env, tc_set_number(env, obj, "inflight", (double)addon->inflight), NULL);
  TC_NAPI_CALL(env, tc_set_number(env, obj, "runnersStarted", addon->started),
               NULL);
  TC_NAPI_CALL(env,
               tc_set_number(env, obj, "liveBytes", (double)addon->live_bytes),
               NULL);
  TC_NAPI_CALL(env,
               tc_set_number(env, obj, "cachedBytes", (double)tc_cache_bytes()),
               NULL);
  return obj;
}

/* trim() -> bytes the buffer cache still holds, after giving back every
 * buffer no call used since the last trim, freed off the JS thread (the
 * timer that calls this lands in the middle of whatever it does; cache.h).
 * JS thread. */
static napi_value tc_trim(napi_env env, napi_callback_info info) {
  napi_value left;
  (void)info;
  TC_NAPI_CALL(env, napi_create_double(env, (double)tc_cache_trim(), &left),
               NULL);
  return left;
}

/* The environment is going: no more hand-backs (what runners still run
 * goes back when they complete), runners wait for no more calls, and jobs
 * queued that no runner will take (only where starting one failed) are
 * freed, "not delivered". */
static void tc_addon_drop_queue(tc_addon_t *addon) {
  int live;
  napi_threadsafe_function tsfn;
  tc_lock(&addon->lock);
  live = addon->live > 0;
  addon->burst = 0; /* no flush() will come: a runner waits no longer */
  tsfn = addon->tsfn;
  addon->tsfn = NULL;
  tc_unlock(&addon->lock);
  if (tsfn != NULL) napi_release_threadsafe_function(tsfn, napi_tsfn_abort);
  if (!live) tc_tasks_lost(addon->env, tc_queue_take_all(addon));
}

/* The threadsafe function is gone. JS thread (or teardown). */
static void tc_tsfn_finalize(napi_env env, void *data, void *hint) {
  tc_addon_t *addon = data;
  (void)env;
  (void)hint;
  tc_lock(&addon->lock);
  addon->tsfn = NULL;
  tc_unlock(&addon->lock);
  addon->tsfn_alive = 0;
  tc_addon_maybe_free(addon);
}

/* Environment teardown (a worker terminated, the main thread exiting).
 * Node 20 lets all threadpool work finish and completes it before it runs
 * cleanup hooks, so by now nothing should be in flight; cancelling here
 * only matters for a job that is somehow still running. The wait for
 * running jobs when a worker is terminated cannot be shortened from here:
 * worker.terminate() returns once they finish. */
static void tc_cleanup_hook(void *arg) {
  tc_addon_t *addon = arg;
  for (tc_call_t *c = addon->jobs; c != NULL; c = c->next)
    tc_job_cancel(&c->job);
  tc_addon_drop_queue(addon);
  tc_addon_leave_cache(addon);
}

/* The libuv threadpool's size as libuv reads it (UV_THREADPOOL_SIZE, else
 * 4; 0 is 1, and at most 1024, which a negative value wraps to): the most
 * runners worth starting at once. */
static size_t tc_pool_size(void) {
  const char *v = getenv("UV_THREADPOOL_SIZE");
  long n = v != NULL ? strtol(v, NULL, 10) : 4;
  return n == 0 ? 1 : n < 0 || n > 1024 ? 1024 : (size_t)n;
}

static void tc_finalize_addon(napi_env env, void *data, void *hint) {
  tc_addon_t *addon = data;
  (void)hint;
  napi_remove_env_cleanup_hook(env, tc_cleanup_hook, addon);
  tc_addon_drop_queue(addon);
  tc_addon_leave_cache(addon);
  addon->finalized = 1;
  tc_addon_maybe_free(addon);
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  static const struct {
    const char *name;
    napi_callback fn;
  } fns[] = {{"run", tc_run_sync},  {"runAsync", tc_run_async},
             {"cancel", tc_cancel}, {"cancelAll", tc_cancel_all},
             {"alloc", tc_alloc},   {"detach", tc_detach},
             {"info", tc_info},     {"trim", tc_trim},
             {"flush", tc_flush}};
  tc_addon_t *addon = calloc(1, sizeof *addon);
  if (addon == NULL) {
    napi_throw_error(env, "ERR_TC_ENOMEM", "twincore: out of memory");
    return NULL;
  }
  if (napi_set_instance_data(env, addon, tc_finalize_addon, NULL) != napi_ok) {
    free(addon);
    tc_napi_throw_last(env, napi_generic_failure, "napi_set_instance_data");
    return NULL;
  }
  addon->env = env;
  tc_lock_init(&addon->lock);
  tc_cond_init(&addon->split_cv);
  addon->done_tail = &addon->done;
  addon->pool = tc_pool_size();
  /* Runners hand back what they ran through it; never what keeps the
   * process alive (a runner in flight does that). Without one, what they
   * ran goes back when they complete. */
  {
    napi_value name;
    if (napi_create_string_utf8(env, "twincore", NAPI_AUTO_LENGTH, &name) ==
            napi_ok &&
        napi_create_threadsafe_function(env, NULL, NULL, name, 0, 1, addon,
                                        tc_tsfn_finalize, addon, tc_hand_back,
                                        &addon->tsfn) == napi_ok) {
      addon->tsfn_alive = 1;
      napi_unref_threadsafe_function(env, addon->tsfn);
    } else {
      addon->tsfn = NULL;
    }
  }
  tc_cache_env_enter();
  /* The core reads TWINCORE_SIMD at first use: make that now, on the JS
   * thread, when the facade reads it too, rather than on a pool thread
   * while JS may be changing the environment. */
  (void)tc_simd_cap();
  TC_NAPI_CALL(env, napi_add_env_cleanup_hook(env, tc_cleanup_hook, addon),
               NULL);
  for (size_t i = 0; i < sizeof fns / sizeof *fns; i++) {
    napi_value fn;
    TC_NAPI_CALL(env,
                 napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH,
                                      fns[i].fn, NULL, &fn),
                 NULL);
    TC_NAPI_CALL(env, napi_set_named_property(env, exports, fns[i].name, fn),
                 NULL);
  }
  return exports;
}
