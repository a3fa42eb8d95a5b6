// Prepended to every JavaScript program run in the WASM guest (QuickJS): the part of Node's
// `require('node:assert')` and `console` that benchmark tests use (MultiPL-E, HumanEval-X), and
// the stdin readers full programs use, so the same program gives the same verdict here and
// under Node in the process sandbox. Everything but `require` and `process` stays private.
(function () {
  const toErr = (...m) => std.err.puts(m.map(String).join(' ') + '\n');
  if (typeof console.error !== 'function') console.error = toErr;
  if (typeof console.warn !== 'function') console.warn = toErr;
  if (typeof console.assert !== 'function') {
    console.assert = (cond, ...m) => {
      if (!cond) toErr('Assertion failed' + (m.length ? ': ' + m.map(String).join(' ') : ''));
    };
  }
})();
globalThis.require = (function () {
  // Standard input, read once, whole or as lines (without their `\n` or `\r\n`).
  let stdinCache = null;
  const stdinText = () => (stdinCache === null ? (stdinCache = std.in.readAsString()) : stdinCache);
  const stdinLines = () => {
    const ls = stdinText().split('\n');
    if (ls[ls.length - 1] === '') ls.pop();
    return ls.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  };
  // The part of Node's EventEmitter that stdin readers use.
  const emitter = () => {
    const handlers = {};
    const e = {
      on(event, cb) {
        (handlers[event] = handlers[event] || []).push(cb);
        return e;
      },
      emit(event, ...args) {
        for (const cb of handlers[event] || []) cb(...args);
      },
    };
    e.once = e.on;
    e.addListener = e.on;
    return e;
  };
  const processStdin = () => {
    const s = emitter();
    s.setEncoding = () => s;
    s.resume = () => s;
    s.pause = () => s;
    Promise.resolve().then(() => {
      const text = stdinText();
      if (text.length) s.emit('data', text);
      s.emit('end');
    });
    return s;
  };
  if (typeof globalThis.process === 'undefined') {
    globalThis.process = {
      argv: ['qjs', 'main.js'],
      env: {},
      get stdin() {
        const s = processStdin();
        Object.defineProperty(this, 'stdin', { value: s });
        return s;
      },
      stdout: { write: (s) => (std.out.puts(String(s)), true) },
      stderr: { write: (s) => (std.err.puts(String(s)), true) },
      exit: (code) => {
        std.out.flush();
        std.exit(code === undefined ? 0 : code);
      },
    };
  }
  class AssertionError extends Error {
    constructor(message) {
      super(message);
      this.name = 'AssertionError';
      this.code = 'ERR_ASSERTION';
    }
  }
  const show = (v) => {
    try {
      return JSON.stringify(v);
    } catch (e) {
      return String(v);
    }
  };
  const fail = (message, actual, expected, op) => {
    if (message instanceof Error) throw message;
    throw new AssertionError(message || `${show(actual)} ${op} ${show(expected)}`);
  };
  const same = (a, b, strict) => (strict ? Object.is(a, b) : a == b || (a !== a && b !== b));
  function deep(a, b, strict) {
    if (same(a, b, strict)) return true;
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
    if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
    if (a instanceof Map || a instanceof Set) {
      if (!(b instanceof Map || b instanceof Set) || a.size !== b.size) return false;
      const xs = [...a.entries()];
      return xs.every(([k, v]) => (a instanceof Map ? b.has(k) && deep(v, b.get(k), strict) : b.has(k)));
    }
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deep(a[k], b[k], strict));
  }
  function make(strict) {
    const assert = (value, message) => {
      if (!value) fail(message, value, true, '==');
    };
    assert.ok = assert;
    assert.equal = (a, b, m) => (same(a, b, strict) ? undefined : fail(m, a, b, strict ? '===' : '=='));
    assert.notEqual = (a, b, m) => (same(a, b, strict) ? fail(m, a, b, '!=') : undefined);
    assert.strictEqual = (a, b, m) => (Object.is(a, b) ? undefined : fail(m, a, b, '==='));
    assert.notStrictEqual = (a, b, m) => (Object.is(a, b) ? fail(m, a, b, '!==') : undefined);
    assert.deepEqual = (a, b, m) => (deep(a, b, strict) ? undefined : fail(m, a, b, 'deepEqual'));
    assert.notDeepEqual = (a, b, m) => (deep(a, b, strict) ? fail(m, a, b, 'notDeepEqual') : undefined);
    assert.deepStrictEqual = (a, b, m) => (deep(a, b, true) ? undefined : fail(m, a, b, 'deepStrictEqual'));
    assert.notDeepStrictEqual = (a, b, m) => (deep(a, b, true) ? fail(m, a, b, 'notDeepStrictEqual') : undefined);
    assert.throws = (fn, _expected, m) => {
      try {
        fn();
      } catch (e) {
        return;
      }
      fail(typeof _expected === 'string' ? _expected : m || 'Missing expected exception.');
    };
    assert.fail = (m) => fail(m || 'Failed');
    assert.AssertionError = AssertionError;
    return assert;
  }
  const loose = make(false);
  const strict = make(true);
  loose.strict = strict;
  strict.strict = strict;
  // A program cannot patch the assertions its tests call.
  Object.freeze(loose);
  Object.freeze(strict);
  // Full programs read standard input the Node way: fs.readFileSync(0) or '/dev/stdin',
  // readline's 'line'/'close' events or async iteration, process.stdin's 'data'/'end'.
  // Events are delivered from a microtask, after the script has registered its handlers.
  const fs = {
    readFileSync(file, options) {
      if (file !== 0 && file !== '/dev/stdin') {
        throw new Error(`ENOENT: no such file or directory, open '${file}' (the WASM guest can read only standard input)`);
      }
      return stdinText();
    },
  };
  const readline = {
    createInterface() {
      const rl = emitter();
      let closed = false;
      rl.close = () => {
        if (!closed) {
          closed = true;
          rl.emit('close');
        }
      };
      rl[Symbol.asyncIterator] = () => {
        const ls = stdinLines();
        let i = 0;
        return {
          next: () => Promise.resolve(i < ls.length ? { value: ls[i++], done: false } : { value: undefined, done: true }),
          return: () => Promise.resolve({ value: undefined, done: true }),
        };
      };
      Promise.resolve().then(() => {
        for (const line of stdinLines()) {
          if (closed) return;
          rl.emit('line', line);
        }
        rl.close();
      });
      return rl;
    },
  };
  // npm packages passk bundled into this program (see src/setup/npm.rs), loaded once; taken
  // off the global before any program code runs, so nothing can add a module to them.
  const bundled = Object.assign(Object.create(null), globalThis.passk$bundled || {});
  delete globalThis.passk$bundled;
  const loaded = Object.create(null);
  return function require(name) {
    if (name === 'assert' || name === 'node:assert') return loose;
    if (name === 'assert/strict' || name === 'node:assert/strict') return strict;
    if (name === 'fs' || name === 'node:fs') return fs;
    if (name === 'readline' || name === 'node:readline') return readline;
    if (typeof bundled[name] === 'function') {
      if (!(name in loaded)) {
        const module = { exports: {} };
        bundled[name](module, module.exports);
        loaded[name] = module.exports;
      }
      return loaded[name];
    }
    throw new Error(`Cannot find module '${name}': the WASM JavaScript guest provides only node:assert, fs.readFileSync and readline of standard input (use --sandbox process for Node.js)`);
  };
})();
// The tests run in a function whose `require` is this one (src/sandbox/seal.rs): a program's
// own `require` or `function require` changes nothing they see.
Object.defineProperty(globalThis, 'passk$require', { value: globalThis.require, writable: false, configurable: false, enumerable: false });
