#!/usr/bin/env bash
# Fuzz every target in turn, each for its share of time, going on after a finding:
#   fuzz/campaign.sh SECONDS_PER_TARGET [TARGET ...]     (default: all seven targets)
# Findings land in fuzz/findings/TARGET/; per-run statistics in fuzz/logs/.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
budget=${1:?usage: fuzz/campaign.sh SECONDS_PER_TARGET [TARGET ...]}
shift
targets=("${@:-wbxml-cython wbxml-python differential xml notification tree dpu}")
mkdir -p "$here/logs"
for target in ${targets[*]}; do
    deadline=$(( $(date +%s) + budget ))
    run=0
    while (( $(date +%s) < deadline )); do
        run=$((run + 1))
        left=$(( deadline - $(date +%s) ))
        log="$here/logs/$target-$(date +%Y%m%d-%H%M%S)-$run.log"
        "$here/run.sh" "$target" "$left" >"$log" 2>&1
        grep -ah "stat::number_of_executed_units" "$log" | sed "s/^/$target run $run: /"
    done
done
