import type { RuntimeContext } from "alchemy";
import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";

export class Counter extends Cloudflare.DurableObjectNamespace<Counter, {
  increment: () => Effect.Effect<number, never, RuntimeContext>;
  get: () => Effect.Effect<number, never, RuntimeContext>;
}>()("Counter") {}

export default Counter.make(
  Effect.gen(function* () {
    return Effect.gen(function* () {
      let n = 0;
      return { increment: () => Effect.sync(() => ++n), get: () => Effect.succeed(n) };
    });
  }),
);
