# shellcheck shell=bash
# Sourced by the build scripts (build_wheel.sh, check_wheel.sh, build_frozen.sh): build only from
# what git tracks, so an untracked file (a real patient's consult saved into resources/examples, an
# editor's swap file) can never ship in a wheel or a bundle.
#
#   require_python_311 PYTHON          fail unless PYTHON is Python >= 3.11
#   refuse_unclean_data ROOT           fail, naming the files, if resources/ or criteria/ holds
#                                      anything untracked (ignored files included) or changed
#                                      since the last commit
#   export_tracked_tree ROOT DEST      copy the tracked files (as in the working tree) to DEST
#   check_data_is_tracked ROOT LIST    fail if the files of a build's data folder (one path per
#                                      line in LIST, relative to the folder holding criteria/ and
#                                      resources/) differ from the tracked ones

require_python_311() {
  local py=$1 version
  version="$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" || {
    echo "IxDesk needs Python >= 3.11, and '$py' does not run. Set PYTHON=python3.11 (or newer)." >&2
    return 1
  }
  if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "IxDesk needs Python >= 3.11; '$py' is Python $version. Set PYTHON=python3.11 (or newer)." >&2
    return 1
  fi
}

_in_git_checkout() {
  git -C "$1" rev-parse --is-inside-work-tree >/dev/null 2>&1 || {
    echo "$1 is not a git checkout, so which files are tracked cannot be told: build from a git clone." >&2
    return 1
  }
}

refuse_unclean_data() {
  local root=$1 untracked changed
  _in_git_checkout "$root" || return 1
  # --others without --exclude-standard: ignored files (*.swp, *~) would ship too, so they count.
  untracked="$(git -C "$root" -c core.quotePath=false ls-files --others -- resources criteria)"
  changed="$(git -C "$root" -c core.quotePath=false diff --name-only HEAD -- resources criteria)"
  if [[ -n "$untracked" || -n "$changed" ]]; then
    {
      echo "refusing to build: resources/ and criteria/ must hold exactly the committed files."
      [[ -n "$untracked" ]] && { echo "untracked (remove them, or commit them if they belong in the app):"; sed 's/^/    /' <<<"$untracked"; }
      [[ -n "$changed" ]] && { echo "changed since the last commit (commit or restore them):"; sed 's/^/    /' <<<"$changed"; }
    } >&2
    return 1
  fi
}

export_tracked_tree() {
  local root=$1 dest=$2
  _in_git_checkout "$root" || return 1
  rm -rf "$dest"
  mkdir -p "$dest"
  # Tracked files only, as they are in the working tree (so a build tests the code being worked
  # on); a tracked file deleted in the working tree is left out.
  (
    cd "$root"
    git ls-files -z --cached | while IFS= read -r -d '' f; do
      if [[ -e "$f" || -L "$f" ]]; then printf '%s\0' "$f"; fi
    done | tar --null --no-recursion -T - -cf -
  ) | tar -xf - -C "$dest"
}

check_data_is_tracked() {
  local root=$1 list=$2 extra missing
  extra="$(comm -23 <(LC_ALL=C sort -u "$list") <(git -C "$root" -c core.quotePath=false ls-files -- criteria resources | LC_ALL=C sort -u))"
  missing="$(comm -13 <(LC_ALL=C sort -u "$list") <(git -C "$root" -c core.quotePath=false ls-files -- criteria resources | LC_ALL=C sort -u))"
  if [[ -n "$extra" || -n "$missing" ]]; then
    [[ -n "$extra" ]] && { echo "the build holds data files git does not track:"; sed 's/^/    /' <<<"$extra"; } >&2
    [[ -n "$missing" ]] && { echo "the build lacks tracked data files:"; sed 's/^/    /' <<<"$missing"; } >&2
    return 1
  fi
}
