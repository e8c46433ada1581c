#!/usr/bin/env bash
# Usage: scripts/package.sh TAG [BIN_DIR] [OUT_DIR]
#
# Packs already-built plugin executables into the release archive of one platform and
# renders the krew manifests for that release. It builds nothing itself.
#
#   TAG      release tag, e.g. v0.1.0 (krew wants semver with a leading v)
#   BIN_DIR  directory holding kubectl-vault_* executables (default target/release).
#            If it is target/<rust-target>/release, the archive is for that Rust target;
#            otherwise for the host (Linux release binaries should be musl builds).
#   OUT_DIR  where the archive and the rendered manifests go (default dist)
#
# Writes OUT_DIR/kubectl-vault-TAG-<rust-target>.tar.gz, holding every plugin's executable
# (one per manifest in krew-manifests/), LICENSE, README.md and completions/, then renders
# every krew-manifests/<name>.yaml template into OUT_DIR/<name>.yaml the way
# krew-release-bot does: {{ .TagName }} becomes TAG, and each {{addURIAndSha "URL" .TagName}}
# becomes the uri and the sha256 of the archive it names. Platforms whose archive is not in
# OUT_DIR are left out, so running it once per target into one OUT_DIR gives manifests
# covering them all.
set -euo pipefail

die() { echo "package.sh: $*" >&2; exit 1; }

[[ $# -ge 1 && $# -le 3 ]] || die "usage: scripts/package.sh TAG [BIN_DIR] [OUT_DIR]"
tag=$1
bin_dir=${2:-target/release}
out_dir=${3:-dist}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[[ $tag =~ ^v[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]] || die "TAG must look like v1.2.3, not '$tag'"
[[ -d $bin_dir ]] || die "no directory $bin_dir (build the plugins first, e.g. cargo build --release)"
bin_dir=$(cd "$bin_dir" && pwd)
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)

# The Rust targets krew manifests list (krew os/arch in the templates' selectors).
targets=(x86_64-unknown-linux-musl aarch64-unknown-linux-musl x86_64-apple-darwin aarch64-apple-darwin)
target=$(basename "$(dirname "$bin_dir")")
if [[ " ${targets[*]} " != *" $target "* ]]; then
  case "$(uname -s)/$(uname -m)" in
    Linux/x86_64) target=x86_64-unknown-linux-musl ;;
    Linux/aarch64 | Linux/arm64) target=aarch64-unknown-linux-musl ;;
    Darwin/x86_64) target=x86_64-apple-darwin ;;
    Darwin/arm64 | Darwin/aarch64) target=aarch64-apple-darwin ;;
    *) die "no krew platform for host $(uname -s)/$(uname -m)" ;;
  esac
fi

# One executable per manifest: plugin vault-unseal is kubectl-vault_unseal (krew's rule).
shopt -s nullglob
templates=("$root"/krew-manifests/*.yaml)
[[ ${#templates[@]} -gt 0 ]] || die "no manifests in $root/krew-manifests"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
contents=()
for template in "${templates[@]}"; do
  name=$(basename "$template" .yaml)
  bin="kubectl-${name//-/_}"
  [[ -x $bin_dir/$bin ]] || die "missing executable $bin_dir/$bin (build it first)"
  cp "$bin_dir/$bin" "$stage/" && chmod 0755 "$stage/$bin"
  contents+=("$bin")
done
for doc in LICENSE README.md; do
  [[ -f $root/$doc ]] || die "missing $root/$doc"
  cp "$root/$doc" "$stage/" && chmod 0644 "$stage/$doc"
  contents+=("$doc")
done
completions=("$root"/completions/*)
if [[ ${#completions[@]} -gt 0 ]]; then
  cp -R "$root/completions" "$stage/"
  contents+=(completions)
fi

archive="$out_dir/kubectl-vault-$tag-$target.tar.gz"
tar -czf "$archive" -C "$stage" "${contents[@]}"
echo "$archive"

# Render the templates. A platform entry starts at "  - selector:" and runs while lines are
# indented deeper; it is kept only if the archive its addURIAndSha names exists. The
# templates' own comments (about being templates) are dropped.
uri_sha='^( *)\{\{addURIAndSha "([^"]+)" \.TagName\}\}$'
flush() {
  if [[ $in_platform == 1 && $keep == 1 ]]; then
    printf '%s' "$block"
    platforms=$((platforms + 1))
  fi
  in_platform=0 keep=0 block=""
}
for template in "${templates[@]}"; do
  rendered="$out_dir/$(basename "$template")"
  platforms=0 in_platform=0 keep=0 block=""
  while IFS= read -r line || [[ -n $line ]]; do
    [[ $line != '#'* ]] || continue
    if [[ $line =~ $uri_sha ]]; then
      [[ $in_platform == 1 ]] || die "$template: addURIAndSha outside a platform entry"
      indent=${BASH_REMATCH[1]}
      url=${BASH_REMATCH[2]//'{{ .TagName }}'/$tag}
      file="$out_dir/${url##*/}"
      if [[ -f $file ]]; then
        read -r sha _ < <(sha256sum "$file")
        [[ $sha =~ ^[0-9a-f]{64}$ ]] || die "sha256sum failed on $file"
        line="${indent}uri: $url"$'\n'"${indent}sha256: $sha"
        keep=1
      fi
    else
      line=${line//'{{ .TagName }}'/$tag}
      [[ $line != *'{{'* ]] || die "$template: unsupported template expression in: $line"
    fi
    if [[ $line == '  - selector:'* ]]; then
      flush
      in_platform=1
    elif [[ $in_platform == 1 && $line != '    '* ]]; then
      flush
    fi
    if [[ $in_platform == 1 ]]; then block+="$line"$'\n'; else printf '%s\n' "$line"; fi
  done < "$template" > "$rendered"
  flush >> "$rendered"
  [[ $platforms -gt 0 ]] || die "$template: no platform has an archive in $out_dir"
  echo "$rendered ($platforms platforms)"
done
