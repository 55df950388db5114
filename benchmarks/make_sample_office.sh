#!/bin/sh
# Regenerate the sample office: the project repository is itself a case repository
# (complaintctl.yaml at the root, ~300 sample cases in cases/). Deterministic: the same
# code gives the same files, so re-running after a change to the case format rewrites
# exactly what changed. Usage (from anywhere, in the project's venv):
#     sh benchmarks/make_sample_office.sh
set -eu
trap 'rm -f complaintctl.yaml.new' EXIT
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"  # the venv complaintctl is installed in

# The policy: the property preset for office SZ (office.policy_text keeps its comments).
"$PYTHON" -c 'import sys
from complaintctl.repo.office import policy_text
sys.stdout.write(policy_text("property", "SZ", "示例物业服务中心", None))' > complaintctl.yaml.new
mv complaintctl.yaml.new complaintctl.yaml
if ! git diff --quiet -- complaintctl.yaml || ! git ls-files --error-unmatch complaintctl.yaml >/dev/null 2>&1; then
    git add complaintctl.yaml
    git commit -q --no-verify -m "sample office: policy from the property preset (office SZ)" -- complaintctl.yaml
fi

# The cases. The clock is pinned after the range, so the result never depends on today;
# --no-verify because a format change rewrites committed cases (the hooks would rightly
# refuse that for real records); every step is checked by the validator as it is made.
COMPLAINTCTL_NOW=2026-11-01T08:00:00+08:00 "$PYTHON" -m complaintctl sample \
    --count 300 --seed 2026 --since 2026-01-01 --until 2026-10-31 \
    --replace --batch-size 300 --no-verify
"$PYTHON" -m complaintctl validate
