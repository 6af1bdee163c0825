#!/usr/bin/env bash
# The Debian package end to end: built with CPack from this build tree, clean
# under lintian, installed with dpkg as a station would get it (user, unit,
# conffile, man pages, check-config of the default configuration), upgraded
# in place, removed (configuration and state kept), purged (nothing left).
# Building and lintian run as any user; installing needs root, so without it
# that part is skipped with the reason.
# usage: deb_test.sh BUILD_DIR SOURCE_DIR VERSION HAS_DOCKD_VERIFY(0|1)
set -euo pipefail
build=$1 src=$2 version=$3 has_verify=$4
work=$(mktemp -d)
installed_here=0
cleanup() {
    # A failing run must not leave the package, or the state it made, behind.
    if ((installed_here)); then
        if dpkg-query -W -f='${Status}' dockd 2>/dev/null | grep -qv not-installed; then
            dpkg --purge dockd >/dev/null 2>&1 || true
        fi
        rm -rf /etc/dockd /var/lib/dockd /run/dockd
    fi
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*"
    exit 1
}
step() { echo "--- $*"; }

step "changelog and project agree on the version"
changelog_version=$(dpkg-parsechangelog -l "$src/packaging/debian/changelog" -S Version)
[ "$changelog_version" = "$version" ] || fail "debian/changelog says $changelog_version, CMakeLists.txt $version"

step "cpack -G DEB"
start=$SECONDS
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work" >"$work/cpack.log" 2>&1 || {
    cat "$work/cpack.log"
    fail "cpack"
}
deb=$work/dockd_${version}_$(dpkg --print-architecture).deb
[ -f "$deb" ] || fail "no $deb; cpack wrote: $(ls "$work")"
echo "built $(basename "$deb") ($(du -h "$deb" | cut -f1)) in $((SECONDS - start)) s"

step "control: Depends from dpkg-shlibdeps, the conffile, maintainer scripts"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libc6 libstdc++6 libsqlite3-0 libssl3 libsystemd0; do
    grep -q "\b$lib\b" <<<"$depends" || fail "Depends lacks $lib: dpkg-shlibdeps did not run?"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -x -C "$work" ./conffiles ./postinst ./prerm ./postrm
grep -qx /etc/dockd/dockd.yaml "$work/conffiles" || fail "/etc/dockd/dockd.yaml is not a conffile"

step "contents"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$work/contents"
expected=(/usr/bin/dockd /usr/bin/dockctl /usr/libexec/dockd/dockd-sdk-host /lib/systemd/system/dockd.service
    /usr/lib/sysusers.d/dockd.conf /usr/lib/tmpfiles.d/dockd.conf /lib/udev/rules.d/60-dockd.rules
    /etc/dockd/dockd.yaml /usr/share/man/man8/dockd.8.gz /usr/share/man/man1/dockctl.1.gz
    /usr/share/man/man5/dockd.yaml.5.gz /usr/share/bash-completion/completions/dockctl
    /usr/share/doc/dockd/copyright /usr/share/doc/dockd/changelog.gz /usr/share/doc/dockd/README.md
    /usr/share/doc/dockd/examples/monitoring/dockd-alerts.yml
    /usr/share/doc/dockd/examples/monitoring/dockd-dashboard.json /usr/share/doc/dockd/examples/60-dockd.rules)
((has_verify)) && expected+=(/usr/bin/dockd-verify /usr/share/man/man1/dockd-verify.1.gz)
for f in "${expected[@]}"; do
    grep -qx "$f" "$work/contents" || fail "$f is not in the package"
done
echo "${#expected[@]} expected files present"

step "lintian"
start=$SECONDS
lintian_args=(--fail-on error,warning --display-level ">=info" --show-overrides)
[ "$(id -u)" = 0 ] && lintian_args+=(--allow-root)
if ! lintian "${lintian_args[@]}" "$deb" >"$work/lintian.log" 2>&1; then
    cat "$work/lintian.log"
    fail "lintian reports errors or warnings not overridden"
fi
echo "lintian: $(grep -c '^E:' "$work/lintian.log" || true) errors, $(grep -c '^W:' "$work/lintian.log" || true) warnings," \
    "$(grep -c '^O:' "$work/lintian.log" || true) overridden, $(grep -c '^I:' "$work/lintian.log" || true) info" \
    "($((SECONDS - start)) s)"
