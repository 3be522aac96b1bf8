#!/usr/bin/python3
"""check_python_deps.py: every third-party module that tools/*.py, tests/*.py and python/servesim/*.py import has its Debian
package in tools/requirements-debian.txt (and, with --installed, every listed package is installed).

    tools/check_python_deps.py [--installed] [--root REPO]

Imports are read with the ast module (imports inside functions and try blocks count too); so are
xarray/pandas engines named as strings (engine="h5netcdf" needs python3-h5netcdf). Standard-library
modules (sys.stdlib_module_names) and the project's own modules (the .py files of the scanned
directories, such as servesim_read) need no package. A third-party module must be in PACKAGES
below, mapped to its Debian package: an unknown one is a problem too, so the table grows with use.
Prints one line per problem and exits 1, else one summary line and exits 0 (a listed package that
nothing imports gets a "note:" line, not a failure).
"""
import argparse
import ast
import os
import subprocess
import sys

PACKAGES = {  # top-level module -> Debian package
    "h5netcdf": "python3-h5netcdf",
    "h5py": "python3-h5py",
    "matplotlib": "python3-matplotlib",
    "numpy": "python3-numpy",
    "pandas": "python3-pandas",
    "scipy": "python3-scipy",
    "xarray": "python3-xarray",
    "yaml": "python3-yaml",
}
ENGINES = {"h5netcdf": "h5netcdf", "netcdf4": "netCDF4", "scipy": "scipy"}  # engine="..." -> module it loads
SCANNED = ("tools", "tests", os.path.join("python", "servesim"))  # python/servesim: the binding
REQUIREMENTS = os.path.join("tools", "requirements-debian.txt")


def sources(root):
    """The .py files of the scanned directories, sorted."""
    out = []
    for d in SCANNED:
        path = os.path.join(root, d)
        out += sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith(".py")) if os.path.isdir(path) else []
    return out


def imports(path):
    """(module, line, how) for the first import of each top-level module in path, and for each
    engine="..." it names; how says which ("imports h5py", 'engine="h5netcdf" loads h5netcdf')."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), filename=path)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name.split(".")[0], node.lineno, "imports") for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module.split(".")[0], node.lineno, "imports"))
        elif (isinstance(node, ast.keyword) and node.arg == "engine" and isinstance(node.value, ast.Constant)
              and node.value.value in ENGINES):
            found.append((ENGINES[node.value.value], node.value.lineno, f'engine="{node.value.value}" loads'))
    first = {}
    for mod, line, how in sorted(found, key=lambda x: x[1]):
        first.setdefault(mod, (mod, line, f"{how} {mod}"))
    return list(first.values())


def listed(path):
    """The package names of the requirements file (comments and blank lines left out)."""
    with open(path, encoding="utf-8") as f:
        return [w for w in (line.split("#")[0].strip() for line in f) if w]


def installed(pkg):
    try:
        p = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True)
    except OSError as e:
        return False, f"dpkg-query cannot run ({e})"
    return "install ok installed" in p.stdout, p.stdout.strip() or "not known to dpkg"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--installed", action="store_true", help="also check that every listed package is installed")
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                    help="repository root (default: this script's)")
    a = ap.parse_args(argv)
    req = os.path.join(a.root, REQUIREMENTS)
    problems = []
    try:
        have = listed(req)
    except OSError as e:
        print(f"{REQUIREMENTS}: cannot read ({e.strerror})")
        return 1
    files = sources(a.root)
    own = {os.path.splitext(os.path.basename(f))[0] for f in files} | {"servesim"}  # python/servesim is a package
    needed = {}
    for path in files:
        rel = os.path.relpath(path, a.root)
        try:
            found = imports(path)
        except (OSError, SyntaxError) as e:
            problems.append(f"{rel}: cannot parse ({e})")
            continue
        for mod, line, how in found:
            if mod in sys.stdlib_module_names or mod in own:
                continue
            pkg = PACKAGES.get(mod)
            if pkg is None:
                problems.append(f"{rel}:{line}: {how}: no Debian package known for it "
                                f"(add it to PACKAGES in tools/check_python_deps.py and to {REQUIREMENTS})")
            elif pkg not in have:
                problems.append(f"{rel}:{line}: {how} (Debian package {pkg}), which {REQUIREMENTS} does not list")
            else:
                needed.setdefault(pkg, rel)
    for pkg in have:
        if pkg not in needed:  # harmless, so a note rather than a problem
            print(f"note: {REQUIREMENTS}: {pkg} is listed but no scanned file imports a module of it")
        if a.installed:
            ok, status = installed(pkg)
            if not ok:
                problems.append(f"{REQUIREMENTS}: {pkg} is not installed ({status}); apt-get install {pkg}")
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f"check_python_deps: {len(files)} files, {len(needed)} Debian packages, all listed in {REQUIREMENTS}"
          + (" and installed" if a.installed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
