/**
 * Waymark's public HTTP surface outside the Pinpoint API: tracking links (open pixel, click
 * redirect, unsubscribe) and provider callbacks (delivery receipts, inbound messages, bounces).
 * These are not SigV4-signed: links carry their own signature and each webhook checks its
 * provider's. Each feature registers its routes through `publicRoutes`.
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../services.js";
import { publicRoutes } from "./routes.js";

export async function publicApi(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  for (const register of publicRoutes) await register(app, services);
}
