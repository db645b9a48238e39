#!/usr/bin/env bash
# e2e_netcdf.sh BIN_DIR - outputs every netCDF tool opens (docs/output.md
# "Opening with xarray"), and corruption is caught (docs/output.md
# "Checksums").
#
# Runs a small simulation, then: xarray opens every group with the h5netcdf
# and netcdf4 engines (the Debian packages python3-xarray, python3-h5netcdf,
# python3-netcdf4, installed by run.sh); each group's dimensions have their
# names (time, node, sector; the root group node_name and sector_name, since
# /node is a group; /migration year, node, node_dest) and coordinate values;
# time decodes to dates from 2019-01; `h5dump -H` reads the file. Then one
# byte inside a chunk of /node/gdp is flipped and `incubator-analyze check`
# must exit 1 naming that dataset, and `summary` exit 2 naming it.
#
# Prints "ok - NAME" or "not ok - NAME" per case, then "N passed, M failed";
# exits 1 if any case failed.
set -uo pipefail

if [[ $# -ne 1 || ! -x "$1/incubator-sim" || ! -x "$1/incubator-analyze" ]]; then
    echo "usage: $0 BIN_DIR (the folder holding incubator-sim and incubator-analyze)" >&2
    exit 2
fi
BIN="$(cd "$1" && pwd)"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/e2e_netcdf.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# A python that has the Debian packages (a pyenv python3 on PATH may not).
PY=""
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import xarray, h5netcdf, netCDF4, h5py, cftime' 2>/dev/null; then
        PY="$p"
        break
    fi
done
if [[ -z "$PY" ]]; then
    echo "e2e_netcdf: no python3 with xarray, h5netcdf, netCDF4, h5py and cftime (./run.sh test installs them)" >&2
    exit 1
fi

passed=0
failed=0
check() { # NAME CONDITION-EXIT-CODE DETAIL
    if [[ "$2" -eq 0 ]]; then echo "ok - $1"; passed=$((passed + 1));
    else echo "not ok - $1"; echo "#   $3"; failed=$((failed + 1)); fi
}

OUT="$WORK/run.h5"
"$BIN/incubator-sim" "$ROOT/scenarios/baseline.ini" --workers 20000 --months 24 --quiet --out "$OUT" \
    >"$WORK/sim.out" 2>"$WORK/sim.err"
check "a small run completes" $? "$(cat "$WORK/sim.err")"

for engine in h5netcdf netcdf4; do
    "$PY" - "$OUT" "$engine" >"$WORK/$engine.out" 2>&1 <<'PYEOF'
import sys
import xarray as xr
path, engine = sys.argv[1], sys.argv[2]
want = {
    None: {"time", "node_name", "sector_name"},
    "national": {"time"},
    "node": {"time", "node"},
    "node_sector": {"time", "node", "sector"},
    "migration": {"year", "node", "node_dest"},
}
bad = []
for group, dims in want.items():
    with xr.open_dataset(path, engine=engine, group=group) as ds:
        if set(ds.dims) != dims:
            bad.append(f"group {group or '/'}: dims {sorted(ds.dims)}, expected {sorted(dims)}")
        for d in dims:
            if d not in ds.coords:
                bad.append(f"group {group or '/'}: no coordinate values for dimension {d}")
        if "time" in dims:
            t = ds["time"].values
            first = (t[0].year, t[0].month) if hasattr(t[0], "year") else None
            last = (t[-1].year, t[-1].month) if hasattr(t[-1], "year") else None
            if first != (2019, 1) or last != (2020, 12):
                bad.append(f"group {group or '/'}: time decodes to {t[0]!r} .. {t[-1]!r}, expected 2019-01 .. 2020-12")
        if group is None:
            names = [str(x) for x in ds["node_name"].values]
        elif "node" in dims and [str(x) for x in ds["node"].values] != names:
            bad.append(f"group {group}: node coordinate {list(ds['node'].values)[:3]}..., expected /node_name {names[:3]}...")
        if group == "node_sector":
            ds["gdp" if "gdp" in ds else list(ds.data_vars)[0]].values  # the data read back
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PYEOF
    check "xarray engine=$engine opens every group with named dimensions, coordinates and dates from 2019-01" $? \
        "$(tr '\n' ' ' <"$WORK/$engine.out" | cut -c1-600)"
done

h5dump -H "$OUT" >"$WORK/h5dump.out" 2>&1
rc=$?
grep -q 'DATASET "gdp"' "$WORK/h5dump.out" && grep -q 'H5T_STRING' "$WORK/h5dump.out"
check "h5dump -H reads the file" $((rc || $?)) "$(head -n 3 "$WORK/h5dump.out")"

# Flip one byte in the middle of the first chunk of /node/gdp.
BAD="$WORK/bad.h5"
cp "$OUT" "$BAD"
"$PY" - "$BAD" <<'PYEOF'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    info = f["node/gdp"].id.get_chunk_info(0)
off = info.byte_offset + info.size // 2
with open(sys.argv[1], "r+b") as fh:
    fh.seek(off)
    b = fh.read(1)
    fh.seek(off)
    fh.write(bytes([b[0] ^ 0xFF]))
PYEOF
"$BIN/incubator-analyze" check "$BAD" >"$WORK/check.out" 2>&1
rc=$?
grep -qxF "  FAIL  checksums: dataset /node/gdp is corrupted: a chunk's checksum does not match its data (data error detected by Fletcher32 checksum)" "$WORK/check.out"
check "check on a corrupted chunk: exit 1, the checksum failure names /node/gdp" $(( (rc != 1) || $? )) \
    "exit $rc: $(tr '\n' ' ' <"$WORK/check.out")"

"$BIN/incubator-analyze" summary "$BAD" >"$WORK/summary.out" 2>"$WORK/summary.err"
rc=$?
grep -qxF "incubator-analyze: $BAD: dataset /node/gdp is corrupted: a chunk's checksum does not match its data" "$WORK/summary.err"
check "summary on a corrupted chunk: exit 2, names /node/gdp" $(( (rc != 2) || $? )) "exit $rc: $(cat "$WORK/summary.err")"

"$BIN/incubator-analyze" check "$OUT" >"$WORK/check_ok.out" 2>&1
rc=$?
grep -q "ok    checksums: every chunk of" "$WORK/check_ok.out"
check "check on the intact file: exit 0, checksums ok" $(( rc || $? )) "exit $rc: $(tr '\n' ' ' <"$WORK/check_ok.out")"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
