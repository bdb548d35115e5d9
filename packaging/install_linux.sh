#!/usr/bin/env bash
# Install the frozen IxDesk build (dist/ixdesk, from build_frozen.sh) with its Linux desktop
# integration: launcher, MIME type for consult files (*.ixdesk.json), AppStream metainfo and icons.
#
#   bash packaging/install_linux.sh                 # per user, into ~/.local
#   sudo PREFIX=/usr/local bash packaging/install_linux.sh   # system-wide
#   bash packaging/install_linux.sh --uninstall     # remove what it installed, and your IxDesk
#                                                   # settings, clinic details and autosaves
#   bash packaging/install_linux.sh --uninstall --keep-settings   # ... but keep those
#
# Variables: PREFIX (default ~/.local), DESTDIR (staging root for packagers; user files are never
# touched then), APP_DIR (the frozen folder to install; default dist/ixdesk).
#
# The bundle is smoke-tested (headless) before anything is installed; a bundle that fails is
# refused, and so is one built against a newer glibc than this system's.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="${PREFIX:-$HOME/.local}"
DESTDIR="${DESTDIR:-}"
APP_DIR="${APP_DIR:-$ROOT/dist/ixdesk}"
DESKTOP_SRC="$ROOT/resources/desktop"
ID="io.ixdesk.IxDesk"

LIBDIR="$PREFIX/lib/ixdesk"          # where the bundle lives once installed
BINLINK="$PREFIX/bin/ixdesk"
SHARE="$PREFIX/share"
T="$DESTDIR"                          # staging prefix for every write

UNINSTALL=""
KEEP_SETTINGS=""
for arg in "$@"; do
  case "$arg" in
    --uninstall) UNINSTALL=1 ;;
    --keep-settings) KEEP_SETTINGS=1 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "install_linux: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

refresh_caches() {
  [[ -n "$DESTDIR" ]] && return 0
  if command -v update-desktop-database >/dev/null; then update-desktop-database -q "$SHARE/applications" || true; fi
  if command -v update-mime-database >/dev/null && [[ -d "$SHARE/mime/packages" ]]; then update-mime-database "$SHARE/mime" || true; fi
  if command -v gtk-update-icon-cache >/dev/null; then gtk-update-icon-cache -q -t -f "$SHARE/icons/hicolor" 2>/dev/null || true; fi
}

