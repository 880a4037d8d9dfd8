/**
 * The public routes, one registration per feature (each in its own file, next to its logic).
 * Paths live under /t/ (links people click) and /webhooks/ (callbacks providers make).
 */
import type { FastifyInstance } from "fastify";
import type { Services } from "../services.js";
import { emailWebhook } from "./email-webhook.js";
import { smsWebhooks } from "./sms-webhooks.js";
import { trackingRoutes } from "./tracking-routes.js";

export type RegisterPublicRoutes = (app: FastifyInstance, services: Services) => Promise<void> | void;

export const publicRoutes: RegisterPublicRoutes[] = [trackingRoutes, smsWebhooks, emailWebhook];
