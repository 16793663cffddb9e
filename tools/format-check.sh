#!/bin/sh
# The C files that clang-format (with .clang-format) would change.
#   tools/format-check.sh [-d] [FILE...]
#     no FILE   every .c and .h of src/ and tests/ known to git (make format-check, make test)
#     FILE...   those files; other names and deleted files are ignored, so that
#               tools/format-check.sh $(git diff --name-only main) checks a branch's files
#     -d        also print each file's diff
# Prints "FILE: N lines would change" for each, then a summary; exits 1 if a
# file would change, 2 without clang-format. Fix: clang-format -i FILE...
set -u
cd "$(dirname "$0")/.." || exit 2
diffs=false
[ "${1:-}" = -d ] && { diffs=true; shift; }
command -v clang-format >/dev/null 2>&1 || { echo "format: clang-format is missing (apt-get install clang-format)"; exit 2; }
[ $# -gt 0 ] || set -- $(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h')
out=$(mktemp)
trap 'rm -f "$out"' EXIT
files=0 bad=0 lines=0 bad_files=""
for f in "$@"; do
  case $f in *.c | *.h) ;; *) continue ;; esac
  [ -f "$f" ] || continue
  files=$((files + 1))
  clang-format --style=file "$f" >"$out" || { echo "$f: clang-format failed"; bad=$((bad + 1)); continue; }
  n=$(diff "$f" "$out" | grep -c '^<')
  if [ "$n" -gt 0 ]; then
    echo "$f: $n lines would change"
    $diffs && diff -u --label "$f" --label "$f (clang-format)" "$f" "$out"
    bad=$((bad + 1)); lines=$((lines + n)); bad_files="$bad_files $f"
  fi
done
if [ $bad -eq 0 ]; then
  echo "format: ok ($files files)"
  exit 0
fi
echo "format: $bad of $files files not formatted ($lines lines would change); fix with: clang-format -i$bad_files" | cut -c1-400
exit 1
