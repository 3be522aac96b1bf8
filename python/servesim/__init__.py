"""servesim: the Python binding of libservesim's C API (<servesim/servesim.h>), through ctypes.

A thin layer: every number comes from the C library. Studies come back as xarray Datasets read from the
HDF5 file the library writes (the schema of docs/study.md), so Python sees exactly what `servesim run`
writes. Standard library, plus xarray and h5netcdf (Debian python3-xarray, python3-h5netcdf) for run().

    import servesim
    ds = servesim.run("scenarios/default.yaml", sets=["replicates=4"])  # an xarray.Dataset
    ds["output_tok_s"]                        # per replicate: dims (point, replicate)
    ds["summary_output_tok_s"].sel(stat="mean")  # the /summary group: dims (point, stat)

    db = servesim.Hwdb()                      # $SERVESIM_HWDB, else the installed hwdb
    sc = servesim.Scenario(db, yaml=text)     # or Scenario(db, path=...), with sets=[...]
    sc.set("deployment.tp=2")                 # reloads and rechecks; ServesimError when refused
    st = sc.run(threads=2)                    # a Study in memory
    st.summary(0, "ttft_p99_s")["mean"], st.value(0, 1, "output_tok_s"), st.write("out.h5")

The library is $SERVESIM_LIBRARY, else the one installed beside this package, else libservesim.so.1 on
the loader's path. Errors are ServesimError with the library's status (sysexits) and message.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import tempfile
from typing import Iterable, Optional, Sequence

API_VERSION = 1  # SERVESIM_API_VERSION of <servesim/servesim.h>: the SONAME major this binding speaks
ERROR_LEN = 1536
STATS = ("mean", "sd", "ci95_lo", "ci95_hi", "p05", "p50", "p95")


class ServesimError(Exception):
    """A failing C API call: status is its sysexits code (64 usage, 65 bad data, ...)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class _Error(ctypes.Structure):
    _fields_ = [("status", ctypes.c_int), ("message", ctypes.c_char * ERROR_LEN)]


class _RunOptions(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t), ("threads", ctypes.c_int), ("shard_index", ctypes.c_uint64),
                ("shard_count", ctypes.c_uint64), ("progress", ctypes.c_int),
                ("precision", ctypes.c_void_p), ("n_precision", ctypes.c_size_t), ("max_replicates", ctypes.c_size_t)]


class _Summary(ctypes.Structure):
    _fields_ = [(name, ctypes.c_double) for name in STATS] + [("n", ctypes.c_size_t)]


def _library_path() -> str:
    env = os.environ.get("SERVESIM_LIBRARY")
    if env:
        return env
    try:
        from . import _install  # written at install time: the library relative to this package
        path = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), _install.LIBRARY))
        if os.path.exists(path):
            return path
    except ImportError:
        pass
    found = ctypes.util.find_library("servesim")
    if found:
        return found
    raise ServesimError(66, "libservesim not found: set SERVESIM_LIBRARY to libservesim.so.1 (build/ in a "
                            "checkout) or install servesim (cmake --install)")


_P, _S, _I, _D, _Z = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_double, ctypes.c_size_t
_E = ctypes.POINTER(_Error)
_SIGNATURES = {  # name: (result, argument types), as declared in <servesim/servesim.h>
    "servesim_version": (_S, []),
    "servesim_api_version": (_I, []),
    "servesim_hwdb_load": (_I, [_S, ctypes.POINTER(_P), _E]),
    "servesim_hwdb_dir": (_S, [_P]),
    "servesim_hwdb_sha256": (_S, [_P]),
    "servesim_hwdb_count": (_Z, [_P, _S]),
    "servesim_hwdb_id": (_S, [_P, _S, _Z]),
    "servesim_hwdb_free": (None, [_P]),
    "servesim_scenario_load": (_I, [_P, _S, ctypes.POINTER(_S), _Z, ctypes.POINTER(_P), _E]),
    "servesim_scenario_load_string": (_I, [_P, _S, _S, ctypes.POINTER(_S), _Z, ctypes.POINTER(_P), _E]),
    "servesim_scenario_set": (_I, [_P, _S, _E]),
    "servesim_scenario_name": (_S, [_P]),
    "servesim_scenario_points": (_Z, [_P]),
    "servesim_scenario_notes": (_S, [_P]),
    "servesim_scenario_free": (None, [_P]),
    "servesim_study_run": (_I, [_P, ctypes.POINTER(_RunOptions), ctypes.POINTER(_P), _E]),
    "servesim_study_write": (_I, [_P, _S, _I, ctypes.POINTER(_S), _E]),
    "servesim_study_points": (_Z, [_P]),
    "servesim_study_replicates": (_Z, [_P]),
    "servesim_study_axes": (_Z, [_P]),
    "servesim_study_axis_key": (_S, [_P, _Z]),
    "servesim_study_axis_value": (_D, [_P, _Z, _Z]),
    "servesim_study_axis_text": (_S, [_P, _Z, _Z]),
    "servesim_study_summary": (_I, [_P, _Z, _S, ctypes.POINTER(_Summary), _E]),
    "servesim_study_value": (_D, [_P, _Z, _Z, _S]),
    "servesim_study_free": (None, [_P]),
    "servesim_metric_count": (_Z, []),
    "servesim_metric_name": (_S, [_Z]),
}
_lib = None


