#!/usr/bin/env bash
# expect_report.sh PROGRAM MODE REGEX: passes when PROGRAM MODE exits non-zero and its output
# matches REGEX (grep -E), i.e. the sanitizer caught the bug the canary commits.
set -u
out=$("$1" "$2" 2>&1)
rc=$?
if [[ $rc -eq 0 ]]; then
  echo "FAIL: '$2' exited 0; the sanitizer did not stop it"; printf '%s\n' "$out" | head -20; exit 1
fi
if ! printf '%s\n' "$out" | grep -Eq "$3"; then
  echo "FAIL: '$2' exited $rc without a report matching '$3'"; printf '%s\n' "$out" | head -20; exit 1
fi
echo "ok: '$2' exited $rc with: $(printf '%s\n' "$out" | grep -Em1 "$3")"
