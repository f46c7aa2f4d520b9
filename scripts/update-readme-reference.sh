#!/usr/bin/env bash
# Regenerates README.md's component reference from the components' schemas.
# Run after adding or changing a component argument (a test fails until you do).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q package -DskipTests
java -jar collector-app/target/mpac-collector.jar reference > target-reference.md
python3 - <<'PY'
readme = open("README.md").read()
ref = open("target-reference.md").read()
start, end = "<!-- reference:start -->\n", "<!-- reference:end -->"
i, j = readme.index(start) + len(start), readme.index(end)
open("README.md", "w").write(readme[:i] + ref + readme[j:])
PY
rm target-reference.md
echo "README.md reference updated"
