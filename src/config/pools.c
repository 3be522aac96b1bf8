/* pools.c: the further deployments of pools.h: parsing (nested mappings flattened to dotted keys, each
 * checked against the key table and the groups a deployment may set), resolution (the point with the
 * deployment's keys applied, resolved like the main one) and the routing checks. */
#include "config/pools.h"
#include "config/resolve.h"

#include <stdlib.h>
#include <string.h>

/* The groups of keys a further deployment may set. */
static bool pool_key(const char *key) {
  static const char *const GROUPS[] = {"deployment.", "slo.",       "fleet.", "pricing.", "efficiency.",
                                       "overhead.",   "energy.gpu", "router", NULL};
  for (const char *const *g = GROUPS; *g; g++)
    if (!strncmp(key, *g, strlen(*g))) return strcmp(key, "deployment.name") != 0;
  return false;
}

/* A node as YAML flow text: a scalar as written, a list as [a, b, ...]. */
static bool node_text(const yc_node *v, char *buf, size_t len) {
  if (v->kind == YC_SCALAR) return (size_t)snprintf(buf, len, "%s", v->text) < len;
  if (v->kind != YC_SEQ) return false;
  size_t used = (size_t)snprintf(buf, len, "[");
  for (size_t i = 0; i < v->n && used < len; i++) {
    if (v->items[i].kind != YC_SCALAR) return false;
    used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", v->items[i].text);
  }
  if (used < len) used += (size_t)snprintf(buf + used, len - used, "]");
  return used < len;
}

/* One key = value of deployment p, checked by setting it on a scratch point. */
static ss_status add_key(sc_pool_spec *p, const char *key, const yc_node *v, const char *file, sc_point *scratch,
                         ss_err *err) {
  size_t nf;
  const kt_field *f = scenario_fields(&nf);
  long k = scenario_key_index(key);
  char where[600];
  snprintf(where, sizeof where, "%s:%u: deployments: '%s'", file, v->line, p->name);
  if (k < 0 || !pool_key(key))
    return ss_errorf(err, SS_EDATA,
                     "%s: key '%s' %s; allowed: the scenario keys under deployment, slo, fleet (not output), "
                     "pricing, efficiency, overhead, energy.gpu_power_scale and router",
                     where, key, k < 0 ? "is not a scenario key" : "cannot differ between deployments");
  for (size_t i = 0; i < p->n; i++)
    if (p->key[i] == k)
      return ss_errorf(err, SS_EDATA, "%s: key '%s' appears twice; allowed: each key once", where, key);
  if (p->n == SC_MAX_POOL_KEYS)
    return ss_errorf(err, SS_EDATA, "%s: more than %d keys; allowed: at most %d", where, SC_MAX_POOL_KEYS,
                     SC_MAX_POOL_KEYS);
  if (!node_text(v, p->value[p->n], sizeof p->value[0]))
    return ss_errorf(err, SS_EDATA, "%s: key '%s': a value of at most %d characters, a number, a name or a list", where,
                     key, SC_POOL_VALUE_LEN - 1);
  ss_status rc = kt_set(&f[k], v, where, scratch, err);
  if (rc) return rc;
  p->key[p->n] = k, p->key_line[p->n] = v->line;
  p->n++;
  return SS_OK;
}

/* Walks a mapping, keys joined with dots. */
static ss_status walk(sc_pool_spec *p, const yc_node *map, const char *prefix, const char *file, sc_point *scratch,
                      ss_err *err) {
  for (size_t i = 0; i < map->n; i++) {
    char key[160];
    snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", map->keys[i]);
    const yc_node *v = &map->items[i];
    ss_status rc;
    if (!*prefix && !strcmp(map->keys[i], "name")) {
      if (v->kind != YC_SCALAR || strlen(v->text) >= sizeof p->name)
        return ss_errorf(err, SS_EDATA, "%s:%u: deployments: key 'name': a name of at most %zu characters", file,
                         v->line, sizeof p->name - 1);
      snprintf(p->name, sizeof p->name, "%s", v->text);
      continue;
    }
    rc = v->kind == YC_MAP ? walk(p, v, key, file, scratch, err) : add_key(p, key, v, file, scratch, err);
    if (rc) return rc;
  }
  return SS_OK;
}

ss_status pools_parse(study_spec *spec, const yc_node *list, const char *file, ss_err *err) {
  if (list->kind != YC_SEQ)
    return ss_errorf(err, SS_EDATA, "%s:%u: key 'deployments' must be a list of mappings, one per deployment", file,
                     list->line);
  if (list->n > SIM_MAX_POOLS - 1)
    return ss_errorf(err, SS_EDATA, "%s:%u: key 'deployments' lists %zu; allowed: at most %d besides the main one",
                     file, list->line, list->n, SIM_MAX_POOLS - 1);
  sc_point *scratch = malloc(sizeof *scratch);
  if (!scratch) return ss_errorf(err, SS_ENOMEM, "out of memory");
  ss_status rc = SS_OK;
  for (size_t i = 0; i < list->n && !rc; i++) {
    const yc_node *m = &list->items[i];
    sc_pool_spec *p = &spec->pools[i];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "deployment%zu", i + 1);
    p->line = m->line;
    *scratch = spec->base;
    if (m->kind != YC_MAP)
      rc = ss_errorf(err, SS_EDATA, "%s:%u: deployments: item %zu must be a mapping of scenario keys", file, m->line,
                     i + 1);
    else
      rc = walk(p, m, "", file, scratch, err);
  }
  spec->n_pools = rc ? 0 : list->n;
  free(scratch);
  return rc;
}

