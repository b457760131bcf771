#!/usr/bin/env bash
# The Nu HTML checker (npm vnu-jar, needs Java) on the pages the parity crawl saved
# (tests/test_crawl.py with PARITY_SAVE_DIR set): 0 errors expected.
#   bash scripts/vnu.sh DIR
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:?usage: scripts/vnu.sh DIR (the PARITY_SAVE_DIR of a test run)}"
jar=frontend/node_modules/vnu-jar/build/dist/vnu.jar
[ -f "$jar" ] || { echo "vnu.jar missing: run make assets" >&2; exit 2; }
count=$(find "$dir" -name '*.html' | wc -l)
[ "$count" -gt 0 ] || { echo "no page saved in $dir" >&2; exit 2; }
echo "Nu HTML checker on $count pages saved by the parity crawl"
java -Xss1m -jar "$jar" --errors-only --skip-non-html "$dir"
echo "0 errors"
