#!/usr/bin/env bash
# Installs the Debian packages Gongwen needs (LibreOffice headless, UNO, fonts, poppler) and the
# Fandol fonts extracted from texlive-lang-chinese. Idempotent: does nothing when all is present.
# Called by `make run`, `make test` and the Dockerfile (with --runtime-only: no test servers or browser), so
# what is tested is what ships.
set -euo pipefail

FANDOL_DIR=${GONGWEN_FANDOL_DIR:-/usr/local/share/fonts/gongwen-fandol}
PACKAGES=(python3-venv libreoffice-writer-nogui python3-uno fonts-noto-cjk fonts-liberation2 poppler-utils fontconfig)
# Only the tests need these: private PostgreSQL and Redis servers prove the scale-out configuration works, and
# the browser tests drive Debian's chromium through Playwright (no browser download). The image leaves them out.
TEST_PACKAGES=(postgresql redis-server chromium)
if [ "${1:-}" != "--runtime-only" ]; then
  PACKAGES+=("${TEST_PACKAGES[@]}")
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if [ "$(id -u)" -ne 0 ] && { [ ${#missing[@]} -gt 0 ] || [ ! -f "$FANDOL_DIR/FandolFang-Regular.otf" ]; }; then
  echo "setup-system: missing ${missing[*]:-Fandol fonts}; run this script as root (or install them)" >&2
  exit 1
fi

apt_updated=0
apt_update_once() {
  if [ "$apt_updated" -eq 0 ]; then
    apt-get update -qq
    apt_updated=1
  fi
}

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-system: installing ${missing[*]}"
  apt_update_once
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# NOTE: Debian's only open FangSong/Kai are the Fandol fonts inside texlive-lang-chinese (268 MB with
# its TeX dependencies). We download the one .deb and extract just the fonts and their licence.
if [ ! -f "$FANDOL_DIR/FandolFang-Regular.otf" ]; then
  echo "setup-system: extracting Fandol fonts from texlive-lang-chinese"
  apt_update_once
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get download -qq texlive-lang-chinese)
  dpkg -x "$work"/texlive-lang-chinese_*.deb "$work/x"
  mkdir -p "$FANDOL_DIR"
  cp "$work"/x/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/Fandol*.otf "$FANDOL_DIR/"
  readme=$(find "$work/x" -path '*fandol*' -iname 'README*' | head -n 1)
  if [ -n "$readme" ]; then cp "$readme" "$FANDOL_DIR/README-fandol"; fi
  fc-cache -f "$FANDOL_DIR" >/dev/null
fi
echo "setup-system: system packages and fonts present"
