#!/usr/bin/python3
"""Output fault injection: a full disk, a read-only directory, targets that are not regular files,
SIGTERM and SIGKILL at random points. In every case the file that was at the output path before
(an older result) survives byte for byte, no partial file appears under the output's name, no
temporary file is left (after a kill: the next run removes it), and the exit code is the documented
one (docs/limits.md): 73 cannot create, 74 write failed (disk full), 64 output is an input.

usage: test_output_faults.py --servesim BIN --scenario YAML CASE
CASE: disk   a 2 MiB tmpfs (and a full one) in a private mount namespace: unshare -m as root,
             unshare -rm (a user namespace) otherwise; skipped (exit 77) where neither is allowed
      paths  a read-only directory, a directory, a device and a symlink as the output, an input as
             the output, -o ''
      kill   SIGKILL at random points of a run (the HDF5 write included), then SIGTERM
"""
import argparse
import hashlib
import os
import random
import signal
import stat
import subprocess
import sys
import tempfile
import time

SKIP = 77
SMALL = ["--set", "horizon.duration_s=60", "--set", "horizon.warmup_s=10", "--replicates", "3", "-q",
         "--set", "output.capacity=false"]
LOGS = ["--set", "output.requests=true", "--set", "output.timeseries=true"]
OLD = b"an older result that must survive\n" * 8


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def leftovers(d, name):
    return [e for e in os.listdir(d) if e.startswith(f".{name}.servesim-")]


def run(args, cmd, expect, **kw):
    p = subprocess.run([args.servesim] + cmd, capture_output=True, text=True, **kw)
    if p.returncode != expect:
        sys.exit(f"FAIL: servesim {' '.join(cmd)}: exit {p.returncode}, expected {expect}\n{p.stderr}")
    return p


def old_output(d, name="out.h5"):
    path = os.path.join(d, name)
    with open(path, "wb") as f:
        f.write(OLD)
    return path, sha(path)


def assert_untouched(path, digest, what):
    d, name = os.path.split(path)
    if sha(path) != digest:
        sys.exit(f"FAIL: {what}: the earlier file at {path} was changed")
    if leftovers(d, name):
        sys.exit(f"FAIL: {what}: temporaries left: {leftovers(d, name)}")
    print(f"ok: {what}: the earlier file survives, nothing left beside it")


# ---- disk: inside a private mount namespace ----

def namespace_prefix():
    """The unshare command that gives this process a private mount namespace where it may mount."""
    candidates = [["unshare", "-m"]] if os.geteuid() == 0 else []
    candidates.append(["unshare", "-rm"])
    for c in candidates:
        try:
            with tempfile.TemporaryDirectory() as d:
                p = subprocess.run(c + ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", d],
                                   capture_output=True, timeout=20)
            if p.returncode == 0:
                return c
        except (OSError, subprocess.TimeoutExpired):
            pass
    return None


def case_disk(args):
    if not args.inside:
        prefix = namespace_prefix()
        if not prefix:
            print("SKIP: no private mount namespace here (neither unshare -m nor unshare -rm may mount a tmpfs)")
            sys.exit(SKIP)
        cmd = prefix + [sys.executable, os.path.abspath(__file__), "--servesim", args.servesim,
                        "--scenario", args.scenario, "--inside", "disk"]
        sys.exit(subprocess.run(cmd).returncode)
    with tempfile.TemporaryDirectory(prefix="servesim_faults_") as mnt:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt], check=True)
        try:
            disk_cases(args, mnt)
        finally:
            subprocess.run(["umount", mnt])


