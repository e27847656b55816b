#!/usr/bin/env bash
# Build the extension with AddressSanitizer + UndefinedBehaviorSanitizer, then run the test suite
# and replay the fuzz corpus (and the kept findings) through it. Any memory error or undefined
# behaviour aborts the run. Needs clang (Debian: clang, libclang-rt-14-dev).
#   fuzz/asan.sh [extra pytest arguments]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=$("$here/build_extension.sh" asan)
python=$(python -c "import sys; print(sys.executable)")
runtime=$(clang -print-file-name=libclang_rt.asan-x86_64.so)
export PYTHONPATH="$build" LD_PRELOAD="$runtime"
# CPython's own allocations are not instrumented: leak checks would only report interpreter noise.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
"$python" -c "import syncml_codec._wbxml as m, sys; assert m.__file__.startswith(sys.argv[1]), m.__file__" "$build"
cd "$root"
SYNCML_CODEC_REQUIRE_CYTHON=1 "$python" -m pytest tests -q -p no:cacheprovider "$@"
inputs=(tests/fuzz_regressions vectors/libwbxml vectors/libwbxml-n)
[[ -d fuzz/corpus/wbxml-cython ]] && inputs+=(fuzz/corpus/wbxml-cython)
[[ -d fuzz/corpus/differential ]] && inputs+=(fuzz/corpus/differential)
"$python" "$here/fuzz_decoders.py" differential --replay "${inputs[@]}"
xml_inputs=(vectors/xml)
[[ -d fuzz/corpus/xml ]] && xml_inputs+=(fuzz/corpus/xml)
"$python" "$here/fuzz_decoders.py" xml --replay "${xml_inputs[@]}"
