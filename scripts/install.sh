#!/usr/bin/env bash
# Installs polisen-dash under PREFIX (default /usr/local):
#   PREFIX/bin/polisen-dash                          the binary (release build, Swift runtime linked in)
#   PREFIX/share/man/man1/polisen-dash.1             the man page, generated from the argument parser
#   PREFIX/share/bash-completion/completions/polisen-dash, PREFIX/share/zsh/site-functions/_polisen-dash,
#   PREFIX/share/fish/vendor_completions.d/polisen-dash.fish
#   PREFIX/lib/systemd/system/polisen-dash.service   the unit, pointing at this binary and config
#   PREFIX/share/doc/polisen-dash/config.toml        the sample configuration
#   ETC/polisen-dash/config.toml                     the same, only if no config is there yet
# ETC is /etc for the prefixes /usr and /usr/local, else PREFIX/etc.
# POLISEN_DASH_BIN=PATH installs that binary instead of building one.
# Installing under /usr or /usr/local needs root.
# Usage: scripts/install.sh [PREFIX]
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${1:-/usr/local}"
prefix="${prefix%/}"
case "$prefix" in
    /usr|/usr/local) etc=/etc ;;
    *) etc="$prefix/etc" ;;
esac

binary="${POLISEN_DASH_BIN:-}"
if [ -z "$binary" ]; then
    scripts/setup.sh
    swift build -c release --static-swift-stdlib --product polisen-dash >&2
    binary=.build/release/polisen-dash
fi
[ -x "$binary" ] || { echo "install: no executable at $binary" >&2; exit 1; }

# The man page: swift-argument-parser's generate-manual tool reads the binary's own help.
# POLISEN_DASH_MAN_TOOL=PATH uses an already built one.
tool="${POLISEN_DASH_MAN_TOOL:-}"
if [ -z "$tool" ]; then
    swift build --product generate-manual >&2
    tool="$(swift build --product generate-manual --show-bin-path)/generate-manual"
fi
man_dir="$(mktemp -d)"
trap 'rm -rf "$man_dir"' EXIT
"$tool" "$binary" --output-directory "$man_dir" >&2

install -d "$prefix/bin" "$prefix/share/man/man1" "$prefix/share/bash-completion/completions" \
    "$prefix/share/zsh/site-functions" "$prefix/share/fish/vendor_completions.d" \
    "$prefix/lib/systemd/system" "$prefix/share/doc/polisen-dash" "$etc/polisen-dash"
install -m 755 "$binary" "$prefix/bin/polisen-dash"
install -m 644 "$man_dir/polisen-dash.1" "$prefix/share/man/man1/polisen-dash.1"
"$prefix/bin/polisen-dash" --generate-completion-script bash > "$prefix/share/bash-completion/completions/polisen-dash"
"$prefix/bin/polisen-dash" --generate-completion-script zsh > "$prefix/share/zsh/site-functions/_polisen-dash"
"$prefix/bin/polisen-dash" --generate-completion-script fish > "$prefix/share/fish/vendor_completions.d/polisen-dash.fish"
sed -e "s|/usr/local/bin/polisen-dash|$prefix/bin/polisen-dash|g" -e "s|/etc/polisen-dash/|$etc/polisen-dash/|g" \
    contrib/polisen-dash.service > "$prefix/lib/systemd/system/polisen-dash.service"
chmod 644 "$prefix/lib/systemd/system/polisen-dash.service"
install -m 644 contrib/config.toml "$prefix/share/doc/polisen-dash/config.toml"
if [ -e "$etc/polisen-dash/config.toml" ]; then
    echo "kept the existing $etc/polisen-dash/config.toml (the sample is in $prefix/share/doc/polisen-dash/)" >&2
else
    install -m 644 contrib/config.toml "$etc/polisen-dash/config.toml"
fi
echo "installed polisen-dash $("$prefix/bin/polisen-dash" --version) under $prefix; config: $etc/polisen-dash/config.toml" >&2
echo "as a service: systemctl daemon-reload && systemctl enable --now polisen-dash" >&2
