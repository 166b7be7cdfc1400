/**
 * The companion pages' words, in the course's language (like the lessons and the runner's messages, they
 * follow `llmLab.language`). Both tables have every key: the type says so.
 */
import type { Locale } from '../../core/grading/text';

const en = {
  tab_plan: 'Plan', tab_review: 'Weekly review', tab_notebook: 'Mistake notebook', tab_questions: 'Review questions',
  planTitle: 'Study plan', noPlan: 'No plan yet. Pick your hours per day, days per week and a start date, and the course is laid over weeks.',
  makePlan: 'Make a new plan', replan: 'Replan from this week', timeline: 'Planned and done, in hours', week: 'Week {0}', thisWeek: 'this week',
  minutes: '{0} min', done: 'done', axisWeek: 'week', axisHours: 'hours', seriesPlanned: 'planned', seriesDone: 'done',
  summary: '{0} h a day, {1} days a week from {2}: {3} h a week, {4} weeks.', status_ahead: '{0} weeks ahead', 'status_on-track': 'on track',
  status_behind: '{0} weeks behind', 'status_not-started': 'starts {0}', status_finished: 'finished',
  exportReview: 'Export as Markdown', passed: 'Exercises passed', none: 'None this week.', time: 'Time spent', exercise: 'Exercise',
  open: 'Editor focused', checking: 'Checking', runs: 'Runs', mistakes: 'Mistakes diagnosed', notFixed: 'not fixed yet',
  due: 'Review questions due', nothingDue: 'Nothing due.', answerNow: 'Answer them now', nextWeek: 'Next week',
  noPlanYet: 'No plan yet: make one to see next week’s lessons.',
  notebookTitle: 'Mistake notebook', groupBy: 'Group by', byLesson: 'lesson', byKind: 'kind of mistake',
  emptyNotebook: 'No mistakes recorded yet. Every diagnosed mistake of your checks lands here, with your code at that moment.',
  fixedOn: 'fixed {0}', times: '{0} times', checksFailing: '{0} checks failed this way', dueAgain: 'due for review', hint: 'Hint', atLine: '{0}, line {1}', reviewEntry: 'Review in a scratch copy',
  questionsTitle: 'Review questions', fresh: 'new', right: 'Right.', wrong: 'Not quite.', partly: 'Partly.', yourAnswer: 'Your answer',
  correctAnswer: 'The answer', number: 'a number', submit: 'Answer', up: 'Move up', down: 'Move down', writeFirst: 'Write your answer first (for yourself; it is not stored).',
  showModel: 'Show the model answer', modelAnswer: 'Model answer', gotIt: 'I had it', partlyGot: 'Partly', missedIt: 'I missed it',
  readingList: 'Reading list: {0}', writePost: 'Write up this lesson',
};

type Words = Record<keyof typeof en, string>;

const zh: Words = {
  tab_plan: '学习计划', tab_review: '每周复盘', tab_notebook: '错题本', tab_questions: '复习题',
  planTitle: '学习计划', noPlan: '还没有计划。选好每天几小时、每周几天和开始日期，课程就会按周排好。',
  makePlan: '重新制定计划', replan: '从本周起重新安排', timeline: '计划与完成（小时）', week: '第 {0} 周', thisWeek: '本周',
  minutes: '{0} 分钟', done: '已完成', axisWeek: '周', axisHours: '小时', seriesPlanned: '计划', seriesDone: '完成',
  summary: '从 {2} 开始，每天 {0} 小时，每周 {1} 天：每周 {3} 小时，共 {4} 周。', status_ahead: '领先 {0} 周', 'status_on-track': '进度正常',
  status_behind: '落后 {0} 周', 'status_not-started': '{0} 开始', status_finished: '已全部完成',
  exportReview: '导出为 Markdown', passed: '本周通过的练习', none: '本周没有。', time: '投入时间', exercise: '练习',
  open: '编辑器聚焦', checking: '检查', runs: '次数', mistakes: '诊断出的错误', notFixed: '尚未改正',
  due: '待复习的题目', nothingDue: '没有待复习的题目。', answerNow: '现在就答', nextWeek: '下周计划',
  noPlanYet: '还没有计划：制定计划后这里会列出下周的课程。',
  notebookTitle: '错题本', groupBy: '分组方式', byLesson: '按课程', byKind: '按错误类型',
  emptyNotebook: '还没有记录错误。每次检查诊断出的错误都会记在这里，连同你当时的代码。',
  fixedOn: '{0} 改正', times: '{0} 次', checksFailing: '有 {0} 项检查因此失败', dueAgain: '该复习了', hint: '提示', atLine: '{0}，第 {1} 行', reviewEntry: '在草稿副本中复习',
  questionsTitle: '复习题', fresh: '新题', right: '答对了。', wrong: '不太对。', partly: '部分正确。', yourAnswer: '你的答案',
  correctAnswer: '答案', number: '一个数', submit: '作答', up: '上移', down: '下移', writeFirst: '先写下你的答案（只给自己看，不会保存）。',
  showModel: '显示参考答案', modelAnswer: '参考答案', gotIt: '我答对了', partlyGot: '部分答对', missedIt: '我没答出来',
  readingList: '阅读清单：{0}', writePost: '把本课写成博客',
};

export const WORDS: Record<Locale, Words> = { en, 'zh-cn': zh };
export type WordKey = keyof Words;
export const fill = (s: string, ...args: (string | number)[]) => s.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)]));