# Desktop Entry spec: a value is a string whose backslashes are escaped, and an Exec argument with
# reserved characters (a space, quotes, $, `, \) is double-quoted, with " ` $ \ backslash-escaped
# inside; a literal % is %%. TryExec is a plain string (a path, not an argument list).
desktop_string() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//$'\n'/\\n}; s=${s//$'\t'/\\t}; s=${s//$'\r'/\\r}
  printf '%s' "$s"
}
desktop_exec_arg() {
  local s=$1
  s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//\`/\\\`}; s=${s//\$/\\\$}
  s=${s//%/%%}
  desktop_string "\"$s\""
}

# The user's own files: QSettings (organisation and application "IxDesk", ixdesk/ui/settings.py:
# the recent-files list, which holds patient-named paths), the clinic details
# (ixdesk/clinic_settings.py) and the autosaves (ixdesk/core/autosave.py). With sudo, the invoking
# user's.
user_files() {
  local home="$HOME" config="${XDG_CONFIG_HOME:-}" data="${XDG_DATA_HOME:-}"
  if [[ $EUID -eq 0 && -n "${SUDO_USER:-}" ]]; then
    home="$(getent passwd "$SUDO_USER" | cut -d: -f6)" || home=""; config=""; data=""
  fi
  [[ -n "$home" && "$home" != "/" ]] || return 0   # no home to clean
  config="${config:-$home/.config}"
  data="${data:-$home/.local/share}"
  printf '%s\n' "$config/IxDesk" "$config/ixdesk" "$data/ixdesk"
}

if [[ -n "$UNINSTALL" ]]; then
  rm -rf "$T$LIBDIR"
  rm -f "$T$BINLINK" "$T$SHARE/applications/$ID.desktop" "$T$SHARE/metainfo/$ID.metainfo.xml" \
        "$T$SHARE/mime/packages/$ID.xml" "$T$SHARE/icons/hicolor/scalable/apps/$ID.svg"
  for s in 48 128 256; do rm -f "$T$SHARE/icons/hicolor/${s}x${s}/apps/$ID.png"; done
  refresh_caches
  echo "IxDesk removed from $PREFIX"
  if [[ -z "$DESTDIR" ]]; then
    while IFS= read -r d; do
      [[ -e "$d" ]] || continue
      if [[ -n "$KEEP_SETTINGS" ]]; then
        echo "  kept (--keep-settings): $d"
      else
        rm -rf -- "$d"
        echo "  removed your IxDesk settings and data: $d"
      fi
    done < <(user_files)
  fi
  exit 0
fi

[[ -x "$APP_DIR/ixdesk" ]] || { echo "no frozen build at $APP_DIR; run packaging/build_frozen.sh first" >&2; exit 1; }

# Refuse a bundle this system cannot run, before installing anything.
refuse() { echo "install_linux: refusing to install $APP_DIR: $*" >&2; exit 1; }
if [[ -f "$APP_DIR/BUILD-INFO" ]] && command -v getconf >/dev/null; then
  built="$(awk '$1=="build_glibc"{print $2}' "$APP_DIR/BUILD-INFO")"
  here="$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')" || here=""
  if [[ -n "$built" && -n "$here" && "$(printf '%s\n%s\n' "$built" "$here" | sort -V | head -n1)" != "$built" ]]; then
    refuse "it was built against glibc $built and this system has $here; build it on the oldest distribution you support (see README, Installing)"
  fi
fi
SMOKE="$(mktemp -d "${TMPDIR:-/tmp}/ixdesk-install-smoke.XXXXXX")"
trap 'rm -rf "$SMOKE"' EXIT
shopt -s nullglob
examples=("$APP_DIR"/_internal/ixdesk/_data/resources/examples/*.json "$APP_DIR"/ixdesk/_data/resources/examples/*.json)
shopt -u nullglob
[[ ${#examples[@]} -gt 0 ]] || refuse "it holds no example consults (not a complete IxDesk build)"
echo "smoke-testing $APP_DIR ..."
( cd "$SMOKE" && export QT_QPA_PLATFORM=offscreen IXDESK_DATA_DIR="$SMOKE/data" &&
  timeout 120 "$APP_DIR/ixdesk" --version >/dev/null &&
  timeout 120 "$APP_DIR/ixdesk" criteria check >/dev/null &&
  timeout 120 "$APP_DIR/ixdesk" --smoke-test "${examples[0]}" ) > "$SMOKE/log" 2>&1 \
  || { tail -n 20 "$SMOKE/log" >&2; refuse "its smoke test failed (output above)"; }

# The application folder, replaced as a whole so no file from an older version lingers.
mkdir -p "$T$PREFIX/lib" "$T$PREFIX/bin"
rm -rf "$T$LIBDIR.new"
cp -a "$APP_DIR" "$T$LIBDIR.new"
rm -rf "$T$LIBDIR"
mv "$T$LIBDIR.new" "$T$LIBDIR"
ln -sfn "$LIBDIR/ixdesk" "$T$BINLINK"

# Launcher: Exec/TryExec point at the installed binary (so it works without ~/.local/bin on PATH),
# quoted per the Desktop Entry spec so a prefix with a space (or a quote, $, %) works.
install -d "$T$SHARE/applications" "$T$SHARE/metainfo" "$T$SHARE/mime/packages" "$T$SHARE/icons/hicolor/scalable/apps"
while IFS= read -r line || [[ -n "$line" ]]; do
  case "$line" in
    Exec=ixdesk*) printf 'Exec=%s%s\n' "$(desktop_exec_arg "$LIBDIR/ixdesk")" "${line#Exec=ixdesk}" ;;
    TryExec=ixdesk) printf 'TryExec=%s\n' "$(desktop_string "$LIBDIR/ixdesk")" ;;
    *) printf '%s\n' "$line" ;;
  esac
done < "$DESKTOP_SRC/$ID.desktop" > "$T$SHARE/applications/$ID.desktop"
chmod 0644 "$T$SHARE/applications/$ID.desktop"
install -m 0644 "$DESKTOP_SRC/$ID.metainfo.xml" "$T$SHARE/metainfo/$ID.metainfo.xml"
install -m 0644 "$DESKTOP_SRC/$ID.mime.xml" "$T$SHARE/mime/packages/$ID.xml"
install -m 0644 "$DESKTOP_SRC/icons/$ID.svg" "$T$SHARE/icons/hicolor/scalable/apps/$ID.svg"
for s in 48 128 256; do
  install -d "$T$SHARE/icons/hicolor/${s}x${s}/apps"
  install -m 0644 "$DESKTOP_SRC/icons/$ID-$s.png" "$T$SHARE/icons/hicolor/${s}x${s}/apps/$ID.png"
done
refresh_caches

echo "IxDesk installed:"
echo "  application  $LIBDIR"
echo "  command      $BINLINK"
echo "  launcher     $SHARE/applications/$ID.desktop (opens *.ixdesk.json consult files)"
case ":$PATH:" in *":$PREFIX/bin:"*) ;; *) echo "  note: $PREFIX/bin is not on PATH; the menu entry works regardless";; esac
