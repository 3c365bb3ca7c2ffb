import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";
import CounterLive, { Counter } from "./counter.ts";
import { Room } from "./room.ts";

export class WorkerA extends Cloudflare.Worker<WorkerA, {}, Counter>()(
  "WorkerA",
  { main: import.meta.filename },
) {}

export default WorkerA.make(
  Effect.gen(function* () {
    const counters = yield* Counter;
    const rooms = yield* Room;
    return {
      fetch: Effect.gen(function* () {
        const n = yield* counters.getByName("a").increment();
        yield* rooms.getByName("lobby").join("a");
        return new Response(`A: ${n}`);
      }),
    };
  }).pipe(Effect.provide(CounterLive)),
);
