/** The course as one compressed file in the packaged extension (src/core/course-pack.ts), and install() finding it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { brotliCompressSync, deflateRawSync } from 'node:zlib';
import { COURSE_PACK, packCourse, readCoursePack, unpackCourse } from '../../src/core/course-pack';
import { install } from '../../src/core/install';
import { loadCatalog } from '../../src/core/lessons/catalog';
import { LESSONS, tempDir } from './helpers';

const ships = (rel: string) => /^lesson(\.zh-cn)?\.md$/.test(path.basename(rel)) || /\.(ts|json|txt|csv)$/.test(rel);

function courseFiles(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((n) => {
    const full = path.join(dir, n);
    return statSync(full).isDirectory() ? courseFiles(full, base) : [path.relative(base, full).split(path.sep).join('/')];
  }).filter(ships).sort();
}

/** The course packed once for this file (brotli at its best setting takes seconds). */
let packed: Buffer | undefined;
const pack = (): Buffer => (packed ??= packCourse(LESSONS, ships));

test('the whole course packs into one stream that unpacks to the same files, at less than 70 % of zipping them one by one', () => {
  const bytes = pack();
  const files = courseFiles(LESSONS);
  const zipped = files.reduce((sum, f) => sum + deflateRawSync(readFileSync(path.join(LESSONS, f)), { level: 9 }).length, 0);
  console.log(`course pack: ${files.length} files, ${bytes.length} bytes; deflated one by one (as a VSIX would): ${zipped} bytes`);
  assert.ok(bytes.length < 0.7 * zipped, `${bytes.length} bytes is not less than 70 % of ${zipped}`);
  const dir = tempDir('llm-lab-pack-');
  const file = path.join(dir, COURSE_PACK);
  writeFileSync(file, bytes);
  const into = path.join(dir, 'storage');
  const folder = unpackCourse(file, into);
  assert.deepEqual(courseFiles(folder), files);
  for (const f of files) assert.equal(readFileSync(path.join(folder, f), 'utf8'), readFileSync(path.join(LESSONS, f), 'utf8'), f);
  // A second start finds the folder complete and leaves it as it is.
  const before = statSync(path.join(folder, files[0])).mtimeMs;
  assert.equal(unpackCourse(file, into), folder);
  assert.equal(statSync(path.join(folder, files[0])).mtimeMs, before);
});

test('an installed extension without lessons/ uses lessons.pack, unpacked into its storage, and the catalog loads from there', async () => {
  const root = tempDir('llm-lab-installed-');
  writeFileSync(path.join(root, COURSE_PACK), pack());
  const storage = path.join(root, 'global-storage');
  const inst = install(root, { unpackTo: storage });
  assert.ok(inst.lessons.startsWith(storage + path.sep), inst.lessons);
  const [packed, source] = await Promise.all([loadCatalog(inst.lessons, 'zh-cn'), loadCatalog(LESSONS, 'zh-cn')]);
  const problems = (c: typeof packed, base: string) => c.problems.map((p) => [path.relative(base, p.file ?? ''), p.message]);
  assert.deepEqual(problems(packed, inst.lessons), problems(source, LESSONS));
  assert.deepEqual(packed.lessons.map((l) => [l.id, l.title, l.exercises.length]), source.lessons.map((l) => [l.id, l.title, l.exercises.length]));
  // A folder from an older version is removed once it is a day old; one from a window still open is kept.
  const old = path.join(storage, 'course-0123456789abcdef');
  const recent = path.join(storage, 'course-fedcba9876543210');
  mkdirSync(old); mkdirSync(recent);
  const twoDaysAgo = (Date.now() - 2 * 86400_000) / 1000;
  utimesSync(old, twoDaysAgo, twoDaysAgo);
  install(root, { unpackTo: storage });
  assert.ok(!existsSync(old) && existsSync(recent));
  // With a lessons/ folder (the repository, the npm package), the folder is used and nothing is unpacked.
  assert.equal(install(path.join(LESSONS, '..')).lessons, LESSONS);
});

test('a damaged or foreign pack is a clear error that names the file, and nothing is written', () => {
  const dir = tempDir('llm-lab-badpack-');
  const cases: [string, Buffer, RegExp][] = [
    ['truncated', pack().subarray(0, 1000), /damaged \(.*truncated\.pack: .*\)\. Reinstall LLM Lab\./],
    ['not-brotli', Buffer.from('PK\u0003\u0004 not a pack'), /damaged/],
    ['foreign', brotliCompressSync(Buffer.from(JSON.stringify({ format: 'other', version: 1, files: { 'a/lesson.md': 'x' } }))), /not an LLM Lab course pack/],
    ['future', brotliCompressSync(Buffer.from(JSON.stringify({ format: 'llm-lab-course', version: 9, files: { 'a/lesson.md': 'x' } }))), /format version 9, this LLM Lab reads 1/],
    ['escape', brotliCompressSync(Buffer.from(JSON.stringify({ format: 'llm-lab-course', version: 1, files: { '../../etc/evil.ts': 'x' } }))), /leaves the course folder/],
    ['absolute', brotliCompressSync(Buffer.from(JSON.stringify({ format: 'llm-lab-course', version: 1, files: { '/tmp/evil.ts': 'x' } }))), /leaves the course folder/],
    ['empty', brotliCompressSync(Buffer.from(JSON.stringify({ format: 'llm-lab-course', version: 1, files: {} }))), /no files/],
  ];
  for (const [name, bytes, message] of cases) {
    const file = path.join(dir, `${name}.pack`);
    writeFileSync(file, bytes);
    assert.throws(() => readCoursePack(file), message, name);
    const into = path.join(dir, `into-${name}`);
    assert.throws(() => unpackCourse(file, into), message, name);
    assert.deepEqual(existsSync(into) ? readdirSync(into) : [], [], `${name}: something was written`);
  }
});
