/**
 * One Waymark process: the HTTP server (the Pinpoint API) and the background workers, over one store.
 * @example
 * const server = await startServer(loadConfig());
 * // ... later
 * await server.close();
 */
import Fastify, { type FastifyInstance } from "fastify";
import { defaultBodyLimit, pinpointApi, sendPinpointError } from "./api/plugin.js";
import { startBounceListener } from "./channels/email/bounce-listener.js";
import { ProviderRegistry } from "./channels/registry.js";
import type { Clock } from "./clock.js";
import type { Config } from "./config.js";
import { tasks } from "./jobs/tasks.js";
import { Worker } from "./jobs/worker.js";
import { JourneyRunner } from "./journeys/engine/runner.js";
import { JourneyScheduler } from "./journeys/triggers/scheduler.js";
import { MessageDispatcher } from "./messages/dispatcher.js";
import { createServices, type Services } from "./services.js";
import { openStore } from "./store/index.js";
import { StreamDelivery } from "./stream/delivery.js";
import { publicApi } from "./track/plugin.js";

export interface RunningServer {
  app: FastifyInstance;
  services: Services;
  /** The address it listens on, e.g. http://127.0.0.1:8080. */
  url: string;
  close(): Promise<void>;
}

const loopback = new Set(["127.0.0.1", "::1", "localhost"]);

export function buildApp(services: Services, logLevel: string): FastifyInstance {
  const app = Fastify({
    logger: {
      level: logLevel,
      serializers: {
        // No headers (credentials), and of a tracking link only its kind: its token says who a message went to.
        req: (request: { method: string; url: string; ip?: string }) => ({
          method: request.method,
          url: request.url.startsWith("/t/") ? `${request.url.slice(0, 4)}…` : request.url,
          remoteAddress: request.ip,
        }),
      },
    },
    bodyLimit: defaultBodyLimit,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    // Pinpoint's ids and names run to 128 characters, more once percent-encoded; Fastify's default is 100.
    routerOptions: { maxParamLength: 1024 },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-amzn-RequestId", request.id);
  });
  app.setErrorHandler((error, request, reply) => sendPinpointError(error, request, reply));
  app.register(pinpointApi, { services });
  app.register(publicApi, { services });
  return app;
}

export async function startServer(
  config: Config,
  options: { logLevel?: string; clock?: Clock } = {},
): Promise<RunningServer> {
  if (config.accessKeys.length === 0 && !loopback.has(config.server.host)) {
    throw new Error(
      `Refusing to listen on ${config.server.host} without access keys: configure accessKeys (or WAYMARK_ACCESS_KEY_ID and WAYMARK_SECRET_ACCESS_KEY), or listen on 127.0.0.1.`,
    );
  }
  const store = openStore(config.databaseUrl);
  await store.migrate();
  const services = createServices(config, store, options.clock);
  const app = buildApp(services, options.logLevel ?? process.env.LOG_LEVEL ?? "info");

  const worker = new Worker(services, { tasks }, app.log.child({ component: "jobs" }));
  const delivery = new StreamDelivery(services, app.log.child({ component: "event-stream" }));
  const providers = new ProviderRegistry(services);
  const dispatcher = new MessageDispatcher(services, providers, app.log.child({ component: "messages" }));
  const journeys = new JourneyRunner(services, app.log.child({ component: "journeys" }));
  const scheduler = new JourneyScheduler(services, app.log.child({ component: "journey-scheduler" }));
  services.wake.jobs = () => worker.nudge();
  services.wake.journeys = () => {
    journeys.nudge();
    scheduler.nudge();
  };
  services.wake.stream = () => delivery.nudge();
  services.delivery = { deliverNow: (ids) => dispatcher.deliverNow(ids), wake: () => dispatcher.nudge() };

  const address = await app.listen({ host: config.server.host, port: config.server.port });
  const bounces = await startBounceListener(services, app.log.child({ component: "email-bounces" }));
  if (config.accessKeys.length === 0) {
    app.log.warn(
      "No access keys configured: listening on loopback only and accepting any well-formed SigV4 signature.",
    );
  }
  worker.start();
  delivery.start();
  dispatcher.start();
  journeys.start();
  scheduler.start();
  app.log.info({ database: store.dialect.name, address }, "Waymark is ready");

  return {
    app,
    services,
    url: address,
    async close() {
      await Promise.all([app.close(), bounces?.close()]);
      await Promise.all([worker.stop(), delivery.stop(), journeys.stop(), scheduler.stop()]);
      await dispatcher.stop();
      await providers.close();
      await store.close();
    },
  };
}
