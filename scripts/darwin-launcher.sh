#!/bin/sh
# kubectl-netdiag on macOS. macOS kills an arm64 binary whose signature is invalid, and a single
# executable's injected blob invalidates Node's; no signing tool is available to the build. So the
# archive ships Node's own signed binary unchanged (./node), the bundle (./kubectl-netdiag.mjs) and
# this launcher as krew's `bin`.
# - krew runs it through a symlink (~/.krew/bin/kubectl-netdiag -> the store): follow the chain
#   with plain `readlink` (no `readlink -f` before macOS 12.3) to find the files next to it.
# - arguments go through untouched ("$@").
# - Node's on-disk compile cache in a per-user cache folder makes the second start approach the
#   single executable's; where that folder cannot be written (read-only HOME), Node runs without it.
self=$0
while [ -L "$self" ]; do
  link=$(readlink "$self") || break
  case $link in
    /*) self=$link ;;
    *) case $self in */*) self=${self%/*}/$link ;; *) self=$link ;; esac ;;
  esac
done
case $self in */*) dir=${self%/*} ;; *) dir=. ;; esac
if [ -z "${NODE_COMPILE_CACHE:-}" ]; then
  if [ -n "${XDG_CACHE_HOME:-}" ]; then NODE_COMPILE_CACHE=$XDG_CACHE_HOME/kubectl-netdiag
  elif [ -n "${HOME:-}" ]; then NODE_COMPILE_CACHE=$HOME/Library/Caches/kubectl-netdiag
  fi
  [ -n "${NODE_COMPILE_CACHE:-}" ] && export NODE_COMPILE_CACHE
fi
exec "$dir/node" --min-semi-space-size=16 "$dir/kubectl-netdiag.mjs" "$@"
