/* test_hash.c: SHA-256 against the FIPS 180-4 test vectors and `sha256sum`: empty input, one block,
 * two blocks, the padding edges (55, 56 and 64 bytes), a million bytes, and streaming in any chunking
 * giving the one-shot digest. Provenance hashes (hwdb, scenario, traces) rest on this. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/hash.h"
#include "check.h"

static void expect_digest(const char *data, size_t len, const char *want) {
  char hex[HASH_HEX_LEN];
  hash_hex(data, len, hex);
  if (strcmp(hex, want)) fail_msg("sha256 of %zu bytes: %s, want %s", len, hex, want);
}

static void test_digests_match_the_fips_vectors_and_sha256sum(void **state) {
  (void)state;
  expect_digest("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  expect_digest("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"; /* 448 bits: two blocks */
  expect_digest(two, strlen(two), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* 55 bytes leave room for the length in the last block, 56 do not, 64 fill a block exactly. */
static void test_padding_edges_match_sha256sum(void **state) {
  (void)state;
  char x[64];
  memset(x, 'x', sizeof x);
  expect_digest(x, 55, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072");
  expect_digest(x, 56, "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e");
  expect_digest(x, 64, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c");
}

static void test_streaming_in_any_chunks_gives_the_one_shot_digest(void **state) {
  (void)state;
  enum { N = 1000000 };
  char *a = malloc(N);
  assert_non_null(a);
  memset(a, 'a', N);
  expect_digest(a, N, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  static const size_t CHUNKS[] = {1, 3, 55, 63, 64, 65, 1000, 4097};
  size_t tested = 0;
  for (size_t k = 0; k < sizeof CHUNKS / sizeof CHUNKS[0]; k++) {
    hash_sha256 s;
    char hex[HASH_HEX_LEN];
    hash_init(&s);
    for (size_t off = 0; off < N; off += CHUNKS[k]) hash_update(&s, a + off, N - off < CHUNKS[k] ? N - off : CHUNKS[k]);
    hash_final(&s, hex);
    check_msg(!strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
              "chunks of %zu bytes: %s", CHUNKS[k], hex);
    tested++;
  }
  check_min_cases(tested, 8);
  free(a);
}

static void test_the_digest_is_64_lowercase_hex_digits(void **state) {
  (void)state;
  char hex[HASH_HEX_LEN];
  hash_hex("servesim", 8, hex);
  assert_int_equal(strlen(hex), 64);
  for (size_t i = 0; i < 64; i++)
    check_msg((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f'), "digit %zu is '%c'", i, hex[i]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_digests_match_the_fips_vectors_and_sha256sum),
      cmocka_unit_test(test_padding_edges_match_sha256sum),
      cmocka_unit_test(test_streaming_in_any_chunks_gives_the_one_shot_digest),
      cmocka_unit_test(test_the_digest_is_64_lowercase_hex_digits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