def lib() -> ctypes.CDLL:
    """The loaded library, its functions typed, its API version checked."""
    global _lib
    if _lib is None:
        handle = ctypes.CDLL(_library_path())
        for name, (res, args) in _SIGNATURES.items():
            fn = getattr(handle, name)
            fn.restype, fn.argtypes = res, args
        if handle.servesim_api_version() != API_VERSION:
            raise ServesimError(70, f"libservesim speaks API {handle.servesim_api_version()}, this binding "
                                    f"{API_VERSION}")
        _lib = handle
    return _lib


def _check(rc: int, err: _Error) -> None:
    if rc:
        raise ServesimError(err.status, err.message.decode("utf-8", "replace"))


def _text(b: Optional[bytes]) -> Optional[str]:
    return None if b is None else b.decode("utf-8")


def version() -> str:
    return _text(lib().servesim_version())


def metrics() -> list[str]:
    """Every per-replicate metric name (RESULT_METRICS of the C library)."""
    return [_text(lib().servesim_metric_name(i)) for i in range(lib().servesim_metric_count())]


class Hwdb:
    """A loaded hwdb directory (None: $SERVESIM_HWDB, else the installed one)."""

    def __init__(self, directory: Optional[str] = None):
        err, h = _Error(), ctypes.c_void_p()
        _check(lib().servesim_hwdb_load(directory.encode() if directory else None, ctypes.byref(h), err), err)
        self._h = h

    @property
    def dir(self) -> str:
        return _text(lib().servesim_hwdb_dir(self._h))

    @property
    def sha256(self) -> str:
        return _text(lib().servesim_hwdb_sha256(self._h))

    def ids(self, category: str) -> list[str]:
        """Entry ids of "gpus", "models", "quant" or "engines"."""
        n = lib().servesim_hwdb_count(self._h, category.encode())
        return [_text(lib().servesim_hwdb_id(self._h, category.encode(), i)) for i in range(n)]

    def __del__(self):
        if getattr(self, "_h", None) and _lib is not None:
            _lib.servesim_hwdb_free(self._h)
            self._h = None


def _sets(sets: Iterable[str]):
    items = [s.encode() for s in sets]
    return (ctypes.c_char_p * max(1, len(items)))(*items), len(items)


class Scenario:
    """A scenario loaded from a file (path) or YAML text (yaml), with --set style overrides."""

    def __init__(self, db: Hwdb, path: Optional[str] = None, yaml: Optional[str] = None,
                 sets: Sequence[str] = (), name: str = "(python)"):
        if (path is None) == (yaml is None):
            raise ServesimError(64, "Scenario: give exactly one of path= and yaml=")
        self._db, err, h = db, _Error(), ctypes.c_void_p()  # the hwdb must outlive the scenario
        arr, n = _sets(sets)
        if path is not None:
            rc = lib().servesim_scenario_load(db._h, path.encode(), arr, n, ctypes.byref(h), err)
        else:
            rc = lib().servesim_scenario_load_string(db._h, name.encode(), yaml.encode(), arr, n, ctypes.byref(h), err)
        _check(rc, err)
        self._h = h

    def set(self, assignment: str) -> None:
        """One more override, "key=value"; the scenario is unchanged when it is refused."""
        err = _Error()
        _check(lib().servesim_scenario_set(self._h, assignment.encode(), err), err)

    @property
    def name(self) -> str:
        return _text(lib().servesim_scenario_name(self._h))

    @property
    def points(self) -> int:
        return lib().servesim_scenario_points(self._h)

    @property
    def notes(self) -> list[str]:
        return [n for n in _text(lib().servesim_scenario_notes(self._h)).split("\n") if n]

    def run(self, threads: int = 0, shard: Optional[tuple[int, int]] = None) -> "Study":
        opts = _RunOptions(ctypes.sizeof(_RunOptions), threads, shard[0] if shard else 0, shard[1] if shard else 0, 0)
        err, h = _Error(), ctypes.c_void_p()
        _check(lib().servesim_study_run(self._h, ctypes.byref(opts), ctypes.byref(h), err), err)
        return Study(h, self)

    def __del__(self):
        if getattr(self, "_h", None) and _lib is not None:
            _lib.servesim_scenario_free(self._h)
            self._h = None


