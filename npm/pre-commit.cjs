#!/usr/bin/env node
// The `alchemy-ls` command pre-commit installs (language: node installs this repository's root
// package.json globally into the hook's environment): runs the launcher of the alchemy-ls npm
// package it depends on, at the same version as the hook's rev.
"use strict";
require("alchemy-ls").main();
