#!/usr/bin/env bash
# Installs a real VS Code that runs headless and offline, for the end-to-end tests:
# code-server 4.100.3 from npm (VS Code 1.100.3 with a plain-Node extension host, where onnxruntime-node loads),
# driven by playwright-core (a devDependency) with Debian's chromium. Idempotent: each step checks its result first.
# Learned from ../shared/e2e/recipe.sh; every workaround below is needed on a machine with no network but
# the npm registry and Debian's packages.
set -euo pipefail

HOME_DIR=${LLM_LAB_E2E_HOME:-$HOME/.cache/llm-lab-e2e}
CS_VERSION=4.100.3            # the newest code-server whose engines allow Node 20
CS_DIR=$HOME_DIR/cs
CS_BIN=$CS_DIR/node_modules/.bin/code-server
say() { printf '[e2e setup %s] %s\n' "$(date +%T)" "$*"; }
mkdir -p "$HOME_DIR"

# 1. Debian packages: chromium (the browser), ripgrep (stands in for @vscode/ripgrep's GitHub download), what
#    code-server's native modules compile with, and fonts: Liberation for Latin text, WenQuanYi Micro Hei for Chinese
#    (without a CJK font the Chinese UI, and the screenshots of it, show boxes).
PKGS="chromium ripgrep build-essential python3 pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev fonts-liberation fonts-wqy-microhei"
missing=$(for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done | xargs)
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then echo "missing Debian packages: $missing (install them as root: apt-get install $missing)"; exit 1; fi
  say "apt-get install $missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# node-gyp must build against the local Node headers instead of downloading them.
[ -f /usr/include/node/node_version.h ] && export npm_config_nodedir=/usr

# 2. code-server, its install scripts run only after ripgrep's download is replaced by Debian's binary.
export XDG_CONFIG_HOME=$HOME_DIR/xdg/config XDG_DATA_HOME=$HOME_DIR/xdg/data   # even --version writes config
RG_IN_CS=$CS_DIR/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg
if [ -x "$RG_IN_CS" ] && "$CS_BIN" --version 2>/dev/null | grep -q "^$CS_VERSION "; then
  say "code-server $CS_VERSION is installed"
  exit 0
fi
say "installing code-server $CS_VERSION"
mkdir -p "$CS_DIR"
[ -f "$CS_DIR/package.json" ] || echo '{ "name": "llm-lab-e2e-code-server", "private": true }' > "$CS_DIR/package.json"
(cd "$CS_DIR" && npm install --ignore-scripts --no-audit --no-fund "code-server@$CS_VERSION" >/dev/null)

# @vscode/ripgrep's postinstall fetches rg from GitHub unless its cache already holds the tarball it wants:
# find the version VS Code pins and the release tag that version downloads, and put Debian's rg there.
RG_PKG=$(node -p "require('$CS_DIR/node_modules/code-server/lib/vscode/npm-shrinkwrap.json').packages['node_modules/@vscode/ripgrep'].version")
probe=$(mktemp -d)
(cd "$probe" && npm pack --silent "@vscode/ripgrep@$RG_PKG" >/dev/null && tar xzf ./*.tgz)
RG_TAG=$(sed -n "s/^const VERSION = '\(.*\)';/\1/p" "$probe/package/lib/postinstall.js")
rm -rf "$probe"
[ -n "$RG_TAG" ] || { echo "cannot find the ripgrep release tag of @vscode/ripgrep@$RG_PKG"; exit 1; }
case "$(uname -m)" in x86_64) RG_TRIPLE=x86_64-unknown-linux-musl ;; aarch64) RG_TRIPLE=aarch64-unknown-linux-musl ;; *) echo "unsupported arch $(uname -m)"; exit 1 ;; esac
SEED=$HOME_DIR/rg-seed
mkdir -p "$SEED/vscode-ripgrep-cache-$RG_PKG" "$SEED/stage"
cp "$(command -v rg)" "$SEED/stage/rg"
tar czf "$SEED/vscode-ripgrep-cache-$RG_PKG/ripgrep-$RG_TAG-$RG_TRIPLE.tar.gz" -C "$SEED/stage" rg

# As root, code-server's postinstall needs unsafe_perm; node-pty's runs `npx node-gyp`, which must not prompt.
say "building code-server's native modules (1-3 minutes)"
(cd "$CS_DIR" && TMPDIR=$SEED npm_config_unsafe_perm=true npm_config_yes=true npm rebuild --foreground-scripts > "$HOME_DIR/rebuild.log" 2>&1) \
  || { tail -40 "$HOME_DIR/rebuild.log"; exit 1; }
[ -x "$RG_IN_CS" ] || { echo "ripgrep is missing at $RG_IN_CS"; exit 1; }
"$CS_BIN" --version | head -1
