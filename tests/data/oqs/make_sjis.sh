#!/bin/sh
# Regenerates the Shift_JIS (CP932) golden files from the UTF-8 ones: the declaration says
# Shift_JIS, a result's CharacterCodeIdentifier says 1, and the bytes are CP932 (glibc iconv).
# Run from this directory after editing a *.utf8.xml file; commit both files.
set -eu
for utf8 in *.utf8.xml; do
  sjis="${utf8%.utf8.xml}.sjis.xml"
  sed -e 's/encoding="UTF-8"/encoding="Shift_JIS"/' \
      -e 's#<CharacterCodeIdentifier>0</CharacterCodeIdentifier>#<CharacterCodeIdentifier>1</CharacterCodeIdentifier>#' \
      "$utf8" | iconv -f UTF-8 -t CP932 > "$sjis"
done
