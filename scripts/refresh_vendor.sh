#!/usr/bin/env bash
# Refreshes the vendored NHS.UK frontend and htmx builds under static/vendor/ from
# the npm registry. Run it by hand when upgrading; the app never fetches them itself.
#   scripts/refresh_vendor.sh [nhsuk-frontend version] [htmx version]
set -euo pipefail
NHSUK_VERSION="${1:-10.6.1}"
HTMX_VERSION="${2:-2.0.11}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack --silent "nhsuk-frontend@${NHSUK_VERSION}" "htmx.org@${HTMX_VERSION}" >/dev/null
mkdir nhsuk htmx
tar xzf "nhsuk-frontend-${NHSUK_VERSION}.tgz" -C nhsuk
tar xzf "htmx.org-${HTMX_VERSION}.tgz" -C htmx

dest="$root/static/vendor/nhsuk-frontend"
rm -rf "$dest"
mkdir -p "$dest"
# The source maps are not vendored, so their references go too: the production static
# storage (WhiteNoise's manifest) refuses to collect a file that names a missing one.
sed -e 's|//# sourceMappingURL=[^ ]*$||' nhsuk/package/dist/nhsuk/nhsuk-frontend.min.js \
  >"$dest/nhsuk-frontend.min.js"
cp -r nhsuk/package/dist/nhsuk/assets "$dest/assets"
# The built CSS points at /assets/ on the site root and loads the Frutiger web font from
# assets.nhs.uk. Point the images at our copy, and drop the remote font: it is licensed
# to nhs.uk only, and the font stack falls back to Arial as NHS.UK frontend intends.
python3 - "$work/nhsuk/package/dist/nhsuk/nhsuk-frontend.min.css" "$dest/nhsuk-frontend.min.css" <<'PY'
import re
import sys

css = open(sys.argv[1], encoding="utf-8").read()
css = css.replace("url(/assets/", "url(assets/")
css = re.sub(r"@font-face\{[^}]*assets\.nhs\.uk[^}]*\}", "", css)
css = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", css)
open(sys.argv[2], "w", encoding="utf-8").write(css)
PY
cat > "$dest/VERSION" <<TXT
nhsuk-frontend ${NHSUK_VERSION} (npm), built files from dist/nhsuk
TXT
cat > "$dest/LICENSE.txt" <<'TXT'
The MIT License (MIT)

Copyright (c) 2018 NHS England

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
TXT

hdest="$root/static/vendor/htmx"
rm -rf "$hdest"
mkdir -p "$hdest"
cp htmx/package/dist/htmx.min.js "$hdest/"
cp htmx/package/LICENSE "$hdest/LICENSE.txt"
echo "htmx.org ${HTMX_VERSION} (npm)" > "$hdest/VERSION"
echo "Vendored nhsuk-frontend ${NHSUK_VERSION} and htmx ${HTMX_VERSION} into static/vendor/."
