#!/usr/bin/env bash
# The "today's RustCrypto path" side of issue 15's "≥ 4×" goal: streams
# 64 MiB and 1 GiB through the envelope code as it was before the backend
# split (commit 2800276, RustCrypto only), with the same Sealer-to-a-sink and
# open_stream-from-a-slice calls as benches/envelope_ratio.rs, and prints the
# median of 21 (64 MiB) and 5 (1 GiB) rounds. Run it right after
# `cargo bench --bench envelope_ratio` and compare the seckit rows.
#
#   bash scripts/bench-before-issue15/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
here=$PWD
tree=$(mktemp -d)/before-issue15
trap 'git -C "$here" worktree remove --force "$tree" >/dev/null 2>&1 || true' EXIT
git worktree add --detach "$tree" 2800276 >/dev/null
cp scripts/bench-before-issue15/stream_then.rs "$tree/benches/"
cat >>"$tree/Cargo.toml" <<'TOML'

[[bench]]
name = "stream_then"
harness = false
required-features = ["envelope"]
TOML
cd "$tree"
CARGO_TARGET_DIR="$here/target" cargo bench --bench stream_then 2>&1 | grep '^before issue 15'
