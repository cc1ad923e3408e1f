#!/usr/bin/env bash
# Write a scratch project whose one content file has N unknown parameters
# (issue 12's worst case for diagnostics): gen-unknown-keys.sh DIR N
# Used by docs/diagnostics-bench.md.
set -euo pipefail
dir=$1 n=$2
root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$dir/content/hunting"
cp -r "$root/templates" "$dir/templates"
cp "$root/content/hunting/run-command-spike.toml" "$dir/content/hunting/spike.toml"
awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "unknown%07d = 1\n", i }' \
  >> "$dir/content/hunting/spike.toml"
