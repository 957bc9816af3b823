#!/usr/bin/env bash
# The traffic matrix of t-enforce.sh with enforce.mode = "kernel".
ZT_MODE=kernel
. "$(dirname "$0")/t-enforce.sh"
