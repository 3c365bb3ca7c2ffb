import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";
import { Counter } from "./counter.ts";

export class Api extends Cloudflare.Worker<Api>()(
  "Api",
  { main: import.meta.filename },
) {}

export default Api.make(
  Effect.gen(function* () {
    // Binds by physical script name: rarely matches, no deploy ordering.
    const counters = yield* Counter.from("WorkerA");
    return {
      fetch: Effect.gen(function* () {
        const n = yield* counters.getByName("api").get();
        return new Response(`Api: ${n}`);
      }),
    };
  }),
);
