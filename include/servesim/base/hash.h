/* hash.h: SHA-256 (FIPS 180-4), for the content hashes that provenance records (hwdb, traces,
 * histograms, scenario files) and the verification checksum. Streaming: init, update any number of
 * times, final.
 * Invariant: the digest equals `sha256sum` of the same bytes. */
#ifndef SERVESIM_HASH_H
#define SERVESIM_HASH_H
#include <stddef.h>
#include <stdint.h>

enum { HASH_HEX_LEN = 65 }; /* 64 hex digits and the terminator */

/* An input file as provenance records it: its role ("scenario", "trace", ...), path and digest. */
typedef struct {
  char role[24];
  char path[512];
  char sha256[HASH_HEX_LEN];
} hash_ref;

typedef struct {
  uint32_t h[8];
  uint64_t bytes;
  unsigned char block[64];
  size_t used;
} hash_sha256;

void hash_init(hash_sha256 *s);
void hash_update(hash_sha256 *s, const void *data, size_t len);
/* Writes the digest as 64 lowercase hex digits into hex (HASH_HEX_LEN bytes). */
void hash_final(hash_sha256 *s, char hex[HASH_HEX_LEN]);
/* One-shot digest of a buffer. */
void hash_hex(const void *data, size_t len, char hex[HASH_HEX_LEN]);

#endif
