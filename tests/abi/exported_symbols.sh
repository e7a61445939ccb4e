#!/bin/sh
# Checks the dynamic symbol table of libonshi.so against the public header:
# - every defined dynamic symbol is an onshi_* function of version ONSHI_0 (plus the version
#   node itself): no C++, protobuf, gRPC, absl or std symbol leaks;
# - the exported functions are exactly the ones onshi.h declares with ONSHI_API;
# - the SONAME is libonshi.so.<ONSHI_ABI_VERSION>.
# Usage: exported_symbols.sh LIBONSHI_SO ONSHI_H
set -eu

lib=$1
header=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

fail=0

nm -D --defined-only "$lib" > "$tmp/nm"
if [ ! -s "$tmp/nm" ]; then
  echo "FAIL: nm printed no symbols for $lib" >&2
  exit 1
fi

# Lines are "[address] TYPE name[@@version]".
awk '
  { name = $NF; type = $(NF - 1) }
  name == "ONSHI_0" && type == "A" { next }
  name !~ /^onshi_[a-z0-9_]+@@ONSHI_0$/ || type != "T" {
    print "unexpected exported symbol: " type " " name; bad = 1
  }
  END { exit bad }
' "$tmp/nm" >&2 || fail=1

awk '{ print $NF }' "$tmp/nm" | sed -n 's/^\(onshi_[a-z0-9_]*\)@@ONSHI_0$/\1/p' | sort -u \
  > "$tmp/exported"
grep '^ONSHI_API' "$header" | grep -o 'onshi_[a-z0-9_]*(' | tr -d '(' | sort -u \
  > "$tmp/declared"

if [ ! -s "$tmp/declared" ]; then
  echo "FAIL: found no ONSHI_API declarations in $header" >&2
  exit 1
fi
if ! diff -u "$tmp/declared" "$tmp/exported" > "$tmp/diff"; then
  echo "declared in onshi.h (-) and exported by libonshi.so (+) differ:" >&2
  cat "$tmp/diff" >&2
  fail=1
fi

abi=$(sed -n 's/^#define ONSHI_ABI_VERSION \([0-9][0-9]*\)$/\1/p' "$header")
soname=$(objdump -p "$lib" | awk '$1 == "SONAME" { print $2 }')
if [ "$soname" != "libonshi.so.$abi" ]; then
  echo "SONAME is '$soname', expected libonshi.so.$abi" >&2
  fail=1
fi

if [ "$fail" -ne 0 ]; then
  echo "FAIL: exported symbols of $lib" >&2
  exit 1
fi
echo "OK: $(wc -l < "$tmp/exported") onshi_* functions exported, all declared in onshi.h; SONAME $soname"