class Study:
    """A study's results in the C library's memory: summaries, replicate values, write()."""

    def __init__(self, handle: ctypes.c_void_p, scenario: Scenario):
        self._h, self._scenario = handle, scenario

    @property
    def points(self) -> int:
        return lib().servesim_study_points(self._h)

    @property
    def replicates(self) -> int:
        return lib().servesim_study_replicates(self._h)

    def axes(self) -> dict[str, list]:
        """Sweep axis key -> its value at every point (numbers or text)."""
        out = {}
        for a in range(lib().servesim_study_axes(self._h)):
            key = _text(lib().servesim_study_axis_key(self._h, a))
            text = [_text(lib().servesim_study_axis_text(self._h, a, p)) for p in range(self.points)]
            out[key] = text if text and text[0] is not None else [
                lib().servesim_study_axis_value(self._h, a, p) for p in range(self.points)]
        return out

    def summary(self, point: int, metric: str) -> dict[str, float]:
        """mean, sd, ci95_lo, ci95_hi, p05, p50, p95 and n of a metric at a point."""
        err, s = _Error(), _Summary()
        _check(lib().servesim_study_summary(self._h, point, metric.encode(), ctypes.byref(s), err), err)
        return {**{k: getattr(s, k) for k in STATS}, "n": s.n}

    def value(self, point: int, replicate: int, metric: str) -> float:
        return lib().servesim_study_value(self._h, point, replicate, metric.encode())

    def write(self, path: str) -> None:
        """The study as HDF5, atomically (what `servesim run -o` writes)."""
        err = _Error()
        argv = (ctypes.c_char_p * 1)(b"servesim.py")
        _check(lib().servesim_study_write(self._h, path.encode(), 1, argv, err), err)

    def dataset(self):
        """The study as an xarray.Dataset: root variables per replicate, /summary as summary_<name>."""
        with tempfile.TemporaryDirectory(prefix="servesim-") as d:
            path = os.path.join(d, "study.h5")
            self.write(path)
            return open_dataset(path)

    def __del__(self):
        if getattr(self, "_h", None) and _lib is not None:
            _lib.servesim_study_free(self._h)
            self._h = None


def open_dataset(path: str):
    """A study file as one in-memory xarray.Dataset: the root group (dims point, replicate, ...) and the
    /summary group's variables renamed summary_<name> (dims point, stat, ...)."""
    import xarray as xr
    with xr.open_dataset(path, engine="h5netcdf") as root:
        ds = root.load()
    try:
        with xr.open_dataset(path, engine="h5netcdf", group="summary") as summ:
            s = summ.load()
    except OSError:  # a shard of a study has no /summary
        return ds
    return ds.assign({f"summary_{k}": v for k, v in s.data_vars.items()})


def run(scenario: Optional[str] = None, yaml: Optional[str] = None, sets: Sequence[str] = (),
        hwdb: Optional[str] = None, threads: int = 0, output: Optional[str] = None):
    """Runs a scenario (a file path, or YAML text as yaml=) with overrides and returns the study as an
    xarray.Dataset; output= also keeps the HDF5 file there."""
    db = Hwdb(hwdb)
    st = Scenario(db, path=scenario, yaml=yaml, sets=sets).run(threads=threads)
    if output:
        st.write(output)
        return open_dataset(output)
    return st.dataset()


__all__ = ["ServesimError", "Hwdb", "Scenario", "Study", "run", "open_dataset", "metrics", "version", "lib"]
