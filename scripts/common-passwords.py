#!/usr/bin/env python3
"""Regenerates src/password/data/common-passwords.txt, the denylist behind
seckit::password::PasswordPolicy.

Source: the "passwords" frequency list shipped in the zxcvbn Python package
(zxcvbn 4.5.0, MIT License, Copyright (c) 2016 Daniel Wolf; a port of
Dropbox's zxcvbn, also MIT-licensed). The list is ranked by frequency in leaked password corpora.

Run once, in a throwaway virtual environment:

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install zxcvbn==4.5.0
    /tmp/venv/bin/python scripts/common-passwords.py

Output: one password per line, lowercased, deduplicated, sorted bytewise, so
the Rust side can binary-search it.
"""
import pathlib

from zxcvbn.frequency_lists import FREQUENCY_LISTS

out = pathlib.Path(__file__).resolve().parent.parent / "src/password/data/common-passwords.txt"
words = sorted({w.lower() for w in FREQUENCY_LISTS["passwords"] if w.strip() == w and w.isprintable()},
               key=lambda w: w.encode())
out.write_text("".join(w + "\n" for w in words), encoding="utf-8")
print(f"wrote {len(words)} passwords to {out}")
