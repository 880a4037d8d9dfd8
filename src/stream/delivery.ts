import type { FastifyBaseLogger as Logger } from "fastify";
import type { Services } from "../services.js";

export class StreamDelivery {
  constructor(
    readonly services: Services,
    readonly log: Logger,
  ) {}
  start(): void {}
  nudge(): void {}
  async stop(): Promise<void> {}
}
