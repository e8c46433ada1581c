#!/usr/bin/env bash
# Usage: scripts/package.sh [--build] TAG [BIN_DIR] [OUT_DIR]
#        scripts/package.sh --render TAG OUT_DIR
#
# Packs built plugin executables into release archives, one per plugin and platform as krew
# expects, and renders the krew manifests for that release.
#
#   --build  first build every plugin for the host (`cargo build --release --locked`) and
#            package target/release (BIN_DIR is then ignored)
#   --render only render the manifests from the archives already in OUT_DIR (the release
#            workflow gathers every platform's archives there first)
#   TAG      release tag, e.g. v0.1.0 (krew wants semver with a leading v)
#   BIN_DIR  directory holding the kubectl-vault_* executables (default target/release).
#            If it is target/<rust-target>/release, the archives are for that Rust target's
#            platform; otherwise for the host's
#   OUT_DIR  where the archives, SHA256SUMS and the rendered manifests go (default dist)
#
# For each krew-manifests/<plugin>.yaml it writes OUT_DIR/kubectl-<plugin>-TAG-<os>-<arch>.tar.gz
# holding the plugin's executable (kubectl-vault_<verb>, `.exe` on Windows), LICENSE,
# README.md and, except on Windows, its kubectl completion helper; it appends each archive's
# sum to OUT_DIR/SHA256SUMS. Then it renders every template into OUT_DIR/<plugin>.yaml the way
# krew-release-bot does: {{ .TagName }} becomes TAG, and each {{addURIAndSha "URL" .TagName}}
# becomes the uri and the sha256 of the archive it names. Platforms whose archive is not in
# OUT_DIR are left out, so running it once per platform into one OUT_DIR gives manifests
# covering them all.
set -euo pipefail

die() { echo "package.sh: $*" >&2; exit 1; }

usage="usage: scripts/package.sh [--build] TAG [BIN_DIR] [OUT_DIR] | --render TAG OUT_DIR"
mode=pack
case ${1:-} in
  --build) mode=build; shift ;;
  --render) mode=render; shift; [[ $# -eq 2 ]] || die "$usage" ;;
esac
[[ $# -ge 1 && $# -le 3 ]] || die "$usage"
tag=$1
bin_dir=${2:-target/release}
out_dir=${3:-dist}
[[ $mode == render ]] && out_dir=$2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[[ $tag =~ ^v[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]] || die "TAG must look like v1.2.3, not '$tag'"
shopt -s nullglob
templates=("$root"/krew-manifests/*.yaml)
[[ ${#templates[@]} -gt 0 ]] || die "no manifests in $root/krew-manifests"

sha256() {
  if command -v sha256sum >/dev/null; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1
}

# Packs one archive per plugin for this platform into OUT_DIR and records its sum.
pack() {
  if [[ $mode == build ]]; then
    (cd "$root" && cargo build --release --locked --workspace --bins) || die "cargo build failed"
    bin_dir=$root/target/release
  fi
  [[ -d $bin_dir ]] || die "no directory $bin_dir (build the plugins first, e.g. cargo build --release)"
  bin_dir=$(cd "$bin_dir" && pwd)
  mkdir -p "$out_dir"
  out_dir=$(cd "$out_dir" && pwd)

  # The platform: from the Rust target a cross build names (target/<rust-target>/release),
  # else the host's.
  platform_of_target() {
    case "$1" in
      x86_64-unknown-linux-musl | x86_64-unknown-linux-gnu) echo linux-amd64 ;;
      aarch64-unknown-linux-musl | aarch64-unknown-linux-gnu) echo linux-arm64 ;;
      x86_64-apple-darwin) echo darwin-amd64 ;;
      aarch64-apple-darwin) echo darwin-arm64 ;;
      x86_64-pc-windows-msvc | x86_64-pc-windows-gnu) echo windows-amd64 ;;
      *) return 1 ;;
    esac
  }
  if ! platform=$(platform_of_target "$(basename "$(dirname "$bin_dir")")"); then
    case "$(uname -s)/$(uname -m)" in
      Linux/x86_64) platform=linux-amd64 ;;
      Linux/aarch64 | Linux/arm64) platform=linux-arm64 ;;
      Darwin/x86_64) platform=darwin-amd64 ;;
      Darwin/arm64 | Darwin/aarch64) platform=darwin-arm64 ;;
      MINGW*/x86_64 | MSYS*/x86_64 | CYGWIN*/x86_64) platform=windows-amd64 ;;
      *) die "no krew platform for host $(uname -s)/$(uname -m)" ;;
    esac
  fi
  exe=""
  [[ $platform == windows-* ]] && exe=.exe

  # One archive per plugin: plugin vault-unseal is kubectl-vault_unseal (krew's rule).
  for doc in LICENSE README.md; do
    [[ -f $root/$doc ]] || die "missing $root/$doc"
  done
  for template in "${templates[@]}"; do
    name=$(basename "$template" .yaml)
    bin="kubectl-${name//-/_}"
    [[ -x $bin_dir/$bin$exe ]] || die "missing executable $bin_dir/$bin$exe (build it first)"
  done
  stage=$(mktemp -d)
  trap 'rm -rf "$stage"' EXIT
  for template in "${templates[@]}"; do
    name=$(basename "$template" .yaml)
    bin="kubectl-${name//-/_}"
    dir="$stage/$name"
    mkdir -p "$dir"
    cp "$bin_dir/$bin$exe" "$dir/" && chmod 0755 "$dir/$bin$exe"
    contents=("$bin$exe")
    for doc in LICENSE README.md; do
      cp "$root/$doc" "$dir/" && chmod 0644 "$dir/$doc"
      contents+=("$doc")
    done
    helper="kubectl_complete-${name//-/_}"
    if [[ -z $exe && -f $root/completions/$helper ]]; then
      cp "$root/completions/$helper" "$dir/" && chmod 0755 "$dir/$helper"
      contents+=("$helper")
    fi
    archive="$out_dir/kubectl-$name-$tag-$platform.tar.gz"
    tar -czf "$archive" -C "$dir" "${contents[@]}"
    sum=$(sha256 "$archive")
    [[ $sum =~ ^[0-9a-f]{64}$ ]] || die "sha256 failed on $archive"
    touch "$out_dir/SHA256SUMS"
    grep -v "  ${archive##*/}\$" "$out_dir/SHA256SUMS" > "$stage/sums" || true
    echo "$sum  ${archive##*/}" >> "$stage/sums"
    sort -k2 "$stage/sums" > "$out_dir/SHA256SUMS"
    echo "$archive"
  done
}

if [[ $mode != render ]]; then
  pack
fi
[[ -d $out_dir ]] || die "no directory $out_dir"
out_dir=$(cd "$out_dir" && pwd)

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
        line="${indent}uri: $url"$'\n'"${indent}sha256: $(sha256 "$file")"
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
