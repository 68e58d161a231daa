#!/usr/bin/env node
// Runs an ONNX model in ONNX Runtime (the npm package onnxruntime-node, CPU), as an executor
// independent of GKP Studio's own ONNX reader.
//
//   node tools/ort-run.mjs MODEL.onnx INPUT.f32 N,C,H,W OUTPUT.f32 [--threads T] [--time RUNS]
//
// INPUT.f32: raw little-endian float32 values of the model's one input, in the given shape.
// Writes the first output's values the same way to OUTPUT.f32 and prints one JSON line to stdout:
// {"output": NAME, "dims": [...]} (and "median_ms"/"min_ms" with --time).
//
//   node tools/ort-run.mjs --serve
//
// Serves timing requests, one JSON object a line on stdin, one reply a line on stdout (what
// `gkp bench --runtime onnxruntime` speaks): {"model": PATH, "input": INPUT.f32, "dims": [...],
// "runs": R, "warmup": W, "threads": T} -> {"times_ms": [...]} or {"error": MESSAGE}. Sessions
// stay loaded between requests, so requests for two models can be interleaved cheaply.
// onnxruntime-node is looked up in $GKP_ORT_DIR, then build/ort beside this script's repository:
//   ONNXRUNTIME_NODE_INSTALL=skip npm install --prefix build/ort --ignore-scripts onnxruntime-node@1.30.0
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function fail(message) {
    process.stderr.write(`ort-run: error: ${message}\n`);
    process.exit(1);
}

function loadOrt() {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const dirs = [process.env.GKP_ORT_DIR, path.join(here, '..', 'build', 'ort')].filter(Boolean);
    for (const dir of dirs) {
        try {
            return createRequire(path.join(path.resolve(dir), 'package.json'))('onnxruntime-node');
        } catch (e) {
            if (e.code !== 'MODULE_NOT_FOUND')
                fail(`cannot load onnxruntime-node from ${dir}: ${e.message.split('\n')[0]}`);
        }
    }
    fail(`onnxruntime-node is not installed (looked in ${dirs.join(', ')}); install it with ` +
        'ONNXRUNTIME_NODE_INSTALL=skip npm install --prefix build/ort --ignore-scripts onnxruntime-node@1.30.0');
}

async function serve(ort) {
    const sessions = new Map();
    const readline = (await import('node:readline')).createInterface({ input: process.stdin });
    const reply = (o) => process.stdout.write(JSON.stringify(o) + '\n');
    for await (const line of readline) {
        if (!line.trim())
            continue;
        try {
            const r = JSON.parse(line);
            const key = `${r.model}\0${r.threads || 1}`;
            if (!sessions.has(key))
                sessions.set(key, await ort.InferenceSession.create(r.model, {
                    intraOpNumThreads: r.threads || 1, interOpNumThreads: 1, executionProviders: ['cpu'] }));
            const session = sessions.get(key);
            const bytes = fs.readFileSync(r.input);
            const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
            const count = r.dims.reduce((a, b) => a * b, 1);
            if (data.length !== count)
                throw new Error(`${r.input} holds ${data.length} floats; shape ${r.dims} needs ${count}`);
            const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, r.dims) };
            for (let i = 0; i < (r.warmup || 0); ++i)
                await session.run(feeds);
            const times = [];
            for (let i = 0; i < (r.runs || 1); ++i) {
                const start = process.hrtime.bigint();
                await session.run(feeds);
                times.push(Number(process.hrtime.bigint() - start) / 1e6);
            }
            reply({ times_ms: times });
        } catch (e) {
            reply({ error: String(e.message || e).split('\n')[0] });
        }
    }
}

const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--serve') {
    await serve(loadOrt());
    process.exit(0);
}
const options = { threads: 1, time: 0 };
const positional = [];
for (let i = 0; i < args.length; ++i) {
    if (args[i] === '--threads' || args[i] === '--time') {
        const v = Number(args[++i]);
        if (!Number.isInteger(v) || v < 0)
            fail(`${args[i - 1]} needs a whole number`);
        options[args[i - 1].slice(2)] = v;
    } else {
        positional.push(args[i]);
    }
}
if (positional.length !== 4)
    fail('usage: ort-run.mjs MODEL.onnx INPUT.f32 N,C,H,W OUTPUT.f32 [--threads T] [--time RUNS]');
const [modelPath, inputPath, dimsText, outputPath] = positional;
const dims = dimsText.split(',').map(Number);
if (dims.some((d) => !Number.isInteger(d) || d <= 0))
    fail(`bad shape '${dimsText}'`);

const ort = loadOrt();
const bytes = fs.readFileSync(inputPath);
const count = dims.reduce((a, b) => a * b, 1);
if (bytes.length !== count * 4)
    fail(`${inputPath} holds ${bytes.length} bytes; shape ${dimsText} needs ${count * 4}`);
const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));

let session;
try {
    session = await ort.InferenceSession.create(modelPath, {
        intraOpNumThreads: options.threads || 1, interOpNumThreads: 1, executionProviders: ['cpu'] });
} catch (e) {
    fail(`cannot load ${modelPath}: ${e.message.split('\n')[0]}`);
}
const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, dims) };
let result;
try {
    result = await session.run(feeds);
} catch (e) {
    fail(`running ${modelPath} failed: ${e.message.split('\n')[0]}`);
}
const name = session.outputNames[0];
const out = result[name];
const report = { output: name, dims: out.dims };
if (options.time > 0) {
    const times = [];
    for (let i = 0; i < options.time; ++i) {
        const start = process.hrtime.bigint();
        await session.run(feeds);
        times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times.sort((a, b) => a - b);
    report.median_ms = times[Math.floor(times.length / 2)];
    report.min_ms = times[0];
}
fs.writeFileSync(outputPath, Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength));
process.stdout.write(JSON.stringify(report) + '\n');