def disk_cases(args, mnt):
    # 1. the disk fills while the study is written (about 3 MB with logs into 2 MiB)
    path, digest = old_output(mnt)
    big = ["--set", "horizon.duration_s=600"] + LOGS
    p = run(args, ["run", args.scenario, "-o", path] + SMALL + big, 74)
    if "disk full" not in p.stderr:
        sys.exit(f"FAIL: no 'disk full' in the message: {p.stderr}")
    assert_untouched(path, digest, "run on a disk that fills (exit 74)")
    # merge writes through the same path: two parts fit, their join does not
    with tempfile.TemporaryDirectory() as d:
        parts = [os.path.join(d, f"p{i}.h5") for i in (1, 2)]
        for i, part in enumerate(parts, 1):
            run(args, ["run", args.scenario, "-o", part, "--shard", f"{i}/2"] + SMALL + big, 0)
        run(args, ["merge"] + parts + ["-o", path], 74)
        assert_untouched(path, digest, "merge on a disk that fills (exit 74)")
    # 2. the disk is completely full before the run starts
    filler = os.path.join(mnt, "filler")
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    os.close(fd)
    p = subprocess.run([args.servesim, "run", args.scenario, "-o", path] + SMALL, capture_output=True, text=True)
    if p.returncode not in (73, 74):
        sys.exit(f"FAIL: a full disk: exit {p.returncode} (want 73 or 74)\n{p.stderr}")
    assert_untouched(path, digest, f"run on a full disk (exit {p.returncode})")
    os.unlink(filler)
    # 3. a read-only file system (as root, permissions alone would not stop the write)
    subprocess.run(["mount", "-o", "remount,ro", mnt], check=True)
    p = run(args, ["run", args.scenario, "-o", path] + SMALL, 73)
    if "cannot create" not in p.stderr:
        sys.exit(f"FAIL: unclear message on a read-only file system: {p.stderr}")
    assert_untouched(path, digest, "run into a read-only file system (exit 73)")
    subprocess.run(["mount", "-o", "remount,rw", mnt], check=True)
    # 4. and afterwards the same path takes a good result
    run(args, ["run", args.scenario, "-o", path] + SMALL, 0)
    if sha(path) == digest or leftovers(mnt, "out.h5"):
        sys.exit("FAIL: the run after the faults did not replace the file cleanly")
    print("ok: with room again, the run replaces the earlier file")


# ---- paths ----

def case_paths(args):
    with tempfile.TemporaryDirectory(prefix="servesim_paths_") as d:
        scenario = os.path.join(d, "s.yaml")
        with open(args.scenario, "rb") as f, open(scenario, "wb") as g:
            g.write(f.read())
        # a read-only directory (root ignores the mode: then a file where a directory should be)
        ro = os.path.join(d, "ro")
        os.mkdir(ro, 0o555)
        target = os.path.join(ro, "out.h5") if os.geteuid() != 0 else os.path.join(scenario, "out.h5")
        p = run(args, ["run", scenario, "-o", target] + SMALL, 73)
        if os.path.exists(target) or "cannot create" not in p.stderr:
            sys.exit(f"FAIL: unwritable directory: {p.stderr}")
        print("ok: an unwritable directory: exit 73:", p.stderr.strip())
        # a directory as the output
        p = run(args, ["run", scenario, "-o", d] + SMALL, 73)
        if "is a directory" not in p.stderr:
            sys.exit(f"FAIL: a directory as the output: {p.stderr}")
        # a device: a scratch node where mknod is allowed, else a FIFO (never the real /dev)
        dev = os.path.join(d, "null")
        made = subprocess.run(["mknod", dev, "c", "1", "3"], capture_output=True).returncode == 0
        if not made:
            os.mkfifo(dev)
        p = run(args, ["run", scenario, "-o", dev] + SMALL, 73)
        st = os.lstat(dev)
        if not (stat.S_ISCHR(st.st_mode) if made else stat.S_ISFIFO(st.st_mode)):
            sys.exit("FAIL: the device node was replaced")
        print(f"ok: a {'character device' if made else 'FIFO'} as the output is refused and stays one:",
              p.stderr.strip())
        # a symlink is written through and stays a link
        real = os.path.join(d, "real.h5")
        link = os.path.join(d, "link.h5")
        open(real, "wb").write(OLD)
        os.symlink("real.h5", link)
        run(args, ["run", scenario, "-o", link] + SMALL, 0)
        if not os.path.islink(link) or open(real, "rb").read() == OLD:
            sys.exit("FAIL: a symlink output was replaced instead of written through")
        print("ok: a symlink output is written through and stays a link")
        # a user's own file named like an old temporary is not touched
        mine = os.path.join(d, "out.h5.tmp")
        open(mine, "wb").write(OLD)
        run(args, ["run", scenario, "-o", os.path.join(d, "out.h5")] + SMALL, 0)
        if open(mine, "rb").read() != OLD:
            sys.exit("FAIL: out.h5.tmp (the user's file) was changed")
        # an input as the output, through another name too
        digest = sha(scenario)
        run(args, ["run", scenario, "-o", scenario] + SMALL, 64)
        os.link(scenario, os.path.join(d, "hard.yaml"))
        run(args, ["run", scenario, "-o", os.path.join(d, "hard.yaml")] + SMALL, 64)
        study = os.path.join(d, "out.h5")
        sdigest = sha(study)
        run(args, ["report", study, "-o", study], 64)
        run(args, ["merge", study, "-o", study], 64)
        if sha(scenario) != digest or sha(study) != sdigest:
            sys.exit("FAIL: an input was changed by a run that named it as the output")
        print("ok: an input as the output (also through a hard link) is refused with exit 64")
        p = run(args, ["run", scenario, "-o", ""] + SMALL, 64)
        if "empty" not in p.stderr:
            sys.exit(f"FAIL: -o '': {p.stderr}")
        print("ok: -o '' is refused before anything runs")


