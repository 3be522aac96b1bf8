/* fuzz_results.c: results files that are valid HDF5 but not what the reader assumes. At start a real
 * study (two sweep points, two replicates, an uncertain input, an API, both logs) is run and written;
 * each input is a short program of edits to a copy of that file, made in memory with HDF5's core
 * driver: a dataset replaced by one of another rank, extent (up to 2^40, sparse) or type, a root
 * attribute replaced by a scalar or an array of another class, an object deleted or made a group,
 * the scenario echo replaced. The edited image is read through studyfile_read_image.
 * (Raw bytes are not fuzzed: a mutated file soon breaks libhdf5's own parser, outside servesim.)
 * Invariant: every edited file is read or refused with a message; nothing read sizes a buffer
 * unchecked (the sanitizers watch). */
#include <hdf5_hl.h>
#include <unistd.h>

#define FUZZ_HAS_SETUP 1

#include "config/scenario.h"
#include "fuzz.h"
#include "io/studyfile.h"

static const char SCENARIO[] = "name: fuzz\nseed: 1\nreplicates: 2\nhorizon: {duration_s: 20, warmup_s: 2}\n"
                               "deployment: {gpu: h100, model: llama-3.1-8b}\n"
                               "workload: {arrival: {rate_per_s: 2}}\n"
                               "output: {requests: true, timeseries: true, capacity: false}\n"
                               "compare_api: [gpt-4o]\n"
                               "sweep: {deployment.engine: [vllm, sglang]}\n"
                               "uncertain: {efficiency.hbm: {dist: uniform, min: 0.7, max: 0.9}}\n";
enum { MAX_NAMES = 256, MAX_OPS = 8 };
static char *image;
static size_t image_len;
static char *objects[MAX_NAMES], *attrs[MAX_NAMES];
static size_t n_objects, n_attrs;

static herr_t add_object(hid_t o, const char *name, const H5O_info_t *info, void *data) {
  (void)o, (void)info, (void)data;
  if (strcmp(name, ".") && n_objects < MAX_NAMES) objects[n_objects++] = strdup(name);
  return 0;
}

static herr_t add_attr(hid_t o, const char *name, const H5A_info_t *info, void *data) {
  (void)o, (void)info, (void)data;
  if (n_attrs < MAX_NAMES) attrs[n_attrs++] = strdup(name);
  return 0;
}

/* Runs and writes the base study, keeps its bytes and the names of its objects and root attributes. */
static void make_base(void) {
  static study_spec spec;
  study st;
  ss_err err = {{0}};
  char dir[] = "/tmp/servesim_fuzz_XXXXXX", path[64];
  study_opts o = {.threads = 1};
  if (!mkdtemp(dir) || scenario_load_string("fuzz.yaml", SCENARIO, NULL, 0, &fuzz_db, &spec, &err) ||
      study_run(&spec, &fuzz_db, &o, &st, &err))
    fprintf(stderr, "fuzz_results: %s\n", err.msg), abort();
  snprintf(path, sizeof path, "%s/base.h5", dir);
  char *argv[] = {"fuzz"};
  if (studyfile_write(&st, path, 1, argv, NULL, 0, &err)) fprintf(stderr, "fuzz_results: %s\n", err.msg), abort();
  study_free(&st), scenario_free(&spec);
  FILE *f = fopen(path, "rb");
  if (!f || fseek(f, 0, SEEK_END) || (image_len = (size_t)ftell(f)) == 0 || fseek(f, 0, SEEK_SET)) abort();
  if (!(image = malloc(image_len)) || fread(image, 1, image_len, f) != image_len) abort();
  fclose(f), unlink(path), rmdir(dir);
}

/* The bytes of the program, read forwards; 0 when they run out. */
typedef struct {
  const uint8_t *p;
  size_t n;
} prog;
static unsigned next(prog *g) { return g->n ? (g->n--, *g->p++) : 0; }

static hid_t open_image(void) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_fapl_core(fapl, 1 << 16, 0);
  H5Pset_file_image(fapl, image, image_len);
  hid_t f = H5Fopen("fuzz.h5", H5F_ACC_RDWR, fapl);
  H5Pclose(fapl);
  return f;
}

static void collect_names(void) {
  hid_t f = open_image();
  if (f < 0) abort();
  H5Ovisit2(f, H5_INDEX_NAME, H5_ITER_INC, add_object, NULL, H5O_INFO_BASIC);
  hsize_t idx = 0;
  H5Aiterate2(f, H5_INDEX_NAME, H5_ITER_INC, &idx, add_attr, NULL);
  H5Fclose(f);
  static const char *const EXTRA[] = {"point_extra", "input_extra", "requests/extra", "api", "summary"};
  for (size_t i = 0; i < sizeof EXTRA / sizeof EXTRA[0] && n_objects < MAX_NAMES; i++)
    objects[n_objects++] = strdup(EXTRA[i]);
}

static void fuzz_setup(void) {
  make_base();
  collect_names();
  for (size_t i = 0; getenv("FUZZ_NAMES") && i < n_objects + n_attrs; i++) /* for writing seed programs */
    printf("%s %zu %s\n", i < n_objects ? "object" : "attribute", i < n_objects ? i : i - n_objects,
           i < n_objects ? objects[i] : attrs[i - n_objects]);
}

static void drop(hid_t f, const char *name) {
  if (H5Lexists(f, name, H5P_DEFAULT) > 0) H5Ldelete(f, name, H5P_DEFAULT);
}

