/* keys.c: the scenario key table, one row per key in file order: name, type, default, bounds, whether
 * it may be swept or sampled, unit and help. Parsing, validation, --set, the echo, --help-scenario and
 * the units of the HDF5 output all read this one table (through config/scenario).
 * Invariant: at most SC_MAX_KEYS rows; every row's default lies within its bounds (test_scenario). */
#include "config/keys.h"

#include <math.h>

#include "config/fleetcfg.h"
#include "config/serving.h"

static const char *const TIERS[] = {"on_demand", "spot", "reserved", NULL}; /* price_tier, less purchase */
static const char *const MODEL_ERROR_NAMES[] = {"none", "cross_validated", NULL};
const char *const sc_plan_mode_names[] = {"replicas", "policy", NULL};

#define S   sc_point
#define SW  KT_SWEEP
#define SWS (KT_SWEEP | KT_SAMPLE)
#define LENGTH_ROWS(pfx, m, file, def_dist, def_value, def_median)                                                 \
  KT_ROW_ENUM(S, pfx ".dist", m.dist, def_dist, sim_len_dist_names, SW, "fixed, uniform, lognormal or empirical"), \
      KT_ROW_U32(S, pfx ".value", m.value, def_value, 1, 1e7, SW, "tokens, for dist: fixed"),                      \
      KT_ROW_U32(S, pfx ".min", m.min, 1, 1, 1e7, SW, "lower bound, for dist: uniform"),                           \
      KT_ROW_U32(S, pfx ".max", m.max, 0, 0, 1e7, SW, "upper bound (uniform) and cap (all); 0 = none"),            \
      KT_ROW_F64(S, pfx ".median", m.median, def_median, 1, 1e7, SWS, "median tokens, for dist: lognormal"),       \
      KT_ROW_F64(S, pfx ".sigma", m.sigma, 1.0, 0, 5, SWS, "log-space sd, for dist: lognormal"),                   \
      KT_ROW_STR(S, pfx ".file", file, "", 0,                                                                      \
                 "histogram CSV (tokens,weight), for dist: empirical; relative to the scenario file")

