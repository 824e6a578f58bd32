'use strict';
/**
 * Peer benchmark for `make bench`: carbone renders a DOCX template to PDF on the local LibreOffice.
 *
 * Started by tools/bench.py, which installs carbone into a cache outside git and builds the template:
 *   node tools/bench_carbone.js --carbone DIR --template T.docx --data D.json --temp DIR
 *        --factories N --sequential N --concurrent N --clients N [--sample OUT.pdf] [--clock-ticks HZ]
 * Prints one JSON object on stdout: factory start-up time, then p50/p95/throughput for a sequential run
 * and for `clients` concurrent callers sharing `concurrent` renders, each with the CPU time per render
 * of node, carbone's python and LibreOffice (from /proc, in clock ticks of HZ per second). Needs soffice.bin and a python3
 * with uno on PATH (PATH=/usr/bin:/usr/lib/libreoffice/program:$PATH) and FONTCONFIG_FILE for the fonts.
 * NOTE: carbone leaves its soffice.bin behind after exit; the caller kills it by process group and profile.
 */

const fs = require('fs');
const path = require('path');

function parseArgs (argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) {
      throw new Error('expected --name value pairs, got ' + argv.slice(i).join(' '));
    }
    args[argv[i].slice(2)] = argv[i + 1];
  }
  for (const name of ['carbone', 'template', 'data', 'temp']) {
    if (args[name] === undefined) {
      throw new Error('missing --' + name);
    }
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
const factories = Number(args.factories || 1);
const sequential = Number(args.sequential || 60);
const concurrent = Number(args.concurrent || 80);
const clients = Number(args.clients || 8);

const carbone = require(path.join(args.carbone, 'node_modules', 'carbone'));
const converter = require(path.join(args.carbone, 'node_modules', 'carbone', 'lib', 'converter'));
const data = JSON.parse(fs.readFileSync(args.data, 'utf8'));

function render () {
  return new Promise((resolve, reject) => {
    carbone.render(args.template, data, { convertTo: 'pdf' }, (err, result) => {
      if (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
      else if (!Buffer.isBuffer(result) || result.subarray(0, 5).toString() !== '%PDF-') {
        reject(new Error('carbone returned something that is not a PDF'));
      }
      else {
        resolve(result);
      }
    });
  });
}

function nowMs () {
  return Number(process.hrtime.bigint()) / 1e6;
}

// CPU time in ms of every process in node's process group (node, carbone's python, LibreOffice), by command
// name. bench.py starts node in a session of its own, and carbone's children stay in its group.
function groupCpuMs () {
  const ticks = Number(args['clock-ticks'] || 100);
  const byCommand = {};
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) {
      continue;
    }
    let stat;
    try {
      stat = fs.readFileSync(path.join('/proc', entry, 'stat'), 'utf8');
    }
    catch (err) {
      continue; // the process has gone
    }
    const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === process.pid) {
      byCommand[command] = (byCommand[command] || 0) + (Number(fields[11]) + Number(fields[12])) * 1000 / ticks;
    }
  }
  return byCommand;
}

function summarise (name, callers, timings, errors, wallMs) {
  const sorted = [...timings].sort((a, b) => a - b);
  // Nearest-rank percentiles, the same definition as tools/bench.py.
  const rank = (q) => sorted.length ? sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] : null;
  return {
    name,
    clients: callers,
    n: sorted.length,
    errors,
    min_ms: sorted.length ? sorted[0] : null,
    p50_ms: rank(0.5),
    p95_ms: rank(0.95),
    max_ms: sorted.length ? sorted[sorted.length - 1] : null,
    per_s: wallMs > 0 ? sorted.length / (wallMs / 1000) : null
  };
}

// `callers` loops share `total` renders; returns the run's summary.
async function run (name, callers, total) {
  const timings = [];
  let errors = 0;
  let firstError = null;
  let next = 0;
  async function caller () {
    while (next < total) {
      next += 1;
      const start = nowMs();
      try {
        await render();
        timings.push(nowMs() - start);
      }
      catch (err) {
        errors += 1;
        firstError = firstError || err.message;
      }
    }
  }
  const cpuBefore = groupCpuMs();
  const start = nowMs();
  await Promise.all(Array.from({ length: callers }, caller));
  const summary = summarise(name, callers, timings, errors, nowMs() - start);
  const cpuAfter = groupCpuMs();
  summary.cpu_ms_per_render = {};
  for (const command of Object.keys(cpuAfter)) {
    const spent = cpuAfter[command] - (cpuBefore[command] || 0);
    if (spent > 0 && timings.length) {
      summary.cpu_ms_per_render[command] = spent / timings.length;
    }
  }
  if (firstError) {
    summary.first_error = firstError;
  }
  return summary;
}

async function main () {
  carbone.set({ tempPath: args.temp, renderPath: path.join(args.temp, 'render') });
  const started = nowMs();
  await new Promise((resolve) => converter.init({ factories, startFactory: true }, resolve));
  const startupMs = nowMs() - started;

  // Warm every factory (the first conversion of a fresh LibreOffice is several times slower).
  const firstStart = nowMs();
  const sample = await render();
  const firstMs = nowMs() - firstStart;
  if (args.sample) {
    fs.writeFileSync(args.sample, sample);
  }
  await run('warm-up', factories, 3 * factories);

  const runs = [
    await run('sequential', 1, sequential),
    await run('concurrent', clients, concurrent)
  ];
  return { carbone: require(path.join(args.carbone, 'node_modules', 'carbone', 'package.json')).version,
    factories, startup_ms: startupMs, first_ms: firstMs, sample_bytes: sample.length, runs };
}

// Exit within 5 s of the result even if carbone's shutdown hangs; the caller reaps what is left.
function finish (code, output) {
  if (output !== undefined) {
    process.stdout.write(JSON.stringify(output) + '\n');
  }
  setTimeout(() => process.exit(code), 5000).unref();
  converter.exit(() => process.exit(code));
}

main().then(
  (result) => finish(0, result),
  (err) => {
    process.stderr.write('bench_carbone: ' + (err && err.stack ? err.stack : String(err)) + '\n');
    finish(1);
  }
);
