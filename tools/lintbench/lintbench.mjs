// Times alex and write-good on the same text as the Go benchmark
// BenchmarkLintCorpus (checks/bench_corpus_test.go assembles the same bytes).
//
// Usage: tools/lintbench/run.sh (installs the linters in a cache dir, not in
// the repository).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const modules = process.env.LINTBENCH_MODULES;
const root = process.argv[2] || '.';
const req = createRequire(path.join(modules, 'noop.js'));
const { text: alexText } = await import(path.join(modules, 'alex', 'index.js'));
const writeGood = req('write-good');

let corpus = '';
for (const f of ['checks/testdata/complete.md', 'checks/testdata/blameful.md']) {
  corpus += readFileSync(path.join(root, f), 'utf8') + '\n\n';
}
corpus += '## Lessons learned\n\n';
for (const f of ['checks/blameless/testdata/dev.jsonl', 'checks/blameless/testdata/holdout.jsonl']) {
  for (const line of readFileSync(path.join(root, f), 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    corpus += JSON.parse(line).text + '\n\n';
  }
}
const bytes = Buffer.byteLength(corpus, 'utf8');

function bench(name, fn) {
  fn(); // warm up (JIT, lazy loading)
  let n = 0;
  let findings = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < 3e9 || n < 3) {
    findings = fn();
    n++;
    elapsed = Number(process.hrtime.bigint() - start);
  }
  const perOp = elapsed / n;
  const mbs = bytes / (perOp / 1e9) / 1e6;
  console.log(`${name}\t${bytes} bytes\t${n} runs\t${(perOp / 1e6).toFixed(1)} ms/op\t${mbs.toFixed(3)} MB/s\t${findings} findings`);
}

bench('alex', () => alexText(corpus).messages.length);
bench('write-good', () => writeGood(corpus).length);
