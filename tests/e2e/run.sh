#!/usr/bin/env bash
# End-to-end tests through the real Linux kernel in QEMU (owner: e2e). Not written yet.
echo "e2e: not written yet"
