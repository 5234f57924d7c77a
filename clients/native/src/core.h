/* What the native publisher and consumers share: how they tell JavaScript of an event. */
#ifndef HYDRA_CORE_H
#define HYDRA_CORE_H

/*
 * Tells JavaScript of an event: `kind` and a JSON text, both copied. Called from the core's own
 * threads; the addon queues it for the main thread (src/client/native reads it).
 */
typedef void (*emit_fn)(void *ctx, const char *kind, const char *json);
/* Called last by a core's thread, after its final event: nothing of it is touched afterwards. */
typedef void (*done_fn)(void *ctx);

typedef struct {
  emit_fn emit;
  done_fn done;
  void *ctx;
} events_t;

#endif
