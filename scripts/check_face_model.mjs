// Runs networks of @vladmandic/face-api itself (its bundled TensorFlow.js, CPU
// backend) on the fixed inputs of the converters and compares the results with
// their numpy references: the check that the idkit ports compute what the
// originals compute.
//
//   node check_face_model.mjs PACKAGE_DIR REFERENCE_JSON [recognizer|fallback]
//
// recognizer (default): face_recognition_model vs convert_face_model.py's
// reference; fallback: tiny_face_detector and face_landmark_68 vs
// convert_face_detector.py's. Prints the largest absolute differences; exits 1
// when one exceeds 1e-5 (relative to the largest value when that is above 1).
import fs from 'fs';
import os from 'os';
import path from 'path';
import util from 'util';

const [pkg, refPath, which = 'recognizer'] = process.argv.slice(2);
if (!pkg || !refPath || !['recognizer', 'fallback'].includes(which)) {
  console.error('usage: check_face_model.mjs PACKAGE_DIR REFERENCE_JSON [recognizer|fallback]');
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
function loadNet(net, name) {
  const manifest = JSON.parse(fs.readFileSync(path.join(modelDir, `${name}-weights_manifest.json`)));
  const chunks = manifest[0].paths.map((p) => fs.readFileSync(path.join(modelDir, p)));
  const buf = Buffer.concat(chunks);
  net.loadFromWeightMap(tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
    manifest[0].weights));
  return net;
}

// Pixels that face-api's (pixel - mean) / 255 turns into exactly the
// converters' fixed input v(y, x, c) on a size x size image.
function fixedPixels(size, mean) {
  const data = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let c = 0; c < 3; c++) {
        const v = 0.5 * Math.sin(0.05 * (x + 1) * (c + 1)) * Math.cos(0.031 * (y + 1));
        data[(y * size + x) * 3 + c] = v * 255 + mean[c];
      }
    }
  }
  return faceapi.toNetInput(tf.tensor4d(data, [1, size, size, 3]));
}

const reference = JSON.parse(fs.readFileSync(refPath));
let worst = 0;
function compare(label, out, ref) {
  if (out.length !== ref.length) {
    console.error(`check_face_model: ${label}: ${out.length} outputs, reference has ${ref.length}`);
    process.exit(1);
  }
  // float32 sums: the error grows with the values (the detector's logits reach ~50)
  const scale = Math.max(1, ...ref.map(Math.abs));
  const diff = Math.max(...out.map((v, i) => Math.abs(v - ref[i])));
  console.log(`${label}: face-api (tfjs cpu) vs numpy reference: max abs difference ${diff.toExponential(2)}`
    + (scale > 1 ? ` (largest value ${scale.toFixed(1)})` : ''));
  worst = Math.max(worst, diff / scale);
}

if (which === 'recognizer') {
  const net = loadNet(new faceapi.FaceRecognitionNet(), 'face_recognition_model');
  const input = await fixedPixels(150, [122.782, 117.001, 104.298]);
  compare('face descriptor', Array.from(await net.forwardInput(input).data()), reference.descriptor);
} else {
  const det = loadNet(new faceapi.TinyFaceDetector(), 'tiny_face_detector_model');
  const grid = det.forwardInput(await fixedPixels(416, [117.001, 114.697, 97.404]), 416);  // NHWC
  compare('tiny face detector', Array.from(await grid.transpose([0, 3, 1, 2]).data()), reference.detector);
  const marks = loadNet(new faceapi.FaceLandmark68Net(), 'face_landmark_68_model');
  const out = marks.runNet(await fixedPixels(112, [122.782, 117.001, 104.298]));
  compare('68-point landmarks', Array.from(await out.data()), reference.landmarks);
}
process.exit(worst <= 1e-5 ? 0 : 1);
