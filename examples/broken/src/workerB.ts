import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";
import { Api } from "./api.ts";
import { Counter } from "./counter.ts";
import { Room } from "./room.ts";

export default class WorkerB extends Cloudflare.Worker<WorkerB>()(
  "WorkerB",
  { main: import.meta.filename },
  Effect.gen(function* () {
    // Api does not host Counter: WorkerA does.
    const counters = yield* Counter.from(Api);
    // A second, isolated "chat-room" namespace.
    const rooms = yield* Room;
    return {
      fetch: Effect.gen(function* () {
        const n = yield* counters.getByName("a").decrement();
        yield* rooms.getByName("lobby").join("b");
        return new Response(`B: ${n}`);
      }),
    };
  }),
) {}
