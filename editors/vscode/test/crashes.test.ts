import assert from "node:assert/strict";
import { test } from "node:test";
import { CrashTracker } from "../src/crashes";

test("restarts MAX times within the window, then stops", () => {
  const t = new CrashTracker(3, 1000);
  assert.deepEqual([0, 10, 20, 30].map((at) => t.record(at)), [true, true, true, false]);
  assert.equal(t.count, 4);
});

test("crashes older than the window are forgotten", () => {
  const t = new CrashTracker(3, 1000);
  assert.deepEqual([0, 400, 800, 1300, 1700].map((at) => t.record(at)), [true, true, true, true, true]);
  assert.equal(t.count, 3);
});

test("reset (the user's Restart) starts counting again", () => {
  const t = new CrashTracker(1, 1000);
  assert.equal(t.record(0), true);
  assert.equal(t.record(1), false);
  t.reset();
  assert.equal(t.record(2), true);
});
