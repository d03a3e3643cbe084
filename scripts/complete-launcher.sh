#!/bin/sh
# kubectl_complete-netdiag: kubectl (>= 1.26) runs it to complete `kubectl netdiag …` (cobra's
# __complete protocol). krew links only kubectl-netdiag, so this one is linked or copied onto PATH
# by hand (README): follow the symlink chain to the kubectl-netdiag next to it, else use PATH's.
self=$0
while [ -L "$self" ]; do
  link=$(readlink "$self") || break
  case $link in
    /*) self=$link ;;
    *) case $self in */*) self=${self%/*}/$link ;; *) self=$link ;; esac ;;
  esac
done
case $self in */*) dir=${self%/*} ;; *) dir=. ;; esac
if [ -x "$dir/kubectl-netdiag" ]; then exec "$dir/kubectl-netdiag" __complete "$@"; fi
exec kubectl-netdiag __complete "$@"