cat "$work/lintian.log"

if [ "$(id -u)" != 0 ]; then
    echo "SKIP install/remove/purge: dpkg -i needs root (running as $(id -un))"
    exit 0
fi
if dpkg-query -W -f='${Status}' dockd 2>/dev/null | grep -q "ok installed\|config-files"; then
    fail "a dockd package is already on this machine; this test installs and purges its own (dpkg --purge dockd first)"
fi
for d in /etc/dockd /var/lib/dockd /run/dockd; do
    [ ! -e "$d" ] || fail "$d exists: purging the test's package would delete it (move it away first)"
done

# Every path named for dockd outside the test trees, before and after: purge
# must bring this back exactly.
snapshot() {
    find /etc /usr /var /run -xdev \( -path /var/tmp -o -path /var/cache -o -path /var/log \) -prune -o \
        -path '*dockd*' -print 2>/dev/null | sort
}
snapshot >"$work/before"

step "dpkg -i (fresh install)"
installed_here=1
dpkg -i "$deb" 2>&1 | tee "$work/install.log"
grep -q "dockd: " "$work/install.log" || fail "postinst printed no note"
getent passwd dockd >/dev/null || fail "no dockd user after install"
getent group dockd >/dev/null || fail "no dockd group after install"
[ "$(getent passwd dockd | cut -d: -f6)" = /var/lib/dockd ] || fail "dockd's home is not /var/lib/dockd"
[ "$(dockd --version)" = "dockd $version" ] || fail "dockd --version says '$(dockd --version)'"
[ "$(command -v dockd)" = /usr/bin/dockd ] || fail "dockd on PATH is $(command -v dockd)"
dockd --config /etc/dockd/dockd.yaml --check-config || fail "the default configuration does not pass --check-config"
[ "$(man -w dockd)" = /usr/share/man/man8/dockd.8.gz ] || fail "man -w dockd: $(man -w dockd 2>&1)"
man -w dockctl >/dev/null && man -w 5 dockd.yaml >/dev/null || fail "man pages dockctl(1) / dockd.yaml(5)"
out=$(systemd-analyze verify /lib/systemd/system/dockd.service 2>&1) || true
[ -z "$out" ] || fail "systemd-analyze verify: $out"
[ -L /etc/systemd/system/multi-user.target.wants/dockd.service ] || fail "dockd.service is not enabled"
[ "$(stat -c %U /run/dockd/bays)" = dockd ] || fail "tmpfiles did not create /run/dockd/bays for dockd"
dpkg-query -W -f='${Conffiles}\n' dockd | grep -q "/etc/dockd/dockd.yaml" || fail "dpkg does not track the conffile"
echo "installed: user, version, check-config, man, unit, enablement, tmpfiles, conffile ok"

step "dpkg -i again (upgrade in place)"
dpkg -i "$deb" >"$work/upgrade.log" 2>&1 || {
    cat "$work/upgrade.log"
    fail "reinstall over itself"
}

# What a station accumulates: state, a secret next to the configuration.
mkdir -p /var/lib/dockd/staging
echo state >/var/lib/dockd/custody.db
install -m 0600 /dev/null /etc/dockd/api.tokens

step "dpkg --remove: configuration and state stay"
dpkg --remove dockd >/dev/null
[ ! -e /usr/bin/dockd ] || fail "/usr/bin/dockd left after remove"
[ -f /etc/dockd/dockd.yaml ] && [ -f /etc/dockd/api.tokens ] || fail "remove deleted the configuration"
[ -f /var/lib/dockd/custody.db ] || fail "remove deleted the custody state"
dpkg-query -W -f='${Status}\n' dockd | grep -q config-files || fail "not in config-files state after remove"

step "dpkg --purge: nothing left"
dpkg --purge dockd >/dev/null
if dpkg-query -W -f='${Status}\n' dockd 2>/dev/null | grep -qv not-installed; then
    fail "dpkg still knows dockd after purge: $(dpkg-query -W -f='${Status}' dockd)"
fi
snapshot >"$work/after"
if ! diff "$work/before" "$work/after"; then
    fail "purge left the paths above behind"
fi
while read -r f; do
    [ ! -e "$f" ] || [ -d "$f" ] || fail "$f left after purge"
done <"$work/contents"
echo "purged: no file, no conffile, no state left (the dockd user is kept, as Debian does)"
