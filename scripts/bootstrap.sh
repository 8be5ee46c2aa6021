#!/usr/bin/env bash
# Prepare a checkout to run: the system libraries WeasyPrint needs (Debian packages, installed
# when running as root) and a Python 3.11 virtualenv in .venv with the project installed
# editable, dev extra included. Safe to run again: pip runs only when pyproject.toml is newer
# than the stamp file .venv/.installed, so a repeat run takes well under a second.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

# Pango (text layout), HarfBuzz subsetting (font embedding) and CJK fonts for the Chinese
# certificate texts.
apt_install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk

find_python() {
    local candidate
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

if [[ ! -x $VENV/bin/python ]]; then
    python="$(find_python)" || die "Python 3.11 is needed (neither python3.11 nor python3 is 3.11).
On Debian 12: apt-get install -y python3 python3-venv"
    # Debian's python3 leaves venv (ensurepip) to the python3-venv package.
    if ! "$python" -c 'import ensurepip' 2>/dev/null && [[ $(command -v "$python") == /usr/bin/* ]]; then
        apt_install python3-venv
    fi
    log "creating $VENV with $python"
    "$python" -m venv "$VENV" || die "could not create the virtualenv.
On Debian: apt-get install -y python3-venv"
fi

stamp="$VENV/.installed"
if [[ ! -f $stamp || pyproject.toml -nt $stamp ]]; then
    log "pip install -e '.[dev]'"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[dev]'
    touch "$stamp"
fi
