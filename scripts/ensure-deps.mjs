#!/usr/bin/env node
/* global process, console */
// Installs dependencies when needed and checks the pinned Node 24 is available.
// Runs from npm's prestart/pretest hooks, possibly before node_modules exists and
// on whatever Node the machine has (>= 18), so: plain JS, node: built-ins only.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nodeModules = join(root, 'node_modules');
const lockFile = join(root, 'package-lock.json');
const stampFile = join(nodeModules, '.kefu-install-stamp');
const isWindows = process.platform === 'win32';

function fail(message) {
  console.error(`ensure-deps: ${message}`);
  process.exit(1);
}

function lockHash() {
  return existsSync(lockFile) ? createHash('sha256').update(readFileSync(lockFile)).digest('hex') : null;
}

function readStamp() {
  try {
    return readFileSync(stampFile, 'utf8').trim();
  } catch {
    return null;
  }
}

function npm(args) {
  const res = spawnSync('npm', args, { cwd: root, stdio: 'inherit', shell: isWindows });
  if (res.error) fail(`could not run npm (${res.error.message})`);
  if (res.status !== 0) fail(`npm ${args[0]} failed (exit ${res.status ?? res.signal})`);
}

const hash = lockHash();
if (hash === null) {
  console.log('ensure-deps: no package-lock.json, running npm install');
  npm(['install', '--no-audit', '--no-fund']);
} else if (!existsSync(nodeModules) || readStamp() !== hash) {
  // `npm install`, not `npm ci`: npm 11 writes lock files without other platforms' optional packages
  // (e.g. @swc/core-darwin-*) and `npm ci` then refuses them as out of sync; install follows the lock.
  console.log('ensure-deps: dependencies missing or out of date, running npm install');
  npm(['install', '--no-audit', '--no-fund']);
}

const installedHash = lockHash();
if (installedHash !== null && existsSync(nodeModules) && readStamp() !== installedHash) {
  writeFileSync(stampFile, `${installedHash}\n`);
}

const nodeBin = join(nodeModules, '.bin', isWindows ? 'node.cmd' : 'node');
const version = spawnSync(nodeBin, ['--version'], { encoding: 'utf8', shell: isWindows });
const found = (version.stdout ?? '').trim();
if (version.error || version.status !== 0 || !found.startsWith('v24.')) {
  fail(
    `node_modules/.bin/node must be Node 24 (the "node" devDependency), found ${found || 'nothing'}; ` +
      'run "npm install" and make sure npm did not skip the "node" package.',
  );
}
