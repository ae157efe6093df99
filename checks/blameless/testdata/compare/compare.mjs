// Scores general-purpose prose linters (alex, write-good) on the labelled
// blameless sets, the same way TestDevSet scores this package: one sentence at
// a time, any message counts as a "blame" prediction.
//
// Usage (outside the repository; the linters are not a dependency):
//   mkdir -p /tmp/lintcmp && cd /tmp/lintcmp && npm install alex write-good
//   NODE_PATH=/tmp/lintcmp/node_modules node checks/blameless/testdata/compare/compare.mjs \
//       checks/blameless/testdata/dev.jsonl checks/blameless/testdata/holdout.jsonl
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const modules = process.env.NODE_PATH || '/tmp/lintcmp/node_modules';
const req = createRequire(path.join(modules, 'noop.js'));
const { text: alexText } = await import(path.join(modules, 'alex', 'index.js'));
const writeGood = req('write-good');

const linters = {
  alex: (s) => alexText(s).messages.length,
  'write-good': (s) => writeGood(s).length,
};

function score(rows, predict) {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (const r of rows) {
    const got = predict(r.text) > 0;
    const blame = r.label === 'blame';
    if (blame && got) tp++; else if (blame) fn++; else if (got) fp++; else tn++;
  }
  const p = tp / (tp + fp || 1), rc = tp / (tp + fn || 1);
  const f1 = p + rc ? (2 * p * rc) / (p + rc) : 0;
  return { p, r: rc, f1, tp, fp, fn, tn };
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: compare.mjs file.jsonl...');
  process.exit(2);
}
for (const file of files) {
  const rows = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  for (const [name, fn] of Object.entries(linters)) {
    const s = score(rows, fn);
    console.log(`${path.basename(file)}\t${name}\tprecision ${s.p.toFixed(3)}\trecall ${s.r.toFixed(3)}\tF1 ${s.f1.toFixed(3)}\t(tp ${s.tp} fp ${s.fp} fn ${s.fn} tn ${s.tn})`);
  }
}
