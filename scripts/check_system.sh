#!/usr/bin/env bash
# Checks what the tracker needs from the machine itself and says what to install,
# instead of failing later with a traceback.
#   check_system.sh            check Python 3.11+ and the libraries WeasyPrint needs
#   check_system.sh venv DIR   also create the virtual environment DIR with that Python
set -euo pipefail

find_python() {
  for candidate in ${PYTHON:-} python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if ! python_bin="$(find_python)"; then
  echo "The tracker needs Python 3.11 or newer. Install it (Debian/Ubuntu: apt-get install python3 python3-venv)," >&2
  echo "or point PYTHON at one: make run PYTHON=/path/to/python3.12" >&2
  exit 1
fi
if ! "$python_bin" -c 'import venv, ensurepip' 2>/dev/null; then
  echo "Python's venv module is missing. Debian/Ubuntu: apt-get install python3-venv" >&2
  exit 1
fi

# WeasyPrint renders committee papers with Pango (and HarfBuzz, fontconfig) from the system.
missing=()
for lib in pango-1.0 pangoft2-1.0 harfbuzz fontconfig; do
  if ! "$python_bin" -c "import ctypes.util, sys; sys.exit(0 if ctypes.util.find_library('$lib') else 1)"; then
    missing+=("$lib")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "WeasyPrint needs system libraries that are not installed: ${missing[*]}" >&2
  echo "  Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fontconfig" >&2
  echo "  Fedora:        dnf install pango harfbuzz fontconfig" >&2
  echo "  macOS:         brew install pango" >&2
  exit 1
fi

if [ "${1:-}" = "venv" ]; then
  target="${2:-.venv}"
  if [ ! -x "$target/bin/python" ]; then
    echo "Creating $target with $python_bin ($("$python_bin" --version))"
    "$python_bin" -m venv "$target"
  fi
fi
