#!/usr/bin/env bash
# Fuzz one target for a while: fuzz/run.sh TARGET SECONDS [more libFuzzer flags]
#   TARGET: wbxml-cython | wbxml-python | differential | xml | notification | tree | dpu | session
# The corpus grows in fuzz/corpus/TARGET (seeded from vectors/); crashers land in
# fuzz/findings/TARGET/. Native targets use the extension from `fuzz/build_extension.sh fuzz`,
# with clang's libFuzzer runtime preloaded so the extension's coverage counts.
set -euo pipefail
target=${1:?usage: fuzz/run.sh TARGET SECONDS [libFuzzer flags]}
seconds=${2:?usage: fuzz/run.sh TARGET SECONDS [libFuzzer flags]}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
python=$(python -c "import sys; print(sys.executable)")
mkdir -p "$here/corpus/$target" "$here/findings/$target"
args=(-max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048
      -artifact_prefix="$here/findings/$target/" -print_final_stats=1)
if [[ $target == dpu || $target == session || $target == tree ]]; then
    args+=(-dict="$here/syncml.dict")  # numbers and tokens a mutation rarely makes
fi
args+=("$@")
if [[ $target == wbxml-cython || $target == differential || $target == xml ]]; then
    [[ -d $here/build/fuzz ]] || "$here/build_extension.sh" fuzz >/dev/null
    runtime_dir=$(dirname "$(clang -print-file-name=libclang_rt.fuzzer_no_main-x86_64.a)")
    if [[ ! -f $here/build/libfuzzer.so ]]; then
        clang++ -shared -fPIC -Wl,--whole-archive "$runtime_dir/libclang_rt.fuzzer_no_main-x86_64.a" \
            -Wl,--no-whole-archive -o "$here/build/libfuzzer.so"
    fi
    exec env LD_PRELOAD="$here/build/libfuzzer.so" "$python" "$here/fuzz_decoders.py" "$target" \
        --instrumented "${args[@]}" "$here/corpus/$target"
fi
exec "$python" "$here/fuzz_decoders.py" "$target" "${args[@]}" "$here/corpus/$target"
