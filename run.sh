#!/usr/bin/env bash
# run.sh - the one entry point of the project (docs/design.md "Layout"): installs the
# Debian packages the build needs, builds with CMake, and runs the default
# study, the tests, the benchmark or the simulator.
#
#   ./run.sh              build, run the default study, print its summary
#   ./run.sh test         build, run every test (Release and ASan+UBSan builds)
#   ./run.sh bench        build, run the kernel benchmark
#   ./run.sh sim ARGS...  build, run incubator-sim ARGS...
#   ./run.sh sweep ARGS   build, run a scenario sweep (tools/sweep.sh; docs/sweeps.md)
#   ./run.sh analyze ARGS build, run incubator-analyze ARGS
#   ./run.sh help         this usage (COMMAND --help never builds)
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"

# Everything the build and the tools need, as Debian package names.
DEB_PACKAGES=(build-essential cmake pkg-config libgsl-dev libhdf5-dev hdf5-tools
              libcunit1-dev librandom123-dev libinih-dev gnuplot-nox)

# What the tests need beyond the build: xarray with both netCDF engines, and
# h5py, for tests/e2e_netcdf.sh (outputs every netCDF tool opens) and
# tools/same-values.py. Installed by `./run.sh test` only.
TEST_DEB_PACKAGES=(python3-xarray python3-netcdf4 python3-h5netcdf python3-h5py python3-cftime python3-numpy)

# The default study: every scenario with every seed. Outputs go to
# results/SCENARIO_sSEED.h5 and are replaced on each run.
STUDY_SCENARIOS=(baseline incubator)
STUDY_SEEDS=(1 2 3)

JOBS="$(nproc 2>/dev/null || echo 2)"

usage() {
    cat <<'EOF'
usage: ./run.sh [COMMAND]

  (none)         build, then run the default study (scenarios/baseline.ini and
                 scenarios/incubator.ini, seeds 1-3, default scale ->
                 results/SCENARIO_sSEED.h5, one run per core at a time), then
                 the analysis: summary, compare --reference baseline (paired by
                 seed), plots in results/plots/
  test           build, then run every test: ctest on the Release build (build/)
                 and on the AddressSanitizer+UBSan build (build-asan/)
  bench          build, then run the kernel benchmark (build/bin/bench_kernel)
  sim ARGS...    build, then run build/bin/incubator-sim ARGS...
                 (e.g. ./run.sh sim --help)
  sweep ARGS...  build, then run a sweep: scenarios x --grid values x seeds,
                 locally (--jobs N) or as a Slurm job array (--slurm), with a
                 manifest; re-running it finishes only what is missing
                 (./run.sh sweep --help, docs/sweeps.md)
  bands          build, then run the band test: the baseline against every band of
                 docs/model.md 15 over three seeds, each value next to its target
                 (tests/test_bands.c; about 15 s on 2 cores)
  calibrate ARGS build, then run build/bin/incubator-calibrate ARGS (the simulated
                 method of moments of docs/model.md 15; record in docs/calibration.md)
  analyze ARGS   build, then run build/bin/incubator-analyze ARGS (summary,
                 compare, plot, check; docs/analysis.md)
  help           this text

COMMAND --help (or -h) answers without building: the program's own help when
it is built, otherwise these lines for COMMAND and how to build it.

Every command first checks the Debian packages the build needs and installs the
missing ones (as root) or prints the apt-get line to run (otherwise).
EOF
}

# step TEXT: a progress line on stderr.
step() { echo "== $*" >&2; }

# Check the Debian packages (DEB_PACKAGES and any given as arguments); install
# the missing ones when root. Silent when nothing is missing.
ensure_deps() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        echo "run.sh: no dpkg-query (not a Debian system?): skipping the package check;" \
             "the build needs the equivalents of: ${DEB_PACKAGES[*]}" >&2
        return 0
    fi
    local missing=() p status
    for p in "${DEB_PACKAGES[@]}" "$@"; do
        status="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
        [[ "$status" == "install ok installed" ]] || missing+=("$p")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    if [[ "$(id -u)" -eq 0 ]]; then
        step "installing Debian packages: ${missing[*]}"
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
    else
        echo "run.sh: missing Debian packages: ${missing[*]}" >&2
        echo "install them with:" >&2
        echo "sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
}

# build_tree DIR CMAKE_ARGS...: configure DIR (only if it has no CMakeCache.txt)
# and build it. Returns non-zero on failure.
build_tree() {
    local dir="$1"
    shift
    if [[ ! -f "$dir/CMakeCache.txt" ]]; then
        cmake -S . -B "$dir" "$@" || return 1
    fi
    cmake --build "$dir" -j"$JOBS"
}

# The Release build every command uses: programs in build/bin/.
build() {
    ensure_deps
    build_tree build -DCMAKE_BUILD_TYPE=Release
}

# One run of the study: scenario name, seed and OpenMP threads. Its progress
# lines go to results/NAME_sSEED.log; the summary line to the terminal.
run_scenario() {
    local name="$1" seed="$2" threads="$3"
    build/bin/incubator-sim "scenarios/$name.ini" --seed "$seed" --threads "$threads" \
        --out "results/${name}_s${seed}.h5" --force >"results/${name}_s${seed}.log" 2>&1
}

