#!/usr/bin/env bash
# Regenerates completions/ from the plugins' clap definitions (the tests check it is current).
# Usage: scripts/completions.sh [DIR_WITH_BINARIES]   (default: target/debug)
set -euo pipefail
cd "$(dirname "$0")/.."
bins="${1:-target/debug}"
for bin in "$bins"/kubectl-vault_*; do
  [ -x "$bin" ] || continue
  name="$(basename "$bin")"            # kubectl-vault_unseal
  verb="${name#kubectl-}"              # vault_unseal
  "$bin" completion bash > "completions/$name.bash"
  "$bin" completion zsh > "completions/_$name"
  "$bin" completion fish > "completions/$name.fish"
  cat > "completions/kubectl_complete-$verb" <<HELPER
#!/usr/bin/env sh
# kubectl (1.26+) runs this when completing \`kubectl ${verb/_/-} …\`: put it on PATH.
exec $name __complete "\$@"
HELPER
  chmod +x "completions/kubectl_complete-$verb"
done