/* Applies deployment p's keys to q. */
static ss_status apply(const study_spec *spec, const sc_pool_spec *p, sc_point *q, ss_err *err) {
  size_t nf;
  const kt_field *f = scenario_fields(&nf);
  for (size_t i = 0; i < p->n; i++) {
    yc_doc doc;
    char where[600];
    snprintf(where, sizeof where, "%s:%u: deployments: '%s'", spec->file, p->key_line[i], p->name);
    ss_status rc = yc_load_string(where, p->value[i], &doc, err);
    if (!rc) rc = kt_set(&f[p->key[i]], doc.root, where, q, err), yc_free(&doc);
    if (rc) return rc;
    scenario_mark_given(q, p->key[i]);
  }
  return SS_OK;
}

/* Routing keys against the deployments (pools.h). */
ss_status pools_check_routing(const study_spec *spec, const sc_point *pt, ss_err *err) {
  const sim_routing *r = &pt->sim.route;
  int proc = pt->sim.wl.process;
  char detail[160];
  if (sim_multimodel(&pt->sim) && (proc == ARR_CLOSED || proc == ARR_OFFLINE))
    return scenario_key_err(spec, pt, "workload.arrival.process", err, "cannot feed several deployments or a cache",
                            "; allowed: poisson, gamma, diurnal or trace with deployments: or models.cache_hit_frac");
  if (r->mode == MR_CLASS && pt->sim.n_pools && r->n_class_tokens != pt->sim.n_pools) {
    snprintf(detail, sizeof detail,
             " (%zu for %u further deployments); allowed: one prompt length per further deployment", r->n_class_tokens,
             pt->sim.n_pools);
    return scenario_key_err(spec, pt, "models.class_input_tokens", err, "does not split the deployments", detail);
  }
  for (size_t i = 1; i < r->n_class_tokens; i++)
    if (r->class_tokens[i] <= r->class_tokens[i - 1])
      return scenario_key_err(spec, pt, "models.class_input_tokens", err, "is not increasing",
                              "; allowed: increasing prompt lengths, one per further deployment");
  if (r->escalate_frac > 0 && (r->mode != MR_CASCADE || !pt->sim.n_pools))
    return scenario_key_err(spec, pt, "models.escalate_frac", err, "has nowhere to escalate",
                            "; allowed: models.routing: cascade with deployments: listing the next ones");
  return SS_OK;
}

ss_status pools_resolve(const study_spec *spec, sc_point *pt, const sc_point *given, const hwdb *db, ss_err *err) {
  pt->sim.n_pools = 0;
  sc_point *q = malloc(sizeof *q);
  ss_status rc = q ? SS_OK : ss_errorf(err, SS_ENOMEM, "out of memory");
  for (size_t i = 0; spec && !rc && i < spec->n_pools; i++) {
    const sc_pool_spec *p = &spec->pools[i];
    *q = *given;
    q->is_pool = true;
    if ((rc = apply(spec, p, q, err)) || (rc = resolve_point(spec, q, db, err))) {
      ss_err_prefix(err, "%s:%u: deployment '%s': ", spec->file, p->line, p->name);
      break;
    }
    sim_pool *sp = &pt->sim.pools[i];
    *sp = (sim_pool){q->sim.dep, q->sim.fleet, q->sim.slo_ttft_s, q->sim.slo_tpot_s, ""};
    snprintf(sp->name, sizeof sp->name, "%s", p->name);
    snprintf(pt->pool_cost[i].gpu, sizeof pt->pool_cost[i].gpu, "%s", q->gpu);
    snprintf(pt->pool_cost[i].provider, sizeof pt->pool_cost[i].provider, "%s", q->provider);
    pt->pool_cost[i].cost = q->cost;
    pt->sim.n_pools = (uint32_t)i + 1;
  }
  free(q);
  return rc;
}

void pools_echo(FILE *out, const study_spec *spec) {
  size_t nf;
  const kt_field *f = scenario_fields(&nf);
  if (spec->n_pools) fprintf(out, "deployments:\n");
  for (size_t i = 0; i < spec->n_pools; i++) {
    const sc_pool_spec *p = &spec->pools[i];
    fprintf(out, "  - name: %s\n", p->name);
    for (size_t k = 0; k < p->n; k++) fprintf(out, "    %s: %s\n", f[p->key[k]].key, p->value[k]);
  }
}
