#!/usr/bin/env bash
# sitting.sh — one whole benchmark sitting, the one BENCHMARKS.md reports:
#   1. the four scenarios for every target (anchors and sigloop), REPS
#      times, alternating PIN=1 and PIN=same within each repetition;
#   2. the scaling sweep (run.sh scale) SCALE_REPS times;
#   3. server memory per idle connection (run.sh mem);
# then the tables (summarize.py: rates, ratios, server CPU per operation)
# and the plot (plot.py). Raw results go to
# bench/results/NAME-*.tsv, tables to bench/results/NAME-summary.md, the
# plot to bench/results/NAME-scale.png.
#
#   bench/build.sh && bench/sitting.sh
#   NAME=2026-12-01 REPS=3 DURATION=3s SCALE_REPS=2 SCALE_DURATION=2s bench/sitting.sh
#   STEPS="scale" bench/sitting.sh            only some of: four scale mem
#
# About 35 minutes with the defaults on a 2-CPU machine.
set -uo pipefail
# Same shape as run.sh's settings: kept, as each script's knobs have their own
# defaults (a sitting runs shorter scenarios than a one-off run.sh).
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NAME="${NAME:-$(date -u '+%Y%m%dT%H%M%SZ')}"
REPS="${REPS:-3}"
SCALE_REPS="${SCALE_REPS:-2}"
DURATION="${DURATION:-3s}"
SCALE_DURATION="${SCALE_DURATION:-2s}"
STEPS="${STEPS:-four scale mem}"
TARGETS="${TARGETS:-anchors sigloop}"
SCALE_TARGETS="${SCALE_TARGETS:-go-tcp go-unix glib-tcp glib-unix qt-unix gio-tcp gio-unix qtnet-unix}"
MEM_TARGETS="${MEM_TARGETS:-go-unix glib-unix qt-unix gio-unix qtnet-unix go-tcp glib-tcp gio-tcp}"
R="$HERE/results"
mkdir -p "$R"
PY=/usr/bin/python3

# shellcheck disable=SC2086  # target lists must be split
for step in $STEPS; do
  case "$step" in
    four)
      for rep in $(seq "$REPS"); do
        for pin in 1 same; do
          echo "## sitting $NAME: four scenarios, repetition $rep, PIN=$pin"
          PIN=$pin DURATION=$DURATION RESULTS="$R/$NAME-pin$pin.tsv" "$HERE/run.sh" $TARGETS
        done
      done ;;
    scale)
      for rep in $(seq "$SCALE_REPS"); do
        echo "## sitting $NAME: scale, repetition $rep"
        PIN=1 DURATION=$SCALE_DURATION RESULTS="$R/$NAME-scale.tsv" "$HERE/run.sh" scale $SCALE_TARGETS
      done ;;
    mem)
      echo "## sitting $NAME: memory per idle connection"
      PIN=1 DURATION=2s RESULTS="$R/$NAME-mem.tsv" "$HERE/run.sh" mem $MEM_TARGETS ;;
    *) echo "sitting.sh: unknown step '$step'" >&2; exit 2 ;;
  esac
done

{
  for pin in 1 same; do
    [[ -f "$R/$NAME-pin$pin.tsv" ]] || continue
    echo "## PIN=$pin"
    grep '^#' "$R/$NAME-pin$pin.tsv" | sed -n '1,3p'
    echo
    $PY "$HERE/summarize.py" ratios "$R/$NAME-pin$pin.tsv"
    echo
    $PY "$HERE/summarize.py" cpu "$R/$NAME-pin$pin.tsv"
    echo
  done
  if [[ -f "$R/$NAME-mem.tsv" ]]; then
    echo "## memory per idle connection"
    $PY "$HERE/summarize.py" mem "$R/$NAME-mem.tsv"
  fi
} >"$R/$NAME-summary.md"
[[ -f "$R/$NAME-scale.tsv" ]] && $PY "$HERE/plot.py" "$R/$NAME-scale.png" "$R/$NAME-scale.tsv"
echo "sitting.sh: tables in $R/$NAME-summary.md"
