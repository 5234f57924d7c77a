/*
 * The apps' clock (src/apps/message.ts nowMs: epoch ms that only move forward): a monotonic
 * clock plus the offset JavaScript's own clock has, set once when the addon is loaded, so a time
 * taken here and one taken in JavaScript in the same process compare.
 */
#ifndef HYDRA_CLOCK_H
#define HYDRA_CLOCK_H
#include <time.h>

extern double hydra_clock_offset_ms;

static inline double mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static inline double now_ms(void) { return mono_ms() + hydra_clock_offset_ms; }

/* Sets the offset so that now_ms() reads `js_now_ms` at this moment. */
static inline void clock_align(double js_now_ms) { hydra_clock_offset_ms = js_now_ms - mono_ms(); }

#endif
