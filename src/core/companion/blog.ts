/**
 * "Write up this lesson": a Markdown blog draft in the learner's language, from what they built. Front
 * matter in YAML that Hexo and Hugo both accept (title, date, tags, categories), the key ideas (the lesson's
 * objectives) and formulas (its display math, `$$...$$`, which KaTeX renders), the learner's own passing
 * code (their file), their results (curves and heatmaps of their last passing runs, written as SVG files
 * beside the draft), the mistakes they made on the way (from the notebook) and the lesson's papers.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Artifact } from '../grading/result';
import type { Locale } from '../grading/text';
import type { Lesson } from '../lessons/catalog';
import type { NotebookEntry } from './history';
import { slug, writeNew } from './store';
import { artifactSvg } from './svg';

export interface BlogExercise {
  id: string;
  title: string;
  fileName: string;
  /** The learner's file (their passing code), or undefined when they have not written it. */
  code?: string;
  passed: boolean;
  /** Artifacts of the learner's last passing run. */
  artifacts: Artifact[];
}

export interface BlogPost {
  markdown: string;
  images: { name: string; svg: string }[];
}

const WORDS = {
  en: {
    title: (t: string) => `What I learned building: ${t}`,
    intro: (t: string, part: string) => `Notes from the LLM Lab lesson “${t}” (${part}), written from my own code and my own runs.`,
    ideas: 'The key ideas', formulas: 'The formulas', code: 'My code', notPassed: '(not passing yet)',
    results: 'My results', noResults: 'No curves or heatmaps in my last passing runs.',
    mistakes: 'Mistakes I made on the way', noMistakes: 'None recorded.', fixed: (d: string) => `fixed on ${d}`, notFixed: 'not fixed yet',
    at: (line: number) => `at line ${line}`, refs: 'References', noRefs: 'The lesson lists no papers.',
  },
  'zh-cn': {
    title: (t: string) => `动手实现的收获：${t}`,
    intro: (t: string, part: string) => `这是 LLM Lab 课程“${t}”（${part}）的学习笔记，内容来自我自己写的代码和自己跑出的结果。`,
    ideas: '核心思想', formulas: '公式', code: '我的代码', notPassed: '（尚未通过）',
    results: '我的结果', noResults: '最近一次通过的运行中没有曲线或热力图。',
    mistakes: '一路上犯过的错误', noMistakes: '没有记录。', fixed: (d: string) => `${d} 改正`, notFixed: '尚未改正',
    at: (line: number) => `第 ${line} 行`, refs: '参考文献', noRefs: '本课没有列出论文。',
  },
} as const;

/** The display formulas of a lesson text (`$$ ... $$` blocks), at most `max`. */
export function formulasOf(body: string, max = 3): string[] {
  return [...body.matchAll(/\$\$\s*\n?([\s\S]+?)\n?\s*\$\$/g)].map((m) => m[1].trim()).slice(0, max);
}

const yamlString = (s: string) => JSON.stringify(s); // a JSON string is a YAML double-quoted scalar
const day = (d: Date) => d.toISOString().slice(0, 10);

export function blogPost(args: {
  lesson: Lesson; locale: Locale; exercises: BlogExercise[]; mistakes: NotebookEntry[]; date: Date; imageBase: string;
}): BlogPost {
  const { lesson, locale, exercises, mistakes, date, imageBase } = args;
  const w = WORDS[locale];
  const date0 = new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const tags = ['LLM', 'LLM Lab', lesson.id];
  const out: string[] = [
    '---',
    `title: ${yamlString(w.title(lesson.title))}`,
    `date: ${date0}`,
    `tags: [${tags.map(yamlString).join(', ')}]`,
    `categories: [${['LLM Lab', lesson.part].map(yamlString).join(', ')}]`,
    'math: true',
    'katex: true',
    '---',
    '',
    w.intro(lesson.title, lesson.part),
    '',
    `## ${w.ideas}`,
    '',
    ...lesson.objectives.map((o) => `- ${o}`),
    '',
  ];
  const formulas = formulasOf(lesson.body);
  if (formulas.length) {
    out.push(`## ${w.formulas}`, '');
    for (const f of formulas) out.push('$$', f, '$$', '');
  }
  out.push(`## ${w.code}`, '');
  for (const e of exercises) {
    if (e.code === undefined) continue;
    out.push(`### ${e.title}${e.passed ? '' : ` ${w.notPassed}`}`, '', `\`${e.fileName}\``, '', '```ts', e.code.replace(/\s+$/, ''), '```', '');
  }
  out.push(`## ${w.results}`, '');
  const images: BlogPost['images'] = [];
  for (const e of exercises) {
    for (const a of e.artifacts) {
      const svg = artifactSvg(a);
      if (!svg) continue;
      const name = `${imageBase}-${images.length + 1}.svg`;
      images.push({ name, svg });
      out.push(`![${a.title.replace(/[[\]]/g, '')}](${name})`, '');
    }
  }
  if (!images.length) out.push(w.noResults, '');
  out.push(`## ${w.mistakes}`, '');
  if (!mistakes.length) out.push(w.noMistakes, '');
  for (const m of mistakes) {
    out.push(`- **${m.check}**${m.line ? ` (${m.fileName}, ${w.at(m.line)})` : ''}: ${m.message.split('\n')[0]} — ${m.fixedAt ? w.fixed(day(new Date(m.fixedAt))) : w.notFixed}`);
    if (m.excerpt.length) out.push('', '  ```ts', ...m.excerpt.map((l) => `  ${l}`.trimEnd()), '  ```');
    out.push('');
  }
  out.push(`## ${w.refs}`, '');
  if (!lesson.papers.length) out.push(w.noRefs, '');
  lesson.papers.forEach((p, i) => out.push(`${i + 1}. ${p.authors} (${p.year}). *${p.title}*.${p.arxiv ? ` arXiv:${p.arxiv}. <https://arxiv.org/abs/${p.arxiv}>` : ''}`));
  if (lesson.papers.length) out.push('');
  return { markdown: out.join('\n'), images };
}

/**
 * Writes the draft and its images into `dir` as `<base>.md` and `<base>-<n>.svg`, choosing `<base>-2`,
 * `<base>-3`... when any of those names exists: nothing is overwritten. Returns the draft's path.
 */
export function writeDraft(dir: string, name: string, make: (imageBase: string) => BlogPost): { file: string; images: string[] } {
  const base0 = slug(name);
  for (let i = 1; ; i++) {
    const base = i === 1 ? base0 : `${base0}-${i}`;
    const post = make(base);
    if ([`${base}.md`, ...post.images.map((im) => im.name)].some((f) => existsSync(path.join(dir, f)))) continue;
    const images = post.images.map((im) => writeNew(dir, im.name.replace(/\.svg$/, ''), '.svg', im.svg));
    return { file: writeNew(dir, base, '.md', post.markdown), images };
  }
}
