import * as Cloudflare from "alchemy/Cloudflare";
import * as Effect from "effect/Effect";

// An inline Durable Object: hosted by every Worker that yields it.
export class Room extends Cloudflare.DurableObjectNamespace<Room>()(
  "chat-room",
  Effect.gen(function* () {
    return Effect.gen(function* () {
      const members = new Set<string>();
      return { join: (name: string) => Effect.sync(() => members.add(name)) };
    });
  }),
) {}
