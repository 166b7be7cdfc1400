// Runs every unit test (test/unit/**/*.test.ts and .mts) with Node's test runner and tsx.
// Node 20's `--test` takes no glob patterns, so the files are listed here.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.join(path.dirname(new URL(import.meta.url).pathname), 'unit');
const only = process.argv.slice(2);
const files = readdirSync(root, { recursive: true })
  .filter((f) => /\.test\.m?ts$/.test(f))
  .filter((f) => !only.length || only.some((o) => f.includes(o)))
  .map((f) => path.join(root, f))
  .sort();
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
