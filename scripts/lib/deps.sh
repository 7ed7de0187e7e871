# deps.sh - installs the Debian packages migcompat needs when one is missing.
# Sourced by scripts/demo and scripts/test; SCRIPT names the caller in messages.

DEPS=(build-essential cmake pkg-config clang libclang-14-dev libgit2-dev libcmocka-dev
      libjansson-dev libsqlite3-dev libglib2.0-dev libpixman-1-dev git python3 valgrind libclang-rt-14-dev
      pre-commit)

ensure_deps() {
	if ! command -v dpkg-query >/dev/null 2>&1; then
		echo "${SCRIPT}: not a Debian system; assuming these are installed: ${DEPS[*]}" >&2
		return 0
	fi
	local missing=() p
	for p in "${DEPS[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
			missing+=("$p")
	done
	((${#missing[@]} == 0)) && return 0
	local sudo=()
	if [[ $(id -u) -ne 0 ]]; then
		if command -v sudo >/dev/null 2>&1; then
			sudo=(sudo)
		else
			echo "${SCRIPT}: missing packages (${missing[*]}) and not root, no sudo" >&2
			return 1
		fi
	fi
	echo "${SCRIPT}: installing ${missing[*]}" >&2
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends "${missing[@]}"
}

