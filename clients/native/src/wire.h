/*
 * The 16-byte header of a test message (src/apps/message.ts), big-endian:
 *   0 u32 sequence, 4 u16 publisher id, 6 u16 epoch,
 *   8 u32 intended send time in 32 µs units since t0, 12 u32 publish delay in µs.
 */
#ifndef HYDRA_WIRE_H
#define HYDRA_WIRE_H
#include <math.h>
#include <stdint.h>

#define MESSAGE_SIZE 16
#define TIME_UNIT_US 32

static inline uint32_t rd_u32(const unsigned char *p) { return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3]; }
static inline uint16_t rd_u16(const unsigned char *p) { return (uint16_t)(((unsigned)p[0] << 8) | (unsigned)p[1]); }
static inline void wr_u32(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)(v >> 24);
  p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8);
  p[3] = (unsigned char)v;
}
static inline void wr_u16(unsigned char *p, uint16_t v) {
  p[0] = (unsigned char)(v >> 8);
  p[1] = (unsigned char)v;
}

/* JavaScript's Math.round: the nearest integer, halves up. */
static inline double js_round(double x) {
  double r = floor(x);
  return (x - r >= 0.5) ? r + 1 : r;
}

static inline uint32_t clamp_u32(double x) {
  if (x <= 0) return 0;
  if (x >= 4294967295.0) return 4294967295u;
  return (uint32_t)x;
}

/* Writes a header: `intended_ms` and `sent_ms` are epoch ms, `t0_ms` the point's base. */
static inline void encode_message(unsigned char *p, uint32_t seq, uint16_t pub_id, uint16_t epoch, double intended_ms, double sent_ms, double t0_ms) {
  wr_u32(p, seq);
  wr_u16(p + 4, pub_id);
  wr_u16(p + 6, epoch);
  wr_u32(p + 8, clamp_u32(js_round(((intended_ms - t0_ms) * 1000) / TIME_UNIT_US)));
  wr_u32(p + 12, clamp_u32(js_round((sent_ms - intended_ms) * 1000)));
}

#endif
