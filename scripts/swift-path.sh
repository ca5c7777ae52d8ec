# Sourced by the scripts that run `swift`: when no `swift` is on PATH, use the toolchain that
# install-deps.sh unpacked into /opt/swift, so a fresh shell needs no setup.
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    PATH="/opt/swift/usr/bin:$PATH"
    export PATH
fi
