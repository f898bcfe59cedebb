#!/usr/bin/env bash
# Runs sigstore-conformance's bundle-verify cases (copied into
# Tests/SigstoreTests/Fixtures/sigstore-conformance/bundle-verify, see SOURCES.md there)
# against a built `wheeltrust verify-bundle`, the way the suite's client protocol does
# (docs/cli_protocol.md and test/client.py of sigstore-conformance):
#
#   wheeltrust verify-bundle --bundle B (--key K | --certificate-identity I --certificate-oidc-issuer S)
#                            [--trusted-root T] FILE_OR_DIGEST
#
# Each case runs twice, once with the artifact's path and once with `sha256:<hex>` (the suite's
# PATH and DIGEST parametrisations). A case's verdict is right when both runs are: exit 0 for a
# case whose name does not end in `_fail`, a non-zero exit for one that does (the suite only
# asks for a failure; the exit code is printed so a usage error is told from a refusal).
#
# Usage: scripts/conformance.sh [path/to/wheeltrust]   (default: .build/debug/wheeltrust)
# Prints one line per case and then `N of M verdicts right`; exits 0 only when all are right.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
binary=${1:-$here/.build/debug/wheeltrust}
cases=$here/Tests/SigstoreTests/Fixtures/sigstore-conformance/bundle-verify
default_identity="https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
default_issuer="https://token.actions.githubusercontent.com"

[ -x "$binary" ] || { echo "no wheeltrust binary at $binary (build it first)" >&2; exit 2; }
[ -d "$cases" ] || { echo "no conformance cases at $cases" >&2; exit 2; }

# The verification must not read a cached trust root of the user's: an empty cache.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export XDG_CACHE_HOME=$scratch/cache

total=0
right=0
for dir in "$cases"/*/; do
    name=$(basename "$dir")
    [ -f "$dir/bundle.sigstore.json" ] || continue
    total=$((total + 1))
    artifact=$cases/a.txt
    [ -f "$dir/artifact" ] && artifact=$dir/artifact
    args=(verify-bundle --bundle "$dir/bundle.sigstore.json")
    if [ -f "$dir/key.pub" ]; then
        args+=(--key "$dir/key.pub")
    else
        identity=$default_identity
        issuer=$default_issuer
        [ -f "$dir/identity" ] && identity=$(tr -d '\n' < "$dir/identity")
        [ -f "$dir/issuer" ] && issuer=$(tr -d '\n' < "$dir/issuer")
        args+=(--certificate-identity "$identity" --certificate-oidc-issuer "$issuer")
    fi
    [ -f "$dir/trusted_root.json" ] && args+=(--trusted-root "$dir/trusted_root.json")
    digest=sha256:$(sha256sum "$artifact" | cut -d' ' -f1)

    "$binary" "${args[@]}" "$artifact" > "$scratch/path.out" 2>&1
    path_status=$?
    "$binary" "${args[@]}" "$digest" > "$scratch/digest.out" 2>&1
    digest_status=$?

    if [[ $name == *_fail ]]; then
        ok=$([ $path_status -ne 0 ] && [ $digest_status -ne 0 ] && echo yes || echo no)
        want="fail"
    else
        ok=$([ $path_status -eq 0 ] && [ $digest_status -eq 0 ] && echo yes || echo no)
        want="pass"
    fi
    [ "$ok" = yes ] && right=$((right + 1))
    mark=$([ "$ok" = yes ] && echo "right" || echo "WRONG")
    detail=$(head -c 300 "$scratch/path.out" | tr '\n' ' ')
    printf '%-5s %-60s want %s, exit %d/%d: %s\n' "$mark" "$name" "$want" "$path_status" "$digest_status" "$detail"
done
echo "$right of $total verdicts right"
[ "$right" -eq "$total" ]