# ---- kill ----

def case_kill(args):
    with tempfile.TemporaryDirectory(prefix="servesim_kill_") as d:
        path, digest = old_output(d)
        long = ["run", args.scenario, "-o", path, "--replicates", "12", "-q", "--set", "horizon.duration_s=120",
                "--set", "output.capacity=false"] + LOGS
        t0 = time.monotonic()
        run(args, long[:3] + [os.path.join(d, "timing.h5")] + long[4:], 0)
        whole = time.monotonic() - t0
        os.unlink(os.path.join(d, "timing.h5"))
        rng = random.Random(20261204)
        for k in range(6):
            at = rng.uniform(0.05, 0.98) * whole
            proc = subprocess.Popen([args.servesim] + long, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(at)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            changed = sha(path) != digest
            # killed after its output was committed (the rename done, the process still exiting): the file
            # is the new, complete study, which is allowed; anything else must leave the earlier file
            committed = changed and subprocess.run([args.servesim, "report", path], stdout=subprocess.DEVNULL,
                                                   stderr=subprocess.DEVNULL).returncode == 0
            if changed and proc.returncode == -signal.SIGKILL and not committed:
                sys.exit(f"FAIL: SIGKILL at {at:.2f} s of {whole:.2f} s changed the earlier file")
            if changed:  # it finished first (or committed before the kill): the result replaced the file
                path, digest = old_output(d)
            left = leftovers(d, "out.h5")
            print(f"ok: SIGKILL at {at:.2f} s of {whole:.2f} s: earlier file intact, {len(left)} temporary left")
        # the next run to the same path removes what killed runs left
        run(args, ["run", args.scenario, "-o", path] + SMALL, 0)
        if leftovers(d, "out.h5"):
            sys.exit(f"FAIL: temporaries of killed runs remain: {leftovers(d, 'out.h5')}")
        print("ok: the next run removed the killed runs' temporaries")
        path, digest = old_output(d)
        for sig in (signal.SIGTERM, signal.SIGINT):
            proc = subprocess.Popen([args.servesim] + long, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5 * whole)
            proc.send_signal(sig)
            proc.wait()
            if proc.returncode not in (-sig, 0):
                sys.exit(f"FAIL: {sig.name}: exit {proc.returncode} (want death by the signal)")
            if proc.returncode == 0:
                path, digest = old_output(d)
                continue
            assert_untouched(path, digest, f"{sig.name} midway (the process dies of the signal)")


CASES = {"disk": case_disk, "paths": case_paths, "kill": case_kill}

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--servesim", required=True)
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("case", choices=sorted(CASES))
    a = ap.parse_args()
    a.servesim, a.scenario = os.path.abspath(a.servesim), os.path.abspath(a.scenario)
    CASES[a.case](a)
