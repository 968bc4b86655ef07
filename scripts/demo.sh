#!/usr/bin/env bash
# Simulated-device demo (owner: drive). Not written yet.
echo "demo: not written yet"