# The study's runs, $JOBS at a time with one thread each: independent runs
# use the cores better than one run's threads do (no barriers), and the
# results do not depend on the thread count. Stops at the first failure
# (after the runs under way end) and shows that run's log.
study() {
    build
    mkdir -p results
    local name seed pids=() labels=() i rc=0 done_runs=0 total
    total=$(( ${#STUDY_SCENARIOS[@]} * ${#STUDY_SEEDS[@]} ))
    step "default study: ${STUDY_SCENARIOS[*]} x seeds ${STUDY_SEEDS[*]} ($total runs, $JOBS at a time; logs in results/*.log)"
    for name in "${STUDY_SCENARIOS[@]}"; do
        for seed in "${STUDY_SEEDS[@]}"; do
            run_scenario "$name" "$seed" 1 &
            pids+=("$!")
            labels+=("${name}_s${seed}")
            if [[ ${#pids[@]} -ge $JOBS ]]; then
                wait "${pids[0]}" || { rc=1; echo "run.sh: run ${labels[0]} failed; its log:" >&2; cat "results/${labels[0]}.log" >&2; }
                done_runs=$((done_runs + 1))
                echo "== run ${labels[0]} done ($done_runs of $total)" >&2
                pids=("${pids[@]:1}")
                labels=("${labels[@]:1}")
                [[ $rc -eq 0 ]] || break 2
            fi
        done
    done
    for i in "${!pids[@]}"; do
        if wait "${pids[$i]}"; then
            done_runs=$((done_runs + 1))
            echo "== run ${labels[$i]} done ($done_runs of $total)" >&2
        else
            rc=1
            echo "run.sh: run ${labels[$i]} failed; its log:" >&2
            cat "results/${labels[$i]}.log" >&2
        fi
    done
    [[ $rc -eq 0 ]] || exit 1
    # The analysis of the study's own files (not whatever else is in results/):
    # summary, differences from the baseline, plots (docs/analysis.md).
    local files=() has_baseline=0
    for name in "${STUDY_SCENARIOS[@]}"; do
        [[ "$name" == baseline ]] && has_baseline=1
        for seed in "${STUDY_SEEDS[@]}"; do
            files+=("results/${name}_s${seed}.h5")
        done
    done
    step "summary of the study"
    build/bin/incubator-analyze summary "${files[@]}"
    if [[ ${#STUDY_SCENARIOS[@]} -gt 1 && "$has_baseline" -eq 1 ]]; then
        step "differences from the baseline, paired by seed"
        build/bin/incubator-analyze compare --reference baseline "${files[@]}"
    else
        echo "run.sh: no comparison: the study needs the baseline and another scenario (STUDY_SCENARIOS)" >&2
    fi
    step "plots in results/plots/"
    build/bin/incubator-analyze plot "${files[@]}" --out results/plots
}

# Totals over every ctest run of `./run.sh test`.
T_PASSED=0
T_FAILED=0
T_SKIPPED=0

# run_ctest DIR [ENV=VALUE...] [-- CTEST_ARGS...]: run DIR's test suite, add
# its counts to the totals. Returns non-zero if a test failed or ctest did not
# report.
run_ctest() {
    local dir="$1" log rc=0 line total failed skipped envs=() extra=()
    shift
    while [[ $# -gt 0 && "$1" != "--" ]]; do envs+=("$1"); shift; done
    [[ $# -gt 0 ]] && shift
    extra=("$@")
    log="$(mktemp)"
    env "${envs[@]}" ctest --test-dir "$dir" --output-on-failure "${extra[@]}" 2>&1 | tee "$log" || rc=$?
    # e.g. "100% tests passed, 0 tests failed out of 12"
    line="$(grep -Eo '[0-9]+ tests failed out of [0-9]+' "$log" | tail -n 1 || true)"
    # Skipped tests (exit code 77, SKIP_RETURN_CODE) count in ctest's total
    # but are neither passed nor failed.
    skipped="$(grep -cE '^[[:space:]]*[0-9]+ - .*\(Skipped\)$' "$log" || true)"
    rm -f "$log"
    if [[ -z "$line" ]]; then
        echo "run.sh: ctest in $dir reported no result" >&2
        T_FAILED=$((T_FAILED + 1))
        return 1
    fi
    failed="${line%% *}"
    total="${line##* }"
    T_PASSED=$((T_PASSED + total - failed - skipped))
    T_FAILED=$((T_FAILED + failed))
    T_SKIPPED=$((T_SKIPPED + skipped))
    [[ "$rc" -eq 0 && "$failed" -eq 0 ]]
}

# Whether LeakSanitizer works here: it needs ptrace-like access to the process
# (it stops the threads to scan them), which some containers forbid, and then
# every sanitized program fails with "LeakSanitizer has encountered a fatal
# error". Checked on the project's machine (Debian 12, tests as root): it works,
# so leaks are checked; where the probe fails, detect_leaks=0 and a note says so.
lsan_works() {
    local d ok=1
    d="$(mktemp -d)"
    printf '#include <stdlib.h>\nvoid *volatile p;\nint main(void) { p = malloc(7); p = 0; return 0; }\n' >"$d/leak.c"
    if cc -fsanitize=address -g "$d/leak.c" -o "$d/leak" 2>/dev/null &&
        ! ASAN_OPTIONS=detect_leaks=1 "$d/leak" >/dev/null 2>"$d/err" &&
        grep -q "detected memory leaks" "$d/err"; then
        ok=0
    fi
    rm -rf "$d"
    return "$ok"
}

run_tests() {
    ensure_deps "${TEST_DEB_PACKAGES[@]}"
    build
    local rc=0 leaks=1
    step "tests: Release build (build/)"
    run_ctest build || rc=1

    # The band test (tests/test_bands.c) checks the calibration at 300,000
    # agents x 3 seeds x 204 months: ten times slower under the sanitizers and
    # no code path that test_sanity does not already run there, so it runs on
    # the Release build only.
    step "tests: AddressSanitizer + UndefinedBehaviorSanitizer build (build-asan/), all but test_bands"
    if ! lsan_works; then
        leaks=0
        echo "run.sh: LeakSanitizer does not work here (ptrace restricted?): running with detect_leaks=0" >&2
    fi
    if build_tree build-asan -DCMAKE_BUILD_TYPE=Debug -DINCUBATOR_SANITIZE=ON; then
        run_ctest build-asan \
            ASAN_OPTIONS="detect_leaks=$leaks" INCUBATOR_SANITY_WORKERS=50000 \
            UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
            -- -E '^test_bands$' || rc=1
    else
        echo "run.sh: the sanitizer build failed" >&2
        T_FAILED=$((T_FAILED + 1))
        rc=1
    fi
    echo "$T_PASSED passed, $T_FAILED failed, $T_SKIPPED skipped"
    return "$rc"
}

calibrate() {
    build
    build/bin/incubator-calibrate "$@"
}

bench() {
    build
    build/bin/bench_kernel "$@"
}

sim() {
    build
    mkdir -p results # the default output folder, and the usual --out results/NAME.h5
    build/bin/incubator-sim "$@"
}

# A sweep (tools/sweep.sh). INCUBATOR_BIN_DIR names a folder of built programs
# to use instead of building build/ (the tests pass their build's bin folder).
sweep() {
    local a
    for a in "$@"; do
        [[ "$a" == -h || "$a" == --help ]] && exec tools/sweep.sh --help
    done
    if [[ -z "${INCUBATOR_BIN_DIR:-}" ]]; then
        build
        export INCUBATOR_BIN_DIR="$PWD/build/bin"
    fi
    exec tools/sweep.sh "$@"
}

# wants_help ARGS...: whether ARGS ask for help (-h or --help).
wants_help() {
    local a
    for a in "$@"; do [[ "$a" == -h || "$a" == --help ]] && return 0; done
    return 1
}

# command_help CMD: the lines of this script's usage that describe CMD.
command_help() {
    usage | awk -v c="$1" '
        /^  [a-z]/ { show = ($1 == c) }
        /^$/ { show = 0 }
        show'
}

# help_without_build CMD PROGRAM: help for `./run.sh CMD --help`, never
# building: the program's own help when it is built, otherwise this script's
# lines for CMD and how to build it.
help_without_build() {
    local cmd="$1" prog="build/bin/$2"
    shift 2
    if [[ -x "$prog" ]]; then
        # The program's own help for what was asked: `analyze compare --help`
        # is compare's help, not the global one.
        if [[ "$cmd" == analyze && $# -gt 0 ]]; then
            exec "$prog" "$@"
        fi
        exec "$prog" --help
    fi
    command_help "$cmd"
    echo
    echo "$prog is not built yet: ./run.sh $cmd (without --help) builds it first, or build"
    echo "it alone with: cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build"
    echo "then $prog --help lists its options."
}

cmd="${1:-}"
[[ $# -gt 0 ]] && shift
# Help never builds (and never installs packages).
if wants_help "$@"; then
    case "$cmd" in
        bench) help_without_build bench bench_kernel; exit 0 ;;
        sim) help_without_build sim incubator-sim; exit 0 ;;
        calibrate) help_without_build calibrate incubator-calibrate; exit 0 ;;
        analyze) help_without_build analyze incubator-analyze "$@"; exit 0 ;;
        sweep) exec tools/sweep.sh --help ;;
        test | bands) command_help "$cmd"; exit 0 ;;
    esac
fi
case "$cmd" in
    "") study ;;
    test) run_tests ;;
    bench) bench "$@" ;;
    sim) sim "$@" ;;
    sweep) sweep "$@" ;;
    calibrate) calibrate "$@" ;;
    analyze)
        build
        build/bin/incubator-analyze "$@"
        ;;
    bands)
        build
        build/bin/test_bands
        ;;
    help | -h | --help) usage ;;
    *)
        echo "run.sh: unknown command: $cmd" >&2
        usage >&2
        exit 2
        ;;
esac