const kt_field keys_table[] = {
    KT_ROW_STR(S, "name", name, "unnamed", 0, "a short name for the study"),
    KT_ROW_U64(S, "seed", seed, 42, 0, "master seed (64 bits)"),
    KT_ROW_U32(S, "replicates", replicates, 1, 1, 1e6, 0, "Monte Carlo replicates per sweep point"),
    KT_ROW_ENUM(S, "study.design", uq.design, "lhs", sc_design_names, 0,
                "sampling of the uncertain inputs: random, lhs (Latin hypercube), sobol or halton (scrambled)"),
    KT_ROW_ENUM(S, "sensitivity.method", uq.method, "prcc", sc_sens_method_names, 0,
                "prcc (partial rank correlation), sobol (first-order and total indices) or morris (screening)"),
    KT_ROW_U32(S, "sensitivity.samples", uq.samples, 0, 0, 1e6, 0,
               "sobol: base samples N (N(k+2) replicates); morris: trajectories r (r(k+1)); prcc: unset"),
    KT_ROW_U32(S, "sensitivity.bootstrap", uq.bootstrap, 200, 0, 1e5, 0,
               "bootstrap resamples for the 95% CIs of sensitivity indices (0: no CIs)"),
    KT_ROW_F64U(S, "horizon.duration_s", sim.duration_s, 600, 1e-3, 1e8, SWS, "s", "simulated time per replicate, s"),
    KT_ROW_F64U(S, "horizon.warmup_s", sim.warmup_s, 60, 0, 1e8, SWS, "s", "initial time left out of the metrics, s"),
    KT_ROW_STR(S, "deployment.gpu", gpu, "", KT_REQUIRED | SW, "GPU id or alias (servesim list gpus)"),
    KT_ROW_U32(S, "deployment.tp", sim.dep.tp, 1, 1, 64, SW, "GPUs per replica (tensor parallel degree)"),
    KT_ROW_U32(S, "deployment.replicas", sim.dep.replicas, 1, 1, 1e5, SW, "replicas behind the router"),
    KT_ROW_STR(S, "deployment.model", model, "", KT_REQUIRED | SW, "model id or alias (servesim list models)"),
    KT_ROW_STR(S, "deployment.weights", weights, "fp16", SW, "weight format (servesim list quant)"),
    KT_ROW_STR(S, "deployment.kv_cache", kv_cache, "fp16", SW, "KV-cache format: fp16, bf16 or fp8"),
    KT_ROW_STR(S, "deployment.engine", engine, "vllm", SW, "engine profile (servesim list engines)"),
    KT_ROW_STR(S, "deployment.name", sim.name, "main", 0, "name of the deployment (multi-model fleets: deployments:)"),
    KT_ROW_ENUM(S, "deployment.scheduler.policy", sim.dep.policy, "continuous", engine_policy_names, SW,
                "batching policy (engine default)"),
    KT_ROW_U32(S, "deployment.scheduler.max_num_seqs", sim.dep.max_num_seqs, 256, 1, 1e6, SW,
               "max running sequences per replica (engine default)"),
    KT_ROW_U32(S, "deployment.scheduler.max_batched_tokens", sim.dep.max_batched_tokens, 8192, 1, 1e7, SW,
               "token budget per iteration (engine default)"),
    KT_ROW_BOOL(S, "deployment.scheduler.chunked_prefill", sim.dep.chunked_prefill, 1, SW,
                "split long prompts across iterations (engine default)"),
    KT_ROW_BOOL(S, "deployment.scheduler.reserve_full_kv", sim.dep.reserve_full_kv, 0, SW,
                "admit only with KV reserved for input + output, never preempt (engine default)"),
    KT_ROW_U32(S, "deployment.scheduler.num_scheduler_steps", sim.dep.num_scheduler_steps, 1, 1, 64, SW,
               "decode steps per scheduling call (vLLM --num-scheduler-steps); arrivals wait for the window (engine "
               "default)"),
    KT_ROW_U32(S, "deployment.scheduler.cuda_graph_max_batch", sim.dep.cuda_graph_max_batch, 1000000, 0, 1e6, SW,
               "largest step, in tokens (a decode batch: its size), replayed from a CUDA graph (SGLang "
               "--cuda-graph-max-bs, vLLM's largest capture size, TensorRT-LLM cuda_graph_config.max_batch_size); "
               "larger steps, and prefill steps where the engine graphs none, launch their kernels one by one; 0 = "
               "no graphs (--enforce-eager) (engine default)"),
    KT_ROW_F64(S, "deployment.scheduler.waiting_served_ratio", sim.dep.waiting_served_ratio, 0, 0, 100, SW,
               "TGI: waiting requests join a running batch once ratio x its size are admissible, 0 = always (engine "
               "default)"),
    KT_ROW_U32(S, "deployment.scheduler.max_waiting_tokens", sim.dep.max_waiting_tokens, 20, 0, 1e6, SW,
               "TGI: ... or once this many decode steps ran without a join (engine default)"),
    KT_ROW_F64(S, "deployment.scheduler.gpu_memory_utilization", sim.dep.gpu_memory_utilization, 0.9, 0.05, 1, SWS,
               "fraction of GPU memory the engine may use (engine default)"),
    KT_ROW_U32(S, "deployment.scheduler.block_size", sim.dep.block_size, 16, 1, 4096, SW,
               "KV block size, tokens (engine default)"),
    KT_ROW_U32(S, "deployment.scheduler.kv_cache_tokens", sim.dep.kv_cache_tokens, 0, 0, 1e9, SW,
               "KV cache capacity per replica in tokens, as the engine was told (vLLM --num-gpu-blocks-override x "
               "block size, SGLang --max-total-tokens, TensorRT-LLM kv_cache_config.max_tokens, TurboMind "
               "cache_max_entry_count >= 1 x cache_block_seq_len), rounded down to whole blocks; refused if the "
               "memory beside weights, activations and runtime cannot hold it; 0 = from gpu_memory_utilization"),
    KT_ROW_U32(S, "deployment.scheduler.parallel_slots", sim.dep.parallel_slots, 1, 1, 4096, SW,
               "parallel slots of the single policy (engine default)"),
    KT_ROW_U32(S, "deployment.scheduler.static_batch", sim.dep.static_batch, 8, 1, 1e5, SW,
               "batch size of the static policy"),
    SERVING_DEPLOYMENT_ROWS,
    KT_ROW_ENUM(S, "router", sim.dep.router, "least_outstanding", sim_router_names, SW, "how requests pick a replica"),
    SERVING_ROUTER_ROWS,
    KT_ROW_ENUM(S, "workload.arrival.process", sim.wl.process, "poisson", sim_arrival_names, SW, "arrival process"),
    KT_ROW_F64U(S, "workload.arrival.rate_per_s", sim.wl.rate_per_s, 1, 1e-9, 1e7, SWS, "1/s",
                "mean arrival rate, requests/s (poisson, gamma, diurnal peak scale)"),
    KT_ROW_F64(S, "workload.arrival.cv", sim.wl.cv, 1, 0.01, 100, SWS, "coefficient of variation of gaps (gamma)"),
    KT_ROW_F64LIST(S, "workload.arrival.profile", sim.wl.profile, sim.wl.n_profile, 0, 1e3, 0,
                   "24 hourly rate multipliers (diurnal)"),
    KT_ROW_U32(S, "workload.arrival.users", sim.wl.users, 16, 1, 1e7, SW, "concurrent users (closed)"),
    KT_ROW_F64U(S, "workload.arrival.think_s", sim.wl.think_s, 0, 0, 1e6, SWS, "s", "think time, s (closed)"),
    KT_ROW_F64U(S, "workload.arrival.client_s", sim.wl.client_s, 0, 0, 1e6, SWS, "s",
                "closed: seconds a benchmark client that prepares requests one at a time spends on each before "
                "sending it (launches at least this far apart; 0 = a client that never delays a user)"),
    KT_ROW_BOOL(
        S, "workload.arrival.rounds", sim.wl.rounds, 0, SW,
        "closed: the client sends the users' requests in rounds, the next round once every request of the "
        "last has finished (llmperf before its PR #59); false: each user sends again as soon as it is answered"),
    KT_ROW_U32(S, "workload.arrival.n", sim.wl.n, 1000, 1, 1e9, SW, "requests at t=0 (offline)"),
    KT_ROW_U32(S, "workload.arrival.requests", sim.wl.requests, 0, 0, 1e9, SW,
               "closed, poisson, gamma, diurnal: the client stops after this many requests and the run ends when "
               "they finish (a benchmark's request count); 0 = arrivals until the horizon"),
    KT_ROW_STR(S, "workload.arrival.file", trace_file, "", 0,
               "trace CSV: arrival_s,input_tokens,output_tokens; relative to the scenario file"),
    KT_ROW_F64(S, "workload.arrival.time_scale", sim.wl.time_scale, 1, 1e-6, 1e6, SWS,
               "trace time multiplier (0.5 = twice as fast)"),
    KT_ROW_ENUM(S, "workload.arrival.resample", sim.wl.resample, "none", sim_resample_names, SW,
                "trace: none replays it as is (every replicate the same), bootstrap draws each replicate's requests "
                "from its rows with replacement (gaps and lengths together)"),
    LENGTH_ROWS("workload.input_tokens", sim.wl.input, input_file, "lognormal", 512, 512),
    LENGTH_ROWS("workload.output_tokens", sim.wl.output, output_file, "lognormal", 256, 256),
    KT_ROW_F64(S, "workload.correlation", sim.wl.correlation, 0, -0.99, 0.99, SWS,
               "correlation of log input and log output lengths"),
    SERVING_WORKLOAD_ROWS,
    KT_ROW_F64U(S, "slo.ttft_p99_s", sim.slo_ttft_s, 2.0, 1e-6, 1e6, SWS, "s", "time-to-first-token objective, s"),
    KT_ROW_F64U(S, "slo.tpot_p99_s", sim.slo_tpot_s, 0.1, 1e-6, 1e6, SWS, "s", "time-per-output-token objective, s"),
    KT_ROW_F64(S, "plan.confidence", plan.confidence, 0.95, 0.5, 1, 0,
               "plan: fraction of replicates that must meet both SLOs"),
    KT_ROW_U32(S, "plan.max_replicas", plan.max_replicas, 64, 1, 1e5, 0, "plan: largest replica count searched"),
    KT_ROW_F64(S, "plan.rate_rel_tol", plan.rate_rel_tol, 0.02, 1e-4, 0.5, 0,
               "plan: the rate bisection stops when its bracket is this fraction of the rate"),
    KT_ROW_ENUM(S, "plan.mode", plan.mode, "replicas", sc_plan_mode_names, 0,
                "plan: replicas (fewest replicas per candidate) or policy (the cheapest fleet policy of the sweep "
                "meeting the SLO; docs/plan.md)"),
    KT_ROW_F64(S, "plan.windows_met_frac", plan.windows_met_frac, 0, 0, 1, 0,
               "plan policy: a replicate passes only when this share of its hour-by-hour windows met the SLO too"),
    KT_ROW_ENUM(S, "pricing.tier", cost.tier, "on_demand", TIERS, SW, "GPU price tier from hwdb/prices"),
    KT_ROW_F64U(S, "pricing.usd_per_gpu_hour", cost.usd_per_gpu_hour, NAN, 0, 1e4, SWS | KT_UNSET_OK, "USD/h",
                "explicit USD per GPU-hour (overrides the tier)"),
    KT_ROW_STR(S, "pricing.provider", provider, "", SW,
               "provider or price-row id to price with (default: the median row of the tier)"),
    KT_ROW_STR(S, "pricing.price_gpu", price_gpu, "", 0,
               "the GPU pricing.usd_per_gpu_hour (explicit or uncertain) is a price for: a GPU id, or any (default: "
               "the deployment.gpu written next to the price)"),
    KT_ROW_BOOL(S, "pricing.onprem", cost.onprem, 0, SW, "GPUs are bought: capex amortised plus power, not rented"),
    KT_ROW_F64U(S, "pricing.capex_usd_per_gpu", cost.capex_usd_per_gpu, NAN, 0, 1e7, SWS | KT_UNSET_OK, "USD",
                "on-prem purchase price per GPU incl. its share of the server, USD (default: hwdb purchase row)"),
    KT_ROW_F64(S, "pricing.life_years", cost.life_years, 3, 0.1, 20, SWS,
               "on-prem straight-line amortisation life, years"),
    KT_ROW_F64(S, "pricing.usd_per_kwh", cost.usd_per_kwh, 0.15, 0, 10, SWS, "on-prem electricity price, USD/kWh"),
    KT_ROW_F64(S, "pricing.ops_overhead_frac", cost.ops_overhead_frac, 0, 0, 10, SWS,
               "operations overhead on GPU and power cost (0.3 = +30%)"),
    KT_ROW_F64(S, "pricing.ops_usd_per_month", cost.ops_usd_per_month, 0, 0, 1e9, SWS,
               "fixed operations cost (staff, monitoring), USD/month"),
    KT_ROW_BOOL(S, "pricing.redundancy_n_plus_1", cost.redundancy_n_plus_1, 0, SW,
                "bill one idle standby replica (N+1) in the TCO"),
    FLEETCFG_PRICING_ROWS(S, SWS),
    KT_ROW_F64(S, "energy.pue", cost.pue, 1, 1, 3, SWS, "facility power over IT power (1 = GPU power only)"),
    KT_ROW_F64(S, "energy.gpu_power_scale", sim.dep.power_scale, 1, 0.1, 3, SWS,
               "multiplier on the modelled GPU board power (idle floor and per-step draw; docs/cost.md)"),
    KT_ROW_F64(S, "energy.host_w_per_gpu", cost.host_w_per_gpu, 0, 0, 1e4, SWS,
               "host power (CPU, fans, network) per GPU, W, drawn always"),
    KT_ROW_F64(S, "energy.grid_kg_co2_per_kwh", cost.grid_kg_co2_per_kwh, 0.48, 0, 2, SWS,
               "grid carbon intensity, kg CO2/kWh (0.48: world mean 2023, Ember)"),
    KT_ROW_STRLIST(S, "compare_api", compare_api, n_compare_api, 0, "API price rows to compare with"),
    KT_ROW_F64(S, "efficiency.hbm", sim.dep.eff_hbm, NAN, 0.05, 1, SWS | KT_UNSET_OK,
               "achieved fraction of memory bandwidth (default: calibrated)"),
    KT_ROW_F64(S, "efficiency.compute", sim.dep.eff_compute, NAN, 0.01, 1, SWS | KT_UNSET_OK,
               "achieved fraction of dense peak (default: calibrated)"),
    KT_ROW_F64(S, "efficiency.step_time_scale", sim.dep.step_time_scale, 1, 0.05, 20, SWS,
               "multiplier on every modelled step time: the model's own error (model_error: cross_validated samples "
               "it; docs/perf.md)"),
    KT_ROW_ENUM(S, "model_error", model_error, "none", MODEL_ERROR_NAMES, 0,
                "cross_validated: efficiency.step_time_scale becomes an uncertain input, lognormal with the 80% band "
                "of the model's cross-validated throughput error (hwdb/model_error.yaml), so answers include model "
                "error"),
    KT_ROW_F64U(S, "overhead.step_s", sim.dep.overhead_step_s, NAN, 0, 10, SWS | KT_UNSET_OK, "s",
                "per-iteration engine overhead, s (default: engine profile)"),
    KT_ROW_F64U(S, "overhead.token_s", sim.dep.overhead_token_s, NAN, 0, 1, SWS | KT_UNSET_OK, "s",
                "CPU time per sampled token (sampling, detokenising), s (default: engine profile; 0 for a harness that "
                "does not sample, such as llama-bench)"),
    KT_ROW_BOOL(S, "output.requests", sim.log_requests, 0, 0, "write the per-request log to HDF5"),
    KT_ROW_BOOL(S, "output.timeseries", sim.log_timeseries, 0, 0, "write queue/KV time series to HDF5"),
    KT_ROW_BOOL(S, "output.capacity", capacity, 1, 0,
                "search each replicate's capacity at the SLO (for utilisation and break-even; poisson, gamma and "
                "diurnal arrivals); false saves the rate searches"),
    FLEETCFG_OUTPUT_ROWS(S),
    KT_ROW_U32(S, "limits.max_tasks", limits.max_tasks, 100000, 1, 4e9, 0,
               "refuse a study of more tasks (sweep points x replicates); raise it (or --max-tasks N) to run one"),
    KT_ROW_F64(S, "limits.max_log_rows", sim.log_max_rows, 1e7, 1, 1e12, 0,
               "refuse a per-request log (output.requests) of more rows, estimated before running and enforced "
               "while running (about 90 bytes of HDF5 and 50 of memory per row); raise it to write a bigger one"),
    FLEETCFG_ROWS(S, SW, SWS),
    FLEETCFG_MODELS_ROWS(S, SW, SWS),
};
const size_t keys_count = sizeof keys_table / sizeof keys_table[0];
_Static_assert(sizeof keys_table / sizeof keys_table[0] <= SC_MAX_KEYS, "raise SC_MAX_KEYS");
