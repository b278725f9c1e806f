// Runs the face descriptor of @vladmandic/face-api itself (its bundled
// TensorFlow.js, CPU backend) on the fixed input of convert_face_model.py and
// compares the result with the converter's numpy reference: the check that the
// idkit port computes what the original computes.
//
//   node check_face_model.mjs PACKAGE_DIR REFERENCE_JSON
//
// Prints the largest absolute difference; exits 1 when it exceeds 1e-5.
import fs from 'fs';
import os from 'os';
import path from 'path';
import util from 'util';

const [pkg, refPath] = process.argv.slice(2);
if (!pkg || !refPath) {
  console.error('usage: check_face_model.mjs PACKAGE_DIR REFERENCE_JSON');
  process.exit(64);
}

// The browser bundle expects a TextEncoder from a 'util' shim; hand it Node's.
const bundle = fs.readFileSync(path.join(pkg, 'dist/face-api.esm.js'), 'utf8');
const hook = 'this.util=AR()';
if (!bundle.includes(hook)) {
  console.error('check_face_model: unexpected face-api bundle (hook not found)');
  process.exit(1);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'idkit-faceapi-'));
const patched = path.join(tmp, 'face-api.mjs');
fs.writeFileSync(patched, bundle.replace(hook, 'this.util=globalThis.__idkitNodeUtil'));
globalThis.__idkitNodeUtil = util;
const consoleLog = console.log;
console.log = () => {};  // silence tfjs's banner
console.warn = () => {};
let faceapi;
try {
  faceapi = await import(patched);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
  console.log = consoleLog;
}
const tf = faceapi.tf;
await tf.setBackend('cpu');
await tf.ready();

const modelDir = path.join(pkg, 'model');
const manifest = JSON.parse(fs.readFileSync(path.join(modelDir, 'face_recognition_model-weights_manifest.json')));
const chunks = manifest[0].paths.map((p) => fs.readFileSync(path.join(modelDir, p)));
const buf = Buffer.concat(chunks);
const weights = tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
  manifest[0].weights);
const net = new faceapi.FaceRecognitionNet();
net.loadFromWeightMap(weights);

// face-api normalises with (pixel - mean) / 255; feed pixels that normalise to
// exactly the converter's fixed input.
const mean = [122.782, 117.001, 104.298];
const data = new Float32Array(150 * 150 * 3);
for (let y = 0; y < 150; y++) {
  for (let x = 0; x < 150; x++) {
    for (let c = 0; c < 3; c++) {
      const v = 0.5 * Math.sin(0.05 * (x + 1) * (c + 1)) * Math.cos(0.031 * (y + 1));
      data[(y * 150 + x) * 3 + c] = v * 255 + mean[c];
    }
  }
}
const input = await faceapi.toNetInput(tf.tensor4d(data, [1, 150, 150, 3]));
const out = Array.from(await net.forwardInput(input).data());
const ref = JSON.parse(fs.readFileSync(refPath)).descriptor;
if (out.length !== ref.length) {
  console.error(`check_face_model: ${out.length} outputs, reference has ${ref.length}`);
  process.exit(1);
}
const diff = Math.max(...out.map((v, i) => Math.abs(v - ref[i])));
console.log(`face-api (tfjs cpu) vs numpy reference: max abs difference ${diff.toExponential(2)}`);
process.exit(diff <= 1e-5 ? 0 : 1);
