#!/usr/bin/env python3
"""same-values.py - do two incubator-sim outputs hold the same values?

usage: tools/same-values.py OLD.h5 NEW.h5 [OLD2.h5 NEW2.h5 ...]

Compares every dataset of OLD with the dataset of the same path in NEW, value
by value (numbers bit for bit, NaN equal to NaN; strings after decoding, so
fixed-length and variable-length storage compare equal). Datasets that exist
only in NEW are listed (new coordinate variables are expected); datasets only
in OLD are differences. Attributes are not compared (units, CF attributes and
the command line may differ). Prints one line per pair and exits 0 when every
pair holds the same values, 1 otherwise, 2 on bad usage or unreadable file.
"""
import sys

try:
    import h5py
    import numpy as np
except ImportError as exc:  # pragma: no cover
    sys.exit(f"same-values.py: {exc}: install python3-h5py and python3-numpy")


def datasets(f):
    out = {}
    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            out[name] = obj
    f.visititems(visit)
    return out


def values(ds):
    a = ds[()]
    if isinstance(a, bytes):
        return a.decode("utf-8")
    if isinstance(a, str):
        return a
    a = np.asarray(a)
    if a.dtype.kind in ("S", "O", "U"):
        return [x.decode("utf-8") if isinstance(x, bytes) else str(x) for x in a.ravel()]
    return a


def same(x, y):
    if isinstance(x, (str, list)) or isinstance(y, (str, list)):
        return x == y
    if x.shape != y.shape:
        return False
    if x.dtype.kind == "f" and y.dtype.kind == "f":
        return bool(np.array_equal(x, y, equal_nan=True) and
                    np.array_equal(np.signbit(x), np.signbit(y)))
    return bool(np.array_equal(x, y))


def compare(old, new):
    bad = []
    with h5py.File(old, "r") as fo, h5py.File(new, "r") as fn:
        do, dn = datasets(fo), datasets(fn)
        for name, ds in sorted(do.items()):
            if name not in dn:
                bad.append(f"{name}: missing in {new}")
                continue
            if not same(values(ds), values(dn[name])):
                bad.append(f"{name}: values differ")
        extra = sorted(set(dn) - set(do))
    return bad, extra, len(do)


def main(argv):
    if len(argv) < 2 or len(argv) % 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    rc = 0
    for old, new in zip(argv[0::2], argv[1::2]):
        try:
            bad, extra, n = compare(old, new)
        except OSError as exc:
            print(f"same-values.py: {exc}", file=sys.stderr)
            return 2
        if bad:
            rc = 1
            print(f"DIFFERENT {old} {new}: {len(bad)} of {n} datasets")
            for b in bad:
                print(f"  {b}")
        else:
            print(f"same {old} {new}: {n} datasets" + (f" (+{len(extra)} new: {', '.join(extra)})" if extra else ""))
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