/* A type: float64, int64, uint8, uint64, variable-length text, fixed-length text. */
static hid_t pick_type(unsigned k) {
  switch (k % 6) {
  case 0: return H5Tcopy(H5T_NATIVE_DOUBLE);
  case 1: return H5Tcopy(H5T_NATIVE_INT64);
  case 2: return H5Tcopy(H5T_NATIVE_UINT8);
  case 3: return H5Tcopy(H5T_NATIVE_UINT64);
  default: break;
  }
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, k % 6 == 4 ? H5T_VARIABLE : 8);
  return t;
}

/* Replaces dataset name by one of the program's rank (0-3), extents and type; small ones are written,
 * large ones are chunked and left sparse (they claim values they do not store). */
static void put_dataset(hid_t f, const char *name, prog *g) {
  static const hsize_t EXTENT[] = {0, 1, 2, 3, 4, 6, 12, 13, 100, 5000, 1 << 20, (hsize_t)1 << 33, (hsize_t)1 << 40};
  int rank = (int)(next(g) % 4);
  hsize_t dims[3], maxd[3], chunk[3], total = 1;
  for (int i = 0; i < rank; i++) {
    dims[i] = EXTENT[next(g) % (sizeof EXTENT / sizeof EXTENT[0])];
    maxd[i] = H5S_UNLIMITED, chunk[i] = 16;
    total = dims[i] && total > ((hsize_t)1 << 62) / dims[i] ? (hsize_t)1 << 62 : total * dims[i];
  }
  hid_t t = pick_type(next(g)), sp = rank ? H5Screate_simple(rank, dims, maxd) : H5Screate(H5S_SCALAR);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  if (rank) H5Pset_chunk(dcpl, rank, chunk);
  drop(f, name);
  hid_t d = H5Dcreate2(f, name, t, sp, H5P_LINK_CREATE_DEFAULT, dcpl, H5P_DEFAULT);
  if (d >= 0 && total <= 4096 && H5Tis_variable_str(t) <= 0) {
    size_t bytes = (size_t)total * H5Tget_size(t);
    unsigned char *buf = malloc(bytes ? bytes : 1);
    for (size_t i = 0; i < bytes; i++) buf[i] = (unsigned char)next(g);
    H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    free(buf);
  }
  if (d >= 0) H5Dclose(d);
  H5Pclose(dcpl), H5Sclose(sp), H5Tclose(t);
}

/* Replaces root attribute name by a scalar or an array (of up to 64) of the program's type. */
static void put_attr(hid_t f, const char *name, prog *g) {
  unsigned shape = next(g);
  hsize_t n = shape % 2 ? 1 + shape % 64 : 1;
  hid_t t = pick_type(next(g)), sp = shape % 2 ? H5Screate_simple(1, &n, NULL) : H5Screate(H5S_SCALAR);
  if (H5Aexists(f, name) > 0) H5Adelete(f, name);
  hid_t a = H5Acreate2(f, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
  if (a >= 0 && H5Tis_variable_str(t) > 0) {
    char text[300], *vals[64];
    size_t len = next(g);
    for (size_t i = 0; i < len; i++) text[i] = (char)(next(g) | 1); /* no NUL inside */
    text[len] = '\0';
    for (hsize_t i = 0; i < n; i++) vals[i] = text;
    H5Awrite(a, t, vals);
  } else if (a >= 0) {
    unsigned char buf[64 * 8];
    for (size_t i = 0; i < n * H5Tget_size(t); i++) buf[i] = (unsigned char)next(g);
    H5Awrite(a, t, buf);
  }
  if (a >= 0) H5Aclose(a);
  H5Sclose(sp), H5Tclose(t);
}

/* The scenario echo replaced by up to 255 bytes of the program. */
static void put_config(hid_t f, prog *g) {
  char text[256];
  size_t len = next(g);
  for (size_t i = 0; i < len; i++) text[i] = (char)(next(g) | 1);
  text[len] = '\0';
  const char *p = text;
  hid_t t = pick_type(4), sp = H5Screate(H5S_SCALAR);
  drop(f, "config_yaml");
  hid_t d = H5Dcreate2(f, "config_yaml", t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (d >= 0) H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &p), H5Dclose(d);
  H5Sclose(sp), H5Tclose(t);
}

static void apply(hid_t f, prog *g) {
  for (int k = 0; k < MAX_OPS && g->n; k++) {
    unsigned op = next(g) % 5;
    const char *obj = objects[next(g) % n_objects], *attr = attrs[next(g) % n_attrs];
    if (op == 0) put_dataset(f, obj, g);
    if (op == 1) put_attr(f, attr, g);
    if (op == 2) drop(f, obj);
    if (op == 3) put_config(f, g);
    if (op == 4) {
      drop(f, obj);
      hid_t grp = H5Gcreate2(f, obj, H5P_LINK_CREATE_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      if (grp >= 0) H5Gclose(grp);
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  prog g = {data, size};
  hid_t f = open_image();
  if (f < 0) abort();
  apply(f, &g);
  H5Fflush(f, H5F_SCOPE_GLOBAL);
  ssize_t n = H5Fget_file_image(f, NULL, 0);
  char *edited = n > 0 ? malloc((size_t)n) : NULL;
  if (!edited || H5Fget_file_image(f, edited, (size_t)n) != n) abort();
  H5Fclose(f);
  study st;
  ss_err err = {{0}};
  ss_status rc = studyfile_read_image("fuzz.h5", edited, (size_t)n, &st, &err);
  fuzz_check(rc, &err);
  if (getenv("FUZZ_VERBOSE")) fprintf(stderr, "fuzz_results: %s\n", rc ? err.msg : "read");
  if (!rc) {
    if (st.task_lo == 0 && st.task_hi == study_tasks(&st)) fuzz_check(study_summarise(&st, &err), &err);
    study_free(&st);
  }
  free(edited);
  return 0;
}
