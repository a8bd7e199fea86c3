#!/usr/bin/env node
// A stand-in for the native `solc` binary, backed by npm's solcjs (no compiler download host is
// reachable here). It implements the subset of the native CLI that py-solc-x / ape-solidity and
// slither's crytic-compile use:
//   --version                      native-format version banner
//   --standard-json [flags]        Standard JSON on stdin, result on stdout
//   --base-path P, --include-path P (repeatable), --allow-paths A,B,...  for import resolution
// Sources given as `urls` and imports are read from disk: relative to the base path, then each
// include path; absolute paths are read as they are, if inside the allowed paths.
"use strict";
const fs = require("fs");
const path = require("path");
const solc = require("solc");

function nativeVersion() {
  // solcjs reports e.g. "0.8.30+commit.73712a01.Emscripten.clang"; native prints the same triple.
  return solc.version().replace(".Emscripten.clang", ".Linux.g++");
}

function parseArgs(argv) {
  const opts = { standardJson: false, version: false, basePath: null, includePaths: [], allowPaths: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (a.includes("=")) return a.slice(a.indexOf("=") + 1);
      i += 1;
      return argv[i];
    };
    if (a === "--version" || a === "-v") opts.version = true;
    else if (a === "--standard-json") opts.standardJson = true;
    else if (a.startsWith("--base-path")) opts.basePath = value();
    else if (a.startsWith("--include-path")) opts.includePaths.push(value());
    else if (a.startsWith("--allow-paths")) opts.allowPaths.push(...value().split(",").filter(Boolean));
    else if (a === "--pretty-json" || a === "--no-color") continue;
    else {
      process.stderr.write(`solc shim: unsupported argument ${a} (only --version and --standard-json)\n`);
      process.exit(2);
    }
  }
  return opts;
}

function makeImportReader(opts) {
  const base = path.resolve(opts.basePath || process.cwd());
  const roots = [base, ...opts.includePaths.map((p) => path.resolve(p))];
  const allowed = [...roots, ...opts.allowPaths.map((p) => path.resolve(p))];
  const isAllowed = (file) => allowed.some((root) => file === root || file.startsWith(root + path.sep));
  return function findImports(importPath) {
    const candidates = path.isAbsolute(importPath)
      ? [importPath]
      : roots.map((root) => path.join(root, importPath));
    for (const file of candidates) {
      const resolved = path.resolve(file);
      if (!isAllowed(resolved) && !path.isAbsolute(importPath)) continue;
      if (fs.existsSync(resolved) && fs.statSync(resolved).isFile()) {
        return { contents: fs.readFileSync(resolved, "utf8") };
      }
    }
    return { error: `File not found: ${importPath} (searched ${roots.join(", ")})` };
  };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.version) {
    process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${nativeVersion()}\n`);
    return;
  }
  if (!opts.standardJson) {
    process.stderr.write("solc shim: pass --standard-json (input on stdin) or --version\n");
    process.exit(2);
  }
  const input = fs.readFileSync(0, "utf8");
  const output = solc.compile(input, { import: makeImportReader(opts) });
  process.stdout.write(output);
}

main();
