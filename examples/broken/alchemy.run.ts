import * as Alchemy from "alchemy";
import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";
import { Api } from "./src/api.ts";
import WorkerALive, { WorkerA } from "./src/workerA.ts";
import WorkerB from "./src/workerB.ts";

export default Alchemy.Stack(
  "BrokenStack",
  { state: Cloudflare.state(), providers: Cloudflare.providers() },
  Effect.gen(function* () {
    const a = yield* WorkerA;
    const b = yield* WorkerB;
    const api = yield* Api;
    return { urlA: a.url.as<string>(), urlB: b.url.as<string>(), api: api.url.as<string>() };
  }).pipe(Effect.provide(WorkerALive)),
);
