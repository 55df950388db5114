#!/bin/sh
# Regenerate the sample office: the project repository is itself a case repository
# (complaintctl.yaml at the root, 300 sample cases in cases/), and its `git log -- cases` is
# the office's register: every step of every case one commit by the person who took it, at
# the time it was taken, with the subject and trailers complaintctl writes (`sample --history
# --per-step`). Usage (from anywhere, in the project's venv, on a clean work tree):
#     sh benchmarks/make_sample_office.sh
# Deterministic: the same code gives the same files and the same history. Each run replaces
# cases/ in two commits on the current branch — one removing the old cases, one merging the
# new history (a root of its own holding only cases/) with --allow-unrelated-histories —
# so the code's history and the office's register never interleave.
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"  # the venv complaintctl is installed in
NOW=2026-11-01T08:00:00+08:00  # pinned after the range: the result never depends on today
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp" complaintctl.yaml.new' EXIT

# The policy: the property preset for office SZ (office.policy_text keeps its comments).
"$PYTHON" -c 'import sys
from complaintctl.repo.office import policy_text
sys.stdout.write(policy_text("property", "SZ", "示例物业服务中心", None))' > complaintctl.yaml.new
mv complaintctl.yaml.new complaintctl.yaml
if ! git diff --quiet -- complaintctl.yaml || ! git ls-files --error-unmatch complaintctl.yaml >/dev/null 2>&1; then
    git add complaintctl.yaml
    git commit -q --no-verify -m "sample office: policy from the property preset (office SZ)" -- complaintctl.yaml
fi

# The history, built in a scratch repository with the policy and nothing else, so its root
# commit holds only cases/. No hook runs there: every step is checked by the validator as its
# own actor at its own time while it is made (complaintctl/sample/life.py).
git init -q -b main "$tmp/office"
cp complaintctl.yaml "$tmp/office/"
git -C "$tmp/office" config user.name sample
git -C "$tmp/office" config user.email sample@example.com
(cd "$tmp/office" && COMPLAINTCTL_NOW="$NOW" "$PYTHON" -m complaintctl sample \
    --count 300 --seed 2026 --since 2026-01-01 --until 2026-10-31 --history --per-step)

# Replace cases/ here. The old cases go first, so the merge takes every file from the new
# history and `git log -- cases` follows it alone. COMPLAINTCTL_BACKFILL: in a clone that is
# its own witness (no origin, hooks installed) these commits are noted with no entries, so
# the sample's steps keep their claimed times as history from before stamping began
# (docs/design/recorded-time.md), never "recorded late" at the moment of this merge.
export COMPLAINTCTL_BACKFILL=1
if git ls-files --error-unmatch cases >/dev/null 2>&1; then
    git rm -r -q cases
    git commit -q --no-verify -m "sample office: remove the cases, to be replaced by their history" \
        -m "The next commit merges the regenerated office's history, one commit per step."
fi
git fetch -q "$tmp/office" main
git merge -q --no-ff --no-commit --allow-unrelated-histories FETCH_HEAD
git commit -q --no-verify -m "sample office: 300 cases with their history, one commit per step" \
    -m "Made by benchmarks/make_sample_office.sh: \`complaintctl sample --count 300 --seed 2026
--since 2026-01-01 --until 2026-10-31 --history --per-step\` with the clock at $NOW, in a
repository of its own, merged here as an unrelated history holding only cases/."
"$PYTHON" -m complaintctl validate
