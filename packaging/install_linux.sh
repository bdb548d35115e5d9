#!/usr/bin/env bash
# Install the frozen IxDesk build (dist/ixdesk, from build_frozen.sh) with its Linux desktop
# integration: launcher, AppStream metainfo and icons.
#
#   bash packaging/install_linux.sh                 # per user, into ~/.local
#   sudo PREFIX=/usr/local bash packaging/install_linux.sh   # system-wide
#   bash packaging/install_linux.sh --uninstall     # remove what it installed
#
# Variables: PREFIX (default ~/.local), DESTDIR (staging root for packagers), APP_DIR (the frozen
# folder to install; default dist/ixdesk).
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

refresh_caches() {
  [[ -n "$DESTDIR" ]] && return 0
  command -v update-desktop-database >/dev/null && update-desktop-database -q "$SHARE/applications" || true
  command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t -f "$SHARE/icons/hicolor" || true
}

if [[ "${1:-}" == "--uninstall" ]]; then
  rm -rf "$T$LIBDIR"
  rm -f "$T$BINLINK" "$T$SHARE/applications/$ID.desktop" "$T$SHARE/metainfo/$ID.metainfo.xml" \
        "$T$SHARE/icons/hicolor/scalable/apps/$ID.svg"
  for s in 48 128 256; do rm -f "$T$SHARE/icons/hicolor/${s}x${s}/apps/$ID.png"; done
  refresh_caches
  echo "IxDesk removed from $PREFIX"
  exit 0
fi

[[ -x "$APP_DIR/ixdesk" ]] || { echo "no frozen build at $APP_DIR; run packaging/build_frozen.sh first" >&2; exit 1; }

# The application folder, replaced as a whole so no file from an older version lingers.
mkdir -p "$T$PREFIX/lib" "$T$PREFIX/bin"
rm -rf "$T$LIBDIR.new"
cp -a "$APP_DIR" "$T$LIBDIR.new"
rm -rf "$T$LIBDIR"
mv "$T$LIBDIR.new" "$T$LIBDIR"
ln -sfn "$LIBDIR/ixdesk" "$T$BINLINK"

# Launcher: point Exec/TryExec at the installed binary so it works without ~/.local/bin on PATH.
install -d "$T$SHARE/applications" "$T$SHARE/metainfo" "$T$SHARE/icons/hicolor/scalable/apps"
sed -e "s|^Exec=ixdesk|Exec=$LIBDIR/ixdesk|" -e "s|^TryExec=ixdesk|TryExec=$LIBDIR/ixdesk|" \
  "$DESKTOP_SRC/$ID.desktop" > "$T$SHARE/applications/$ID.desktop"
chmod 0644 "$T$SHARE/applications/$ID.desktop"
install -m 0644 "$DESKTOP_SRC/$ID.metainfo.xml" "$T$SHARE/metainfo/$ID.metainfo.xml"
install -m 0644 "$DESKTOP_SRC/icons/$ID.svg" "$T$SHARE/icons/hicolor/scalable/apps/$ID.svg"
for s in 48 128 256; do
  install -d "$T$SHARE/icons/hicolor/${s}x${s}/apps"
  install -m 0644 "$DESKTOP_SRC/icons/$ID-$s.png" "$T$SHARE/icons/hicolor/${s}x${s}/apps/$ID.png"
done
refresh_caches

echo "IxDesk installed:"
echo "  application  $LIBDIR"
echo "  command      $BINLINK"
echo "  launcher     $SHARE/applications/$ID.desktop"
case ":$PATH:" in *":$PREFIX/bin:"*) ;; *) echo "  note: $PREFIX/bin is not on PATH; the menu entry works regardless";; esac
