#!/usr/bin/env bash
# Build syncml_codec with its extension compiled by clang with extra instrumentation, into
# fuzz/build/<variant>/ (links to the package sources beside the instrumented _wbxml module):
#   fuzz    coverage for libFuzzer/atheris (what -fsanitize=fuzzer-no-link adds, less the
#           stack-depth hook atheris' libFuzzer does not define)
#   asan    AddressSanitizer + UndefinedBehaviorSanitizer
# Usage: fuzz/build_extension.sh fuzz|asan
set -euo pipefail
variant=${1:?usage: build_extension.sh fuzz|asan}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
case "$variant" in
    fuzz) flags="-fsanitize-coverage=inline-8bit-counters,pc-table,trace-cmp" ;;
    asan) flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined" ;;
    *) echo "unknown variant $variant" >&2; exit 2 ;;
esac
command -v clang >/dev/null || { echo "clang is needed: apt-get install clang" >&2; exit 1; }
out="$here/build/$variant"
rm -rf "$out" && mkdir -p "$out"
cp -rs "$root/src/syncml_codec" "$out/"  # the Python sources stay live: links
rm -f "$out"/syncml_codec/_wbxml*.so
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python -m cython -3 --module-name syncml_codec._wbxml "$root/src/_wbxml.pyx" -o "$work/_wbxml.c" >/dev/null
suffix=$(python -c "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))")
include=$(python -c "import sysconfig; print(sysconfig.get_paths()['include'])")
lxml_includes=$(python -c "import lxml; print(' '.join('-I' + p for p in lxml.get_include()))")
# shellcheck disable=SC2086  # $flags and $lxml_includes hold several options
clang $flags -g -O1 -fno-omit-frame-pointer -fPIC -shared -I"$include" $lxml_includes \
    "$work/_wbxml.c" -o "$out/syncml_codec/_wbxml$suffix"
ls "$out"/syncml_codec/_wbxml*.so >/dev/null
echo "$out"
