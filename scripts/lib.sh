# shellcheck shell=bash
# Helpers shared by the scripts in this folder; sourced, never run on its own.
#
# Sets ROOT (the repository root) and VENV, and offers log/die and apt_install, which installs
# Debian packages as root (one `apt-get update` per run) or says exactly what to run otherwise.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
export ROOT VENV

if [[ -t 2 ]]; then
    log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
else
    log() { printf '==> %s\n' "$*" >&2; }
fi
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
    printf '\nerror: %s\n' "$*" >&2
    exit 1
}

# apt_install PKG...: install the Debian packages that are not installed yet.
apt_install() {
    local missing=() pkg
    if ! command -v dpkg-query >/dev/null 2>&1; then
        warn "not a Debian system: make sure these are installed: $*"
        return 0
    fi
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    if [[ $(id -u) -ne 0 ]]; then
        die "missing system packages: ${missing[*]}
Install them, then run this again:
    sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    fi
    log "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # One update per run; skipped when the package lists were refreshed in the last hour.
    if [[ -z ${_APT_UPDATED:-} ]] &&
        [[ -z $(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -60 2>/dev/null) ]]; then
        apt-get update -qq
    fi
    _APT_UPDATED=1
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
