import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";
import CounterLive, { Counter } from "./object.ts";

export class WorkerA extends Cloudflare.Worker<WorkerA, {}, Counter>()(
  "WorkerA",
  { main: import.meta.filename },
) {}

export default WorkerA.make(
  Effect.gen(function* () {
    const counters = yield* Counter;
    return { fetch: Effect.gen(function* () { const n = yield* counters.getByName("a").increment(); return new Response(`A: ${n}`); }) };
  }).pipe(Effect.provide(CounterLive)),
);
