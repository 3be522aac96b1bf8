/* price.h: GPU prices (per provider and tier) and API prices from hwdb/prices, every row dated
 * and sourced. Invariant: usd_per_gpu_hour = usd_per_hour / gpus for rented rows. */
#ifndef SERVESIM_PRICE_H
#define SERVESIM_PRICE_H
#include <stddef.h>

#include "base/keytab.h"

typedef enum { TIER_ON_DEMAND, TIER_SPOT, TIER_RESERVED, TIER_PURCHASE } price_tier;
extern const char *const price_tier_names[];

typedef struct {
  char id[64], gpu[48], provider[48], offering[96];
  int tier; /* price_tier */
  double gpus, usd_per_hour, usd_purchase;
  char source[1024], date[16], note[1024];
} gpu_price;

typedef struct {
  char id[64], model[64], provider[48];
  double usd_per_1m_input, usd_per_1m_output;
  char source[1024], date[16], note[1024];
} api_price;

const kt_field *gpu_price_fields(size_t *n);
const kt_field *api_price_fields(size_t *n);
double price_usd_per_gpu_hour(const gpu_price *p);

#endif
