//! `node_modules` folders that discovery must skip. Their files contain real wiring mistakes
//! (from-non-host, a stack that forgets a Live, a duplicate inline host), so a checker that
//! reads them reports more than the planted count and the benchmark fails.

use std::io;

use super::Out;

const DO_FILE: &str = r#"import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";

export class Counter extends Cloudflare.DurableObjectNamespace<Counter, {
  get: () => Effect.Effect<number>;
}>()("Counter") {}

export default Counter.make(Effect.gen(function* () {
  return Effect.gen(function* () { return { get: () => Effect.succeed(0) }; });
}));

export class Room extends Cloudflare.DurableObjectNamespace<Room>()(
  "Room",
  Effect.gen(function* () {
    return Effect.gen(function* () { return { join: () => Effect.succeed(1) }; });
  }),
) {}
"#;

const HOST_FILE: &str = r#"import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";
import CounterLive, { Counter, Room } from "./objects.ts";

export class Host extends Cloudflare.Worker<Host, {}, Counter>()(
  "Host",
  { main: import.meta.filename },
) {}

export default Host.make(
  Effect.gen(function* () {
    const counter = yield* Counter;
    const room = yield* Room;
    return { fetch: Effect.succeed(new Response("host")) };
  }).pipe(Effect.provide(CounterLive)),
);
"#;

const CONSUMER_FILE: &str = r#"import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";
import { Counter, Room } from "./objects.ts";

export default class Consumer extends Cloudflare.Worker<Consumer>()(
  "Consumer",
  { main: import.meta.filename },
  Effect.gen(function* () {
    const counter = yield* Counter.from(Consumer);
    const room = yield* Room;
    const other = yield* Counter.from("Host");
    return { fetch: Effect.succeed(new Response("consumer")) };
  }),
) {}
"#;

const STACK_FILE: &str = r#"import * as Alchemy from "alchemy";
import * as Effect from "effect/Effect";
import { Host } from "./src/host.ts";
import Consumer from "./src/consumer.ts";

export default Alchemy.Stack("Vendored", {}, Effect.gen(function* () {
  yield* Host;
  yield* Consumer;
}));
"#;

pub fn write(out: &mut Out) -> io::Result<()> {
    for base in [
        "node_modules/@acme/edge-kit",
        "apps/app-000/node_modules/legacy-workers",
    ] {
        out.write(
            &format!("{base}/package.json"),
            "{ \"name\": \"vendored\", \"version\": \"1.0.0\", \"dependencies\": { \"alchemy\": \"2.0.0-beta.49\" } }\n",
        )?;
        out.write(&format!("{base}/src/objects.ts"), DO_FILE)?;
        out.write(&format!("{base}/src/host.ts"), HOST_FILE)?;
        out.write(&format!("{base}/src/consumer.ts"), CONSUMER_FILE)?;
        out.write(&format!("{base}/alchemy.run.ts"), STACK_FILE)?;
    }
    Ok(())
}
